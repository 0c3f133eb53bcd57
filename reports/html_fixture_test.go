package reports

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/load"
)

// Customer data the page fixture carries, to see it masked.
const (
	pageEmail = "priya.sharma@example.com"
	pagePhone = "9876543210"
)

// htmlRun is a run with every area, a failing spec, findings of each shape, a hostile message,
// customer data, coverage, errata, history and a load run whose histogram holds n latencies
// with a heavy tail (TP99.9 fails, TP50 passes).
func htmlRun(tb testing.TB, n int) *Run {
	tb.Helper()
	start := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
	p99 := func(v float64) *float64 { return &v }
	return &Run{
		Version: Version, Target: "http://127.0.0.1:8080", Profile: "strict", StartedAt: start, DurationMS: 312,
		Environment: Environment{Target: "http://127.0.0.1:8080", SpecVersion: "2026-02 (Juspay docs snapshot)",
			SpecDigest: "sha256:9f2c4e1a7b3d5c6e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcd", JpcheckVersion: "v0.6.0-test",
			Time: start, Profile: "strict"},
		Specs: []Spec{
			{Name: "order status card returns the order satisfying the order-status contract", Labels: []string{"order-status"}, State: StatePassed, DurationMS: 12},
			{Name: "order status netbanking returns the order satisfying the order-status contract", Labels: []string{"order-status"}, State: StateFailed, DurationMS: 9,
				Message: "GET /orders/JPAYNEW032 does not satisfy order-status:\n  /status_id: status_id 27 does not match status CHARGED\n  customer_email: " + pageEmail + "\n  customer_phone: " + pagePhone},
			{Name: "v4 order status decrypts the <encrypted> answer", Labels: []string{"v4"}, State: StateSkipped, Message: "no fixture for scenario v4/order-status"},
			{Name: "webhooks order succeeded is delivered", Labels: []string{"webhooks", "flows"}, State: StatePassed, DurationMS: 840},
			{Name: "offers list offers answers the documented shape", Labels: []string{"offers"}, State: StatePassed, DurationMS: 4},
			{Name: "rewards eligibility answers the documented shape", Labels: []string{"rewards"}, State: StatePassed, DurationMS: 5},
			{Name: "errors not found answers the documented body", Labels: []string{"errors"}, State: StatePassed, DurationMS: 3},
			{Name: "errors hostile <script>alert('spec')</script> message", Labels: []string{"errors"}, State: StateFailed, DurationMS: 2,
				Message: "<script>alert(1)</script> & <img src=x onerror=alert(2)>"},
			{Name: "flows refund then order status agree", Labels: []string{"flows"}, State: StatePassed, DurationMS: 31},
		},
		Findings: []Finding{
			{Spec: "errors not found answers the documented body", Pointer: "/error_message", Rule: "undeclared", Severity: contracts.SeverityWarning,
				Message: "field error_message is not declared", Request: "GET /orders/jpcheck_no_such_order"},
			{Spec: "order status netbanking returns the order satisfying the order-status contract", Pointer: "/status_id", Rule: "invariant.status-id", Severity: contracts.SeverityError,
				Message: "status_id 27 does not match status CHARGED (CHARGED is 21)", Request: "GET /orders/JPAYNEW032", Expected: "21", Actual: "27"},
			{Spec: "errors hostile <script>alert('spec')</script> message", Pointer: "", Rule: "json", Severity: contracts.SeverityError,
				Message: "<script>alert(1)</script> & more", Request: "GET /orders/<x>"},
			{Spec: "webhooks order succeeded is delivered", Pointer: "/content/order/status", Rule: "consistency.webhook-order", Severity: contracts.SeverityWarning,
				Message: "webhook says CHARGED, order status says PENDING_VBV", Request: "webhook ORDER_SUCCEEDED evt_V2_1 #1",
				RelatedRequest: "GET /orders/o1", RelatedPointer: "/status", Expected: "CHARGED", Actual: "PENDING_VBV"},
			{Spec: "order status netbanking returns the order satisfying the order-status contract", Pointer: "/customer_email", Rule: "format", Severity: contracts.SeverityError,
				Message: "customer_email " + pageEmail + " is not the order's", Request: "GET /orders/JPAYNEW032", Expected: "a***@example.com", Actual: pageEmail},
		},
		Coverage: NewCoverage([]contracts.SchemaCoverage{
			{Schema: "Order", Spec: "order-status.yaml#/components/schemas/Order", Fields: []contracts.FieldCoverage{
				{Field: "order_id", Source: "order-status § Response Parameters › order_id", Seen: 2, Checked: 2},
				{Field: "status_id", Source: "order-status § Response Parameters › status_id", Seen: 2, Checked: 2, Failed: 1},
				{Field: "customer_email", Source: "order-status § Response Parameters › customer_email", Seen: 2, Checked: 2, Failed: 1},
				{Field: "udf1", Source: "order-status § Response Parameters › udf1"},
			}},
			{Schema: "Offer", Spec: "offers.yaml#/components/schemas/Offer", Fields: []contracts.FieldCoverage{
				{Field: "offer_id", Source: "offers § List Offers › offer_id", Seen: 1, Checked: 1},
				{Field: "offer_code", Source: "offers § List Offers › offer_code"},
			}},
		}),
		Errata: []Erratum{
			{Kind: "error", Document: "order-status", Section: "V4 - JWE/JWT Encrypted › Raw - Mandate + TPV", Example: "order-status-v4-raw-mandate-tpv.json",
				Pointer: "/status_id", Rule: "invariant.status-id", Message: "status_id 27 does not match status CHARGED (CHARGED is 21)"},
			{Kind: "quirk", Document: "order-status", Section: "Sample Response › Card", Example: "order-status-card.json",
				Pointer: "/txn_detail/txn_amount_breakup", Rule: "quirk.json-string", Message: "expected array, got a string holding JSON (quirk json-string)"},
			{Kind: "spec", Document: "order-status § Response Parameters", Section: "order-status.yaml#/components/schemas/Order/properties/status_id",
				Message: "the field table says string; every sample has an integer"},
			{Kind: "repaired", Document: "webhooks", Section: "Refund Webhooks", Example: "webhook-refund.json", Message: "the sample needed repair to be a JSON payload",
				Repairs: []string{"removed a trailing comma"}},
		},
		History: []HistoryPoint{
			{StartedAt: start.Add(-72 * time.Hour), Verdict: VerdictPass, Specs: 9, Passed: 8, Skipped: 1, P99MS: p99(48.2), Target: "http://127.0.0.1:8080"},
			{StartedAt: start.Add(-48 * time.Hour), Verdict: VerdictFail, Specs: 9, Passed: 6, Failed: 2, Skipped: 1, P99MS: p99(71.9), Target: "http://127.0.0.1:8080"},
			{StartedAt: start.Add(-24 * time.Hour), Verdict: VerdictInconclusive, Specs: 9, Passed: 0, Skipped: 9, Target: "http://127.0.0.1:8080"},
		},
		Load: fixtureLoad(n, start),
	}
}

