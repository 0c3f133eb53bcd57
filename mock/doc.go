// Package mock is a stateful Juspay-compatible reference implementation: orders, test-mode
// payments, refunds and their outcomes, mandates and pre-debit notifications, encrypted order
// status and V4 calls, offers, Twid rewards, webhooks and a test clock, all in memory.
// It is the default target of jpcheck's suites and load tests and a sandbox stand-in payment
// teams run in their own CI.
//
// Every response and webhook it emits validates under the strict profile of the specs. It
// never panics on input: bodies and headers are bounded and every handler answers with a
// documented error body. It must not import the suites, load or reports packages.
package mock
