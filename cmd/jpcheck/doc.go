// Jpcheck checks that a service speaks Juspay's order-status, webhook, offer and reward APIs
// field for field, as Juspay documents them.
//
// Usage:
//
//	jpcheck validate [--kind KIND|auto] [--profile compat|strict] [--format text|json] [--ndjson] FILE|- ...
//	jpcheck specs export DIR
//	jpcheck specs lint
//	jpcheck specs examples
//	jpcheck specs errata [--format text|markdown|json]
//	jpcheck mock [--addr HOST:PORT] [--api-key K] [--merchant-id M] [--webhook-url URL] [--tls] [--jwe-dir DIR] [--latency SPEC]
//	jpcheck conform [--target URL] [--api-key K] [--merchant-id M] [--fixtures FILE] [--label-filter EXPR] [--focus REGEX]
//	                [--profile compat|strict] [--report-dir DIR] [--format text|json] [--junit FILE]
//	                [--webhook-listen ADDR] [--webhook-user U] [--webhook-password P] [--webhook-journal FILE]
//	                [--webhook-timeout D] [--webhooks-only --webhook-count N --webhook-duration D] [--timeout D] [-v]
//	jpcheck load [--target URL] [--order-id ID]... [--order-ids FILE] [--fixtures FILE] [--v4] [--rate N] [--workers N]
//	             [--duration D] [--ramp FROM:TO:STEP[:D]] [--find-capacity] [--slo FILE] [--require-conclusive]
//	             [--format text|json|openmetrics] [--out DIR] [--allow-production] [--max-rate N] [--max-duration D]
//	jpcheck version
//
// Conform runs the contract suites (package suites) in this process, against --target or, without
// it, against the reference implementation (package mock) started on a loopback port, and writes
// the run through package reports. Ginkgo runs one suite per process, so conform is tested by
// building this binary and running it. Load drives the order status API through package load,
// against --target or the reference implementation, and writes the result through reports.
//
// Exit codes: 0 success, 1 findings (an error finding, a failed check or spec), 2 usage or
// unreadable input, 3 target unreachable (or a load run aborted). This package wires the library packages together; it
// holds no contract logic of its own.
package main