// fixtureLoad is a constant-rate run of n requests at 1000 req/s: a log-normal body around
// 14 ms and 0.3% of requests between 400 and 1500 ms.
func fixtureLoad(n int, start time.Time) *load.Result {
	h := hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	rng := rand.New(rand.NewPCG(6, 1))
	var over1000, over2000 int64
	for range n {
		us := 14000 * math.Exp(0.55*rng.NormFloat64())
		if rng.Float64() < 0.003 {
			us = 400_000 + 1_100_000*rng.Float64()
		}
		if us > 1_000_000 {
			over1000++
		}
		if us > 2_000_000 {
			over2000++
		}
		_ = h.RecordValue(max(1, int64(us)))
	}
	slo := load.DefaultSLO()
	verdict := load.Evaluate(slo, load.HistogramSample(h), load.Counts{Requests: int64(n), Over1000: over1000, Over2000: over2000}, load.EvalOptions{})
	seconds := max(1, n/1000)
	series := make([]load.Point, 0, seconds)
	for i := 1; i <= seconds; i++ {
		p := 55 + 10*math.Sin(float64(i)/9) + 4*rng.Float64()
		if i%37 == 0 {
			p = 420 + 200*rng.Float64()
		}
		series = append(series, load.Point{T: float64(i), Width: 1, Requested: 1000, Rate: 1000 - 8*rng.Float64(), P99MS: p})
	}
	ms := func(q float64) float64 { return float64(h.ValueAtPercentile(q)) / 1000 }
	return &load.Result{
		Version: load.ResultVersion, Target: "http://127.0.0.1:8080", Endpoint: load.EndpointOrderStatus, Mode: "constant",
		Requests: int64(n), Rate: load.Rate{Requested: 1000, Achieved: 997.4},
		LatencyMS: load.Latency{P50: ms(50), P90: ms(90), P99: ms(99), P999: ms(99.9), P9999: ms(99.99), Max: float64(h.Max()) / 1000},
		Errors:    load.Errors{Count: 12, ByKind: map[string]int64{load.ErrorTimeout: 3, load.ErrorStatus5xx: 9}},
		Timeouts: load.Timeouts{Over1000ms: load.Budget{Count: over1000, Fraction: float64(over1000) / float64(n)},
			Over2000ms: load.Budget{Count: over2000, Fraction: float64(over2000) / float64(n)}},
		SLO: verdict, StartedAt: start, DurationMS: float64(seconds) * 1000, Workers: 64, TimeoutMS: 30000,
		Generator:  load.Generator{LagP99MS: 0.42, LagMaxMS: 3.1, MaxWorkers: 512},
		Validation: load.Validation{Sample: 0.01, Validated: int64(n / 100), Findings: []load.FindingSample{{Pointer: "/udf1", Rule: "undeclared", Severity: "warning", Message: "field udf9 is not declared <b>", Count: 4}}},
		Series:     series,
		Histogram:  h,
	}
}

