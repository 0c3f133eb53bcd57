package load

import (
	"context"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// knownDelay is a latency distribution fixed by sequence number: of every 100 requests, 80
// take 2 ms, 14 take 20 ms and 6 take 150 ms. The true p50 is 2 ms, p90 20 ms, p99 150 ms,
// each inside its group, not on a boundary.
func knownDelay(seq uint64) time.Duration {
	switch i := seq % 100; {
	case i < 80:
		return 2 * time.Millisecond
	case i < 94:
		return 20 * time.Millisecond
	}
	return 150 * time.Millisecond
}

// within checks a reported percentile against the bound [true, 1.1×true + 3 ms].
func within(t *testing.T, name string, got, trueMS float64) {
	t.Helper()
	if got < trueMS || got > 1.1*trueMS+3 {
		t.Errorf("%s = %.3f ms, want within [%.3f, %.3f]", name, got, trueMS, 1.1*trueMS+3)
	}
}

func TestRunKnownDistribution(t *testing.T) {
	target, _ := mockServer(t, knownDelay)
	res := runPaced(t, baseConfig(t, target, 100, 4*time.Second))
	within(t, "p50", res.LatencyMS.P50, 2)
	within(t, "p90", res.LatencyMS.P90, 20)
	within(t, "p99", res.LatencyMS.P99, 150)
	if res.Requests < 395 || res.Requests > 405 {
		t.Errorf("requests %d, want about 400", res.Requests)
	}
	if res.Errors.Count != 0 {
		t.Errorf("errors %+v; findings %+v", res.Errors, res.Validation.Findings)
	}
	if res.Validation.Validated+res.Validation.Skipped != res.Requests || res.Validation.Failed != 0 {
		t.Errorf("validation %+v of %d requests", res.Validation, res.Requests)
	}
	if res.Mode != "constant" || res.Rate.Requested != 100 || math.Abs(res.Rate.Achieved-100) > 5 {
		t.Errorf("mode %s rate %+v", res.Mode, res.Rate)
	}
	// A passing profile: the document's SLO, far above this server. 400 requests decide TP50,
	// TP90 and TP99 but not TP99.99 or the budgets, which leaves the verdict passing and
	// inconclusive.
	if !res.SLO.Pass || res.SLO.Conclusive || res.Generator.Limited {
		t.Errorf("verdict %+v, generator %+v", res.SLO, res.Generator)
	}
	for _, ch := range res.SLO.Checks[:3] {
		if ch.Pass == nil || !*ch.Pass {
			t.Errorf("%s: %s, want pass", ch.Name, verdictOf(ch.Pass))
		}
	}
	tp9999 := res.SLO.Checks[4]
	if tp9999.Pass != nil || tp9999.Decide == 0 {
		t.Errorf("TP99.99 of 400 requests: %s, decide %d", verdictOf(tp9999.Pass), tp9999.Decide)
	}
	if res.Histogram == nil || res.Histogram.TotalCount() != res.Requests || res.HistogramHDR == "" {
		t.Errorf("histogram missing or short")
	}
	if len(res.Series) < 2 {
		t.Errorf("series %+v", res.Series)
	}
	t.Logf("latency %+v generator %+v", res.LatencyMS, res.Generator)
}

func TestRunTP99Breach(t *testing.T) {
	target, _ := mockServer(t, knownDelay)
	cfg := baseConfig(t, target, 100, 3*time.Second)
	cfg.SLO = DefaultSLO()
	cfg.SLO.TP99MS = 100 // 6% of requests take 150 ms
	res := runPaced(t, cfg)
	tp99 := res.SLO.Checks[2]
	if tp99.Name != CheckTP99 || tp99.Pass == nil || *tp99.Pass {
		t.Fatalf("TP99 %s (%+v), want fail", verdictOf(tp99.Pass), tp99)
	}
	if res.SLO.Pass {
		t.Errorf("verdict passes with TP99 failed: %+v", res.SLO)
	}
	if tp99.CI[0] <= 100 {
		t.Errorf("TP99 failed but its CI %v reaches the limit", tp99.CI)
	}
}

func TestRunTimeoutBudgetBreach(t *testing.T) {
	// 2% of requests take 2.5 s against the 2 s client timeout.
	target, _ := mockServer(t, func(seq uint64) time.Duration {
		if seq%50 == 7 {
			return 2500 * time.Millisecond
		}
		return time.Millisecond
	})
	cfg := baseConfig(t, target, 100, 3*time.Second)
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := res.Errors.ByKind[ErrorTimeout]
	if n < 5 || n > 7 || res.Errors.Count != n {
		t.Errorf("errors %+v, want 6 timeouts only", res.Errors)
	}
	if res.Timeouts.Over2000ms.Count != n || res.Timeouts.Over1000ms.Count != n {
		t.Errorf("timeouts %+v, want every timed-out request over both budgets", res.Timeouts)
	}
	for _, ch := range res.SLO.Checks[5:] {
		if ch.Pass == nil || *ch.Pass {
			t.Errorf("%s: %s, want fail (%+v)", ch.Name, verdictOf(ch.Pass), ch)
		}
	}
	if res.SLO.Pass {
		t.Error("verdict passes with the budgets blown")
	}
	// A timed-out request is a failure, not a latency: none is near the timeout.
	if res.LatencyMS.Max >= 2000 {
		t.Errorf("max %.1f ms: a timed-out request was recorded as a latency", res.LatencyMS.Max)
	}
}

// A server that stalls for a second once: requests sent meanwhile wait, and at a constant
// rate about a third of the run is spent in or behind the stall.
func TestRunCoordinatedOmission(t *testing.T) {
	var stall sync.RWMutex
	var once sync.Once
	var n atomic.Uint64
	writeOrder := orderHandler(t)
	url := handlerServer(t, func(w http.ResponseWriter, r *http.Request) {
		if seqOf(r, &n) == 100 {
			once.Do(func() {
				stall.Lock()
				time.Sleep(time.Second)
				stall.Unlock()
			})
		}
		stall.RLock()
		stall.RUnlock()
		writeOrder(w)
	})
	cfg := baseConfig(t, url, 100, 3*time.Second)
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// About 100 requests fall in the stall, waiting 1000, 990, … 10 ms: of 300, the p99 (3rd
	// slowest) is about 980 ms and the p90 (30th slowest) about 710 ms.
	if res.LatencyMS.P99 < 900 || res.LatencyMS.P90 < 600 {
		t.Errorf("latency %+v hides the stall", res.LatencyMS)
	}
	if res.Errors.Count != 0 {
		t.Errorf("errors %+v", res.Errors)
	}
}
