// Package contracts checks JSON payloads against the Juspay specs field by field and reports
// every finding, not the first: required fields, types, enums, formats, lengths, undeclared
// fields, cross-field invariants and card-number leaks, under a strict or a compat profile.
//
// It reads the specs once (Load), compiles them into its own schema tree and validates from
// that, so a payload costs one parse and one walk. It does no I/O beyond reading the given spec
// files, never panics on input (bodies, depth and size are bounded), and knows nothing of
// Ginkgo, vegeta, HTTP servers or the CLI.
package contracts
