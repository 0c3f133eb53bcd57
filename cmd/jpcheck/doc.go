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
//	jpcheck version
//
// Exit codes: 0 success, 1 findings (an error finding, a failed check), 2 usage or unreadable
// input, 3 target unreachable. This package wires the library packages together; it holds no
// contract logic of its own.
package main
