// Package load is jpcheck's load generator: it drives the order status API
// (GET /orders/{order_id}, or the encrypted POST /v4/order-status) at an open-model rate with
// vegeta as a library, checks the answers against the order-status contract while under load,
// and judges the latencies against an SLO with confidence intervals.
//
// Latency is measured from each request's intended send time, so a generator that stalls
// cannot hide the wait (coordinated omission), and it goes into HDR histograms, so memory stays
// flat however long the run: no per-request result is kept. vegeta's own percentiles (a
// t-digest, off by 7-40% at TP99.9 and TP99.99) are never used.
//
// It does no printing, reads no files and never exits: the CLI decides what a Result means
// for the exit code and how it is written.
package load
