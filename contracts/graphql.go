package contracts

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// The GraphQL view of the specs lets a consumer say which fields it relies on in a query
// document (package consumers). The derivation rules are an interface, relied on by consumer
// files and by jpcheck diff; the README's "Consumer contracts (GraphQL)" section states them:
//
//   - An object type per object schema reached from a contract kind or a webhook event, named
//     after its OpenAPI component; an inline object is named <Owner>_<property>. A second,
//     different component of an already used name (one per file is allowed in OpenAPI) is
//     named <Name>_<file stem>.
//   - A field per property, named after it. Names are made GraphQL identifiers by replacing
//     every character outside [A-Za-z0-9_] by "_" and prefixing "_" to a leading digit; a field
//     so renamed carries @json(name:) with the property's real name.
//   - String enums become enum types, named after their component or <Owner>_<property>; an
//     enum whose values do not all make distinct GraphQL names stays a String.
//   - An object schema that also allows a string (a "FILTERED" placeholder) is the object type.
//   - oneOf becomes its first object alternative, else JSON. A free-form object, a value of
//     several types or of any type is the JSON scalar. Integer is Int, number Float.
//   - A field is non-null only when the property is required and its schema does not allow null.
//   - Documented variants the validator accepts (x-quirks) are directives: @alias(name:) for
//     another name of the property, @quirk(name:) for a value also sent as a string.
//   - type Query has one field per contract kind (order for order-status, the others the kind
//     with "-" as "_") and webhook_<event in lower case> per webhook event.

// gqlDirectives declares the directives the derived schema uses.
const gqlDirectives = `"Free-form JSON: any object, or a value of several types."
scalar JSON

"The property's name in the JSON payload, when it is not a GraphQL name."
directive @json(name: String!) on FIELD_DEFINITION

"Another name the documents show for this property (x-quirks field-alias)."
directive @alias(name: String!) repeatable on FIELD_DEFINITION

"A value the documents also show encoded in a string: numeric-string, boolean-string or json-string (x-quirks)."
directive @quirk(name: String!) repeatable on FIELD_DEFINITION
`

// GraphQLRootField is the Query field of a contract kind: order for order-status, the kind's
// name with "-" as "_" for the others.
func GraphQLRootField(k Kind) string {
	if k == KindOrderStatus {
		return "order"
	}
	return strings.ReplaceAll(string(k), "-", "_")
}

// GraphQLWebhookField is the Query field of one webhook event.
func GraphQLWebhookField(event string) string {
	return "webhook_" + GraphQLName(strings.ToLower(event))
}

// GraphQLName makes s a GraphQL name: every character outside [A-Za-z0-9_] becomes "_", and a
// leading digit (or an empty name) gets a "_" in front.
func GraphQLName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	out := b.String()
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = "_" + out
	}
	return out
}

type gqlGen struct {
	set   *Set
	names map[*schema]string // object and enum types assigned so far
	taken map[string]*schema
	defs  map[string]string // type name → definition
	queue []*schema
}

// GraphQLSchema derives a GraphQL SDL from the specs (rules above) and checks that gqlparser
// loads it.
func (s *Set) GraphQLSchema() (string, error) {
	g := &gqlGen{set: s, names: map[*schema]string{}, taken: map[string]*schema{}, defs: map[string]string{}}
	var q strings.Builder
	q.WriteString("\"One field per contract kind and per webhook event: what a consumer can select.\"\ntype Query {\n")
	for _, ks := range kindSchemas {
		fmt.Fprintf(&q, "  %q\n  %s: %s\n", "Kind "+string(ks.kind)+".", GraphQLRootField(ks.kind), g.typeRef(s.kinds[ks.kind], ks.schema))
	}
	for _, ev := range s.events {
		fmt.Fprintf(&q, "  %q\n  %s: %s\n", "Webhook "+ev+".", GraphQLWebhookField(ev), g.typeRef(s.webhooks[ev], ev+"Webhook"))
	}
	q.WriteString("}\n")
	for len(g.queue) > 0 {
		sch := g.queue[0]
		g.queue = g.queue[1:]
		g.object(sch)
	}
	names := make([]string, 0, len(g.defs))
	for n := range g.defs {
		names = append(names, n)
	}
	sort.Strings(names)
	var out strings.Builder
	out.WriteString(gqlDirectives)
	out.WriteString("\n")
	out.WriteString(q.String())
	for _, n := range names {
		out.WriteString("\n")
		out.WriteString(g.defs[n])
	}
	sdl := out.String()
	if _, err := gqlparser.LoadSchema(&ast.Source{Name: "jpcheck.graphql", Input: sdl}); err != nil {
		return "", fmt.Errorf("derived GraphQL schema does not load: %w", err)
	}
	return sdl, nil
}

// canonical undoes the copies Load makes for components that are only a $ref (the root's kind
// aliases), so both names lead to one type.
func (g *gqlGen) canonical(sch *schema) *schema {
	if sch == nil || sch.name == "" {
		return sch
	}
	if m, ok := g.set.schemas[sch.spec]; ok && m != sch {
		return m
	}
	return sch
}

