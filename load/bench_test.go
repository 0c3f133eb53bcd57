package load

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
)

// BenchmarkLoadUnthrottled measures the generator's own ceiling: 64 connections back to back
// against an in-process server that answers a valid order at once, with the contract check
// on every response and off. The server shares the machine, so this is a floor for what a
// remote target would see.
func BenchmarkLoadUnthrottled(b *testing.B) {
	serve := orderHandler(b)
	url := handlerServer(b, func(w http.ResponseWriter, _ *http.Request) { serve(w) })
	for _, sample := range []float64{0, 1} {
		b.Run(fmt.Sprintf("validate=%v", sample), func(b *testing.B) {
			cfg := Config{Target: url, OrderIDs: []string{testOrderID}, Workers: 64, Duration: time.Second,
				ValidateSample: sample, Set: mustSet(b), Profile: contracts.ProfileStrict}
			var requests, validated, skipped int64
			var elapsed time.Duration
			for b.Loop() {
				res, err := Run(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				if res.Errors.Count != 0 {
					b.Fatalf("errors %+v", res.Errors)
				}
				requests += res.Requests
				validated += res.Validation.Validated
				skipped += res.Validation.Skipped
				elapsed += time.Duration(res.DurationMS * float64(time.Millisecond))
			}
			b.ReportMetric(float64(requests)/elapsed.Seconds(), "req/s")
			if sample > 0 {
				b.ReportMetric(float64(validated)/float64(max(requests, 1)), "validated/req")
				b.ReportMetric(float64(skipped)/float64(max(requests, 1)), "skipped/req")
			}
		})
	}
}

// BenchmarkValidatorCheck is one validator's cost per body: a body seen before (the cache)
// and one never seen (a full contract check).
func BenchmarkValidatorCheck(b *testing.B) {
	body := orderBody(b)
	for _, c := range []struct {
		name   string
		cached bool
	}{{"cached", true}, {"uncached", false}} {
		b.Run(c.name, func(b *testing.B) {
			vs := &validators{set: mustSet(b), profile: contracts.ProfileStrict}
			w := &validator{cache: map[string]*checked{}, byKind: map[string]int64{}}
			for b.Loop() {
				if !c.cached {
					clear(w.cache)
					w.cacheBytes = 0
				}
				w.check(vs, body)
			}
			if w.failed != 0 {
				b.Fatalf("the mock's order failed: %+v", w.findings.list())
			}
		})
	}
}
