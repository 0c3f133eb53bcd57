// Package suites holds jpcheck's contract suites: Ginkgo v2 specs, grouped by area under
// labels, that call a Juspay-compatible implementation over HTTP, receive its webhooks and
// check every payload against the contracts, field by field.
//
// The specs live in non-test files because the jpcheck binary runs them in-process (Run), so
// users need no Go toolchain; `go test ./suites/...` and `ginkgo ./suites/...` run the same
// registration functions against the embedded reference implementation. Each area closes
// over an explicit env rather than package variables.
//
// Ginkgo allows one RunSpecs per process, so Run refuses a second call instead of letting
// Ginkgo exit the process. This package must not import mock (outside tests), load, reports
// or the CLI; the caller starts targets and writes reports.
package suites