// componentName is the component a schema is, or "" for an inline schema.
func componentName(sch *schema) (name, file string) {
	file, ptr, _ := strings.Cut(sch.spec, "#")
	const p = "/components/schemas/"
	if !strings.HasPrefix(ptr, p) || strings.Contains(ptr[len(p):], "/") {
		return "", file
	}
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(ptr[len(p):]), file
}

// nameFor assigns sch its type name once; fallback names an inline schema.
func (g *gqlGen) nameFor(sch *schema, fallback string) (string, bool) {
	if n, ok := g.names[sch]; ok {
		return n, false
	}
	base, file := componentName(sch)
	if base == "" {
		base = fallback
	}
	name := GraphQLName(base)
	if other, ok := g.taken[name]; ok && other != sch {
		name = GraphQLName(base + "_" + strings.TrimSuffix(file, ".yaml"))
		for i := 2; g.taken[name] != nil; i++ {
			name = GraphQLName(base + "_" + strings.TrimSuffix(file, ".yaml") + strconv.Itoa(i))
		}
	}
	g.names[sch] = name
	g.taken[name] = sch
	return name, true
}

// isObject: a schema with properties. One that also allows a string (the documents'
// "FILTERED" placeholder for a card) is still the object: a consumer selects its fields.
func isObject(sch *schema) bool {
	return (sch.types == 0 || sch.types&tObject != 0) && len(sch.propList) > 0 && sch.types&^(tObject|tNull|tString) == 0
}

// typeRef is the GraphQL type of a value of sch, without the outer "!"; naming an object or
// enum type queues its definition. fallback names an inline type.
func (g *gqlGen) typeRef(sch *schema, fallback string) string {
	sch = g.canonical(sch)
	if sch == nil {
		return "JSON"
	}
	if len(sch.oneOf) > 0 && len(sch.propList) == 0 {
		for _, alt := range sch.oneOf {
			if alt = g.canonical(alt); isObject(alt) {
				return g.typeRef(alt, fallback)
			}
		}
		return "JSON"
	}
	if isObject(sch) {
		name, fresh := g.nameFor(sch, fallback)
		if fresh {
			g.queue = append(g.queue, sch)
		}
		return name
	}
	t := sch.types &^ tNull
	if len(sch.enum) > 0 && (t == tString || t == 0) {
		if name, ok := g.enum(sch, fallback); ok {
			return name
		}
		return "String"
	}
	switch t {
	case tBool:
		return "Boolean"
	case tInteger:
		return "Int"
	case tNumber | tInteger:
		return "Float"
	case tString:
		return "String"
	case tArray:
		if sch.items == nil {
			return "[JSON]"
		}
		item := g.typeRef(sch.items, fallback)
		if it := g.canonical(sch.items); it.types != 0 && it.types&tNull == 0 {
			item += "!"
		}
		return "[" + item + "]"
	}
	return "JSON"
}

// enum defines the enum type of sch, if every value makes a distinct GraphQL enum value.
func (g *gqlGen) enum(sch *schema, fallback string) (string, bool) {
	if n, ok := g.names[sch]; ok {
		return n, true
	}
	seen := map[string]bool{}
	var vals []string
	for _, l := range sch.enum {
		if l.kind == jNull {
			continue
		}
		if l.kind != jString || GraphQLName(l.s) != l.s || l.s == "true" || l.s == "false" || l.s == "null" || seen[l.s] {
			return "", false
		}
		seen[l.s] = true
		vals = append(vals, l.s)
	}
	if len(vals) == 0 {
		return "", false
	}
	name, _ := g.nameFor(sch, fallback)
	var b strings.Builder
	fmt.Fprintf(&b, "%q\nenum %s {\n", sch.spec, name)
	for _, v := range vals {
		fmt.Fprintf(&b, "  %s\n", v)
	}
	b.WriteString("}\n")
	g.defs[name] = b.String()
	return name, true
}

// object defines the object type of sch.
func (g *gqlGen) object(sch *schema) {
	name := g.names[sch]
	var b strings.Builder
	fmt.Fprintf(&b, "%q\ntype %s {\n", sch.spec, name)
	used := map[string]bool{}
	for _, p := range sch.propList {
		fname := GraphQLName(p.name)
		if used[fname] {
			continue // two properties that sanitize alike: the first keeps the name
		}
		used[fname] = true
		ps := g.canonical(p.schema)
		typ := g.typeRef(ps, name+"_"+fname)
		if p.required && ps.types != 0 && ps.types&tNull == 0 {
			typ += "!"
		}
		fmt.Fprintf(&b, "  %s: %s", fname, typ)
		if fname != p.name {
			fmt.Fprintf(&b, " @json(name: %q)", p.name)
		}
		for _, q := range sch.quirks {
			if q.name == "field-alias" && q.to == p.name {
				fmt.Fprintf(&b, " @alias(name: %q)", q.from)
			}
		}
		for _, q := range ps.quirks {
			switch q.name {
			case "numeric-string", "boolean-string", "json-string":
				fmt.Fprintf(&b, " @quirk(name: %q)", q.name)
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	g.defs[name] = b.String()
}
