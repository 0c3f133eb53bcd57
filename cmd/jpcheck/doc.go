// Jpcheck checks that a service speaks Juspay's order-status, webhook, offer and reward APIs
// field for field, as Juspay documents them, and meets the documented latency.
//
// Usage (every command and flag; the manual is README.md and docs/):
//
//	jpcheck [--version]
//	jpcheck version
//	jpcheck validate [--kind KIND|auto] [--profile compat|strict] [--format text|json] [--ndjson] [--no-redact] FILE|- ...
//	jpcheck specs export DIR
//	jpcheck specs lint
//	jpcheck specs examples
//	jpcheck specs errata [--format text|markdown|json]
//	jpcheck mock [--addr HOST:PORT] [--api-key K] [--merchant-id M] [--webhook-url URL] [--webhook-user U]
//	             [--webhook-password P] [--webhook-retries LIST] [--tls] [--tls-ca-out FILE] [--jwe-dir DIR]
//	             [--latency SPEC]
//	jpcheck conform [--target URL] [--api-key K] [--merchant-id M] [--fixtures FILE] [--label-filter EXPR]
//	                [--focus REGEX]... [--profile compat|strict] [--report-dir DIR] [--format text|json]
//	                [--junit FILE] [--no-redact] [--webhook-listen ADDR] [--webhook-user U]
//	                [--webhook-password P] [--webhook-journal FILE] [--webhook-timeout D]
//	                [--webhooks-only --webhook-count N --webhook-duration D] [--consumer FILE]...
//	                [--timeout D] [--request-timeout D] [-v|--verbose]
//	jpcheck load [--target URL] [--api-key K] [--merchant-id M] [--routing-id R] [--order-id ID]...
//	             [--order-ids FILE] [--fixtures FILE] [--v4] [--rate N] [--workers N] [--duration D]
//	             [--ramp FROM:TO:STEP[:D]] [--find-capacity] [--timeout D] [--max-lag D]
//	             [--validate-sample F] [--profile compat|strict] [--slo FILE] [--require-conclusive]
//	             [--max-error-fraction F] [--format text|json|openmetrics] [--out DIR] [--no-redact]
//	             [--allow-production] [--max-rate N] [--max-duration D] [--mock-latency SPEC]
//	             [--shard I/N --start-at T] [--run-id ID] [--history DIR --window D] [--label K=V]...
//	jpcheck load merge [--wait D] [--out DIR] [--report DIR] [--format text|json|openmetrics]
//	                   [--no-redact] [--history DIR --window D] [--label K=V]... DIR...
//	jpcheck report --in DIR... [--out DIR] [--history DIR] [--format html|markdown|json] [--no-redact]
//	jpcheck diff OLD NEW [--consumer FILE]... [--format text|json]
//	jpcheck graphql schema [--out FILE] [--specs DIR]
//	jpcheck graphql check FILE... [--specs DIR]
//	jpcheck completion bash|zsh|fish|powershell
//
// Conform runs the contract suites (package suites) in this process, against --target or, without
// it, against the reference implementation (package mock) started on a loopback port, and writes
// the run through package reports. Ginkgo runs one suite per process, so conform is tested by
// building this binary and running it. Load drives the order status API through package load,
// against --target or the reference implementation, and writes the result through reports.
//
// Exit codes: 0 success, 1 findings (an error finding, a failed check or spec), 2 usage or
// unreadable input (every error printed, one "jpcheck: " line each), 3 target unreachable, 4
// load could not judge (a failed check voided by generator lag, or an unthrottled run), 130
// interrupted (conform and load write the partial result first). This package wires the library
// packages together; it holds no contract logic of its own.
package main
