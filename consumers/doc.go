// Package consumers reads consumer contracts: GraphQL query documents over the schema derived
// from the specs (contracts.Set.GraphQLSchema), each naming the fields one merchant integration
// relies on. Check judges recorded payloads against a consumer: every selected field must be
// supplied, of the right type, and non-null where the schema says so.
package consumers