// bigRun is the benchmark's run: specs in every area, mixed states, a finding on every
// failed spec, and a load run of requests latencies.
func bigRun(tb testing.TB, specs, requests int) *Run {
	tb.Helper()
	r := htmlRun(tb, requests)
	states := []string{StatePassed, StatePassed, StatePassed, StateFailed, StateSkipped}
	r.Specs, r.Findings = nil, nil
	for i := range specs {
		s := Spec{Name: fmt.Sprintf("%s spec %04d answers the documented shape for its scenario", areaOrder[i%len(areaOrder)], i),
			Labels: []string{areaOrder[i%len(areaOrder)]}, State: states[i%len(states)], DurationMS: int64(i % 97)}
		switch s.State {
		case StateFailed:
			s.Message = fmt.Sprintf("GET /orders/ord_%d does not satisfy order-status:\n  /status_id: status_id 27 does not match status CHARGED\n  /amount: expected number", i)
			for j := range 2 {
				r.Findings = append(r.Findings, Finding{Spec: s.Name, Pointer: fmt.Sprintf("/txn_list/%d/status_id", j), Rule: "invariant.status-id",
					Severity: contracts.SeverityError, Message: "status_id 27 does not match status CHARGED (CHARGED is 21)",
					Request: fmt.Sprintf("GET /orders/ord_%d", i), Expected: "21", Actual: "27"})
			}
		case StateSkipped:
			s.Message = "no fixture for scenario " + areaOrder[i%len(areaOrder)]
		}
		r.Specs = append(r.Specs, s)
	}
	var schemas []contracts.SchemaCoverage
	for i := range 40 {
		sc := contracts.SchemaCoverage{Schema: fmt.Sprintf("Schema%02d", i), Spec: fmt.Sprintf("order-status.yaml#/components/schemas/Schema%02d", i)}
		for j := range 30 {
			sc.Fields = append(sc.Fields, contracts.FieldCoverage{Field: fmt.Sprintf("field_%02d", j), Source: "order-status § Response Parameters",
				Seen: j % 3, Checked: j % 3, Failed: boolInt(j == 7)})
		}
		schemas = append(schemas, sc)
	}
	r.Coverage = NewCoverage(schemas)
	return r
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
