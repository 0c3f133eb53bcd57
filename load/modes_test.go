package load

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestRunCancelReturnsPartialResult(t *testing.T) {
	target, _ := mockServer(t, nil)
	cfg := baseConfig(t, target, 100, time.Minute)
	var mu sync.Mutex
	var progress []Progress
	cfg.Progress = func(p Progress) {
		mu.Lock()
		progress = append(progress, p)
		mu.Unlock()
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1500*time.Millisecond, cancel)
	start := time.Now()
	res, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("a canceled run took %s to return", d)
	}
	if !res.Aborted || res.Requests < 100 || res.Requests > 200 {
		t.Errorf("aborted %v after %d requests, want true and about 150", res.Aborted, res.Requests)
	}
	// The rate is judged over the time it ran, not the minute it was meant to.
	if math.Abs(res.Rate.Achieved-100) > 10 || res.Generator.Dropped != 0 {
		t.Errorf("rate %+v, generator %+v", res.Rate, res.Generator)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(progress) == 0 {
		t.Fatal("no progress reported in 1.5 s")
	}
	p := progress[0]
	if p.Total != time.Minute || p.Elapsed < 900*time.Millisecond || p.Requests < 80 || p.Requested != 100 || p.Rate < 80 {
		t.Errorf("progress %+v", p)
	}
}

func TestRunRamp(t *testing.T) {
	target, _ := mockServer(t, nil)
	cfg := baseConfig(t, target, 0, 0)
	cfg.Ramp = &Ramp{From: 20, To: 60, Step: 20, StepDuration: 700 * time.Millisecond}
	res := runPaced(t, cfg)
	// 0.7 s at 20, 40 and 60 per second: 14 + 28 + 42 = 84 requests over 2.1 s.
	if res.Mode != "ramp" || res.Requests < 80 || res.Requests > 88 {
		t.Errorf("mode %s, %d requests, want ramp and about 84", res.Mode, res.Requests)
	}
	if math.Abs(res.Rate.Requested-40) > 2 || res.Ramp == nil || res.Ramp.StepDuration != 700*time.Millisecond {
		t.Errorf("rate %+v ramp %+v", res.Rate, res.Ramp)
	}
	if res.Errors.Count != 0 || res.Generator.Limited {
		t.Errorf("errors %+v generator %+v", res.Errors, res.Generator)
	}
	// The verdict judges the final hold only, and each step reports its own percentiles.
	if len(res.Steps) != 3 || !res.Steps[2].Judged || res.Steps[0].Judged || res.Steps[1].Judged {
		t.Fatalf("steps %+v, want three with the last judged", res.Steps)
	}
	var sum int64
	for i, s := range res.Steps {
		sum += s.Requests
		if s.Rate != []float64{20, 40, 60}[i] || s.Requests == 0 || s.LatencyMS.P50 <= 0 {
			t.Errorf("step %d: %+v", i, s)
		}
	}
	if last := res.Steps[2]; res.SLO.Requests != last.Requests || res.Histogram.TotalCount() != last.Requests || sum != res.Requests {
		t.Errorf("judged %d, histogram %d, want the final hold's %d (steps sum to %d of %d)",
			res.SLO.Requests, res.Histogram.TotalCount(), last.Requests, sum, res.Requests)
	}
	// The ramp's duration may also come from the run's, split among the steps.
	cfg.Ramp = &Ramp{From: 50, To: 100, Step: 50}
	cfg.Duration = time.Second
	res = runPaced(t, cfg)
	if res.Ramp.StepDuration != 500*time.Millisecond || res.Requests < 72 || res.Requests > 78 {
		t.Errorf("split ramp: %+v, %d requests, want 500ms steps and about 75", res.Ramp, res.Requests)
	}
}

func TestRunUnthrottled(t *testing.T) {
	target, _ := mockServer(t, nil)
	cfg := baseConfig(t, target, 0, 500*time.Millisecond)
	cfg.Workers = 4
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != "unthrottled" || res.Requests == 0 || res.Rate.Requested != 0 || res.Rate.Achieved <= 0 {
		t.Errorf("mode %s requests %d rate %+v", res.Mode, res.Requests, res.Rate)
	}
	// No schedule, so no lag and never generator-limited by it.
	if res.Generator.Limited || res.Generator.LagP99MS != 0 || res.Generator.MaxWorkers != 4 {
		t.Errorf("generator %+v", res.Generator)
	}
	if res.Errors.Count != 0 {
		t.Errorf("errors %+v", res.Errors)
	}
	// Closed-loop latency is reported but never judged, and never passes.
	if res.SLO.Outcome != OutcomeNotJudged || res.SLO.Pass || res.LatencyMS.P50 <= 0 {
		t.Errorf("slo %+v, latency %+v", res.SLO, res.LatencyMS)
	}
	for _, ch := range res.SLO.Checks {
		if ch.Result != OutcomeNotJudged {
			t.Errorf("%s: %s, want not_judged", ch.Name, ch.Result)
		}
	}
}

func TestRunV4(t *testing.T) {
	target, keys := mockServer(t, nil)
	cfg := baseConfig(t, target, 20, time.Second)
	cfg.V4 = keys
	cfg.OrderIDs = []string{testOrderID, "JP1636474794"}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Endpoint != EndpointV4OrderStatus || res.Requests < 18 {
		t.Errorf("endpoint %s, %d requests", res.Endpoint, res.Requests)
	}
	if res.Errors.Count != 0 || res.Validation.Validated+res.Validation.Skipped != res.Requests || res.Validation.Failed != 0 {
		t.Errorf("errors %+v validation %+v", res.Errors, res.Validation)
	}
	// Keys that are not the server's: every answer is a 401, or (for bodies it answers)
	// fails to open.
	other, _ := mockServer(t, nil)
	cfg.Target = other
	res, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors.Count != res.Requests || res.Errors.ByKind[ErrorStatus4xx]+res.Errors.ByKind[ErrorV4Open] != res.Requests {
		t.Errorf("wrong keys: errors %+v of %d", res.Errors, res.Requests)
	}
}

// The correction for coordinated omission, without clocks: results that went out late are
// measured from when they should have gone, and their lag marks the run generator-limited.
func TestAddMeasuresFromIntendedTime(t *testing.T) {
	cfg, err := Config{Target: "http://x", OrderIDs: []string{"o"}, Rate: 100, Duration: time.Second}.normalize()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &run{cfg: cfg, sched: constantSchedule(100), start: start, hist: newHistogram(), lag: newHistogram(), sec: newHistogram(), byKind: map[string]int64{}}
	for seq := range uint64(100) {
		sent := start.Add(r.sched.at(seq))
		if seq >= 50 {
			// The generator stalled: hits 50-99 all went out at 1.5 s.
			sent = start.Add(startOffset + 1500*time.Millisecond)
		}
		r.add(&vegeta.Result{Seq: seq, Code: 200, Timestamp: sent, Latency: time.Millisecond, Body: []byte(`{}`)})
	}
	s := HistogramSample(r.hist)
	// Hit 50 was due at 0.5 s and answered at 1.501 s: 1001 ms.
	if _, hi := s.Rank(100); math.Abs(hi-1001) > 1.001 {
		t.Errorf("slowest %.3f ms, want 1001 (intended 0.5 s, answered 1.501 s)", hi)
	}
	if _, hi := s.Rank(1); hi != 1 {
		t.Errorf("fastest %.3f ms, want 1", hi)
	}
	var g Generator
	r.judgeGenerator(&g, Rate{Requested: 100, Achieved: 100}, time.Second)
	if !g.Limited || g.LagP99MS < 900 || !strings.Contains(g.LimitedReason, "lag p99") {
		t.Errorf("generator %+v, want limited by lag", g)
	}
	// Sent on time but fewer than scheduled: dropped sends.
	var g2 Generator
	r2 := &run{cfg: cfg, sched: constantSchedule(100), start: start, hist: newHistogram(), lag: newHistogram(), sec: newHistogram(), byKind: map[string]int64{}}
	for seq := range uint64(50) {
		r2.add(&vegeta.Result{Seq: seq, Code: 200, Timestamp: start.Add(r2.sched.at(seq)), Latency: time.Millisecond})
	}
	r2.judgeGenerator(&g2, Rate{Requested: 100, Achieved: 50}, time.Second)
	if !g2.Limited || g2.Dropped < 45 || !strings.Contains(g2.LimitedReason, "never sent") || !strings.Contains(g2.LimitedReason, "95%") {
		t.Errorf("generator %+v, want about 50 dropped and the rate short", g2)
	}
}

func TestHistogramSampleBoundsTheTruth(t *testing.T) {
	h := newHistogram()
	var want exact
	for i := 1; i <= 5000; i++ {
		us := int64(i*i) % 3_000_000 // 1 µs … 3 s, scattered
		record(h, time.Duration(us)*time.Microsecond)
		want = append(want, float64(max(us, 1))/1000)
	}
	slicesSort(want)
	s := HistogramSample(h)
	for _, r := range []int64{1, 2, 100, 2500, 4900, 4999, 5000} {
		lo, hi := s.Rank(r)
		_, w := want.Rank(r)
		if lo > w || hi < w || hi > w*1.001+0.001 {
			t.Errorf("rank %d: [%.3f, %.3f] does not bound %.3f tightly", r, lo, hi, w)
		}
	}
	enc, err := (&Result{Histogram: h}).EncodeHistogram()
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeHistogram(enc)
	if err != nil {
		t.Fatal(err)
	}
	if back.TotalCount() != 5000 || back.Max() != h.Max() {
		t.Errorf("decoded %d values, max %d; want 5000, %d", back.TotalCount(), back.Max(), h.Max())
	}
	// Mergeable: two runs' histograms add up.
	if dropped := back.Merge(h); dropped != 0 || back.TotalCount() != 10000 {
		t.Errorf("merged %d (dropped %d)", back.TotalCount(), dropped)
	}
	for _, bad := range []string{"", "not base64!", "AAAA", strings.Repeat("A", MaxHistogramBytes+4)} {
		if _, err := DecodeHistogram([]byte(bad)); err == nil {
			t.Errorf("DecodeHistogram(%.10q…) accepted", bad)
		}
	}
	if _, err := (&Result{}).EncodeHistogram(); err == nil {
		t.Error("encoding a result without a histogram")
	}
}

func TestResultJSON(t *testing.T) {
	target, _ := mockServer(t, nil)
	res, err := Run(context.Background(), baseConfig(t, target, 50, 300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	// The schema, key by key.
	for _, path := range []string{
		"version", "target", "requests", "rate.requested", "rate.achieved",
		"latency_ms.p50", "latency_ms.p90", "latency_ms.p99", "latency_ms.p99.9", "latency_ms.p99.99", "latency_ms.max",
		"errors.count", "errors.by_kind", "timeouts.over_1000ms.count", "timeouts.over_1000ms.fraction",
		"timeouts.over_2000ms.count", "timeouts.over_2000ms.fraction",
		"slo.verdict", "slo.pass", "slo.conclusive", "slo.generator_limited", "slo.requests", "slo.checks", "batches",
		"generator.hiccup_p99_ms",
		"generator.lag_p99_ms", "generator.dropped", "aborted", "duration_ms", "started_at", "histogram_hdr",
	} {
		if !hasPath(m, path) {
			t.Errorf("JSON lacks %s", path)
		}
	}
	if m["version"] != 1.0 {
		t.Errorf("version %v", m["version"])
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("a Result does not read back: %v", err)
	}
	if back.Requests != res.Requests || len(back.SLO.Checks) != 8 {
		t.Errorf("read back %+v", back)
	}
}

// hasPath finds a dotted path, trying the longest key first ("latency_ms.p99.9").
func hasPath(m map[string]any, path string) bool {
	for i := len(path); i > 0; i-- {
		if i < len(path) && path[i] != '.' {
			continue
		}
		v, ok := m[path[:i]]
		if !ok {
			continue
		}
		if i == len(path) {
			return true
		}
		if sub, ok := v.(map[string]any); ok && hasPath(sub, path[i+1:]) {
			return true
		}
	}
	return false
}

func TestFindCapacity(t *testing.T) {
	// A server that answers one request at a time in 10 ms: 100 per second at most. Above
	// that its queue, and the latency, grows without bound.
	var mu sync.Mutex
	writeOrder := orderHandler(t)
	url := handlerServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		time.Sleep(10 * time.Millisecond)
		mu.Unlock()
		writeOrder(w)
	})
	cfg := baseConfig(t, url, 0, 0)
	// Steps of ~100 requests make the lag p99 their slowest send: on a busy shared machine
	// one scheduling hiccup; this test is about the server's capacity, not the generator's.
	cfg.LagLimit = 100 * time.Millisecond
	cfg.SLO = SLO{TP50MS: 60, TP90MS: 120, TP99MS: 2000, TP999MS: 2000, TP9999MS: 2000,
		Over1000MaxFraction: 0.5, Over2000MaxFraction: 0.5, Confidence: 0.95}
	res, err := FindCapacity(context.Background(), cfg, Capacity{From: 30, Step: 30, Max: 300, StepDuration: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var rates []float64
	for _, s := range res.Steps {
		rates = append(rates, s.Rate)
		if s.Result == nil || s.Result.Rate.Requested != s.Rate {
			t.Errorf("step %v: result %+v", s.Rate, s.Result)
		}
	}
	// 30 and 60 per second are served on time; 120 or more is over capacity. The climb stops
	// at the first failure, bisection narrows it to the resolution, and the best rate is run
	// once more to confirm it.
	if res.StoppedBy == StoppedByGenerator {
		// A generator starved of CPU cannot tell a real server's capacity; the search's rules
		// on a met or failed step are in capacity_test.go.
		t.Skipf("the generator fell behind its schedule on this busy machine (%s); the capacity %v says nothing", res.Reason, res.Capacity)
	}
	if res.StoppedBy != StoppedBySLO || res.Capacity < 60 || res.Capacity > 100 || res.Reason == "" {
		t.Errorf("capacity %v stopped by %s (%s) after %v", res.Capacity, res.StoppedBy, res.Reason, rates)
		for _, s := range res.Steps {
			t.Logf("%v %s: %+v %+v %v", s.Rate, s.Phase, s.Result.Generator, s.Result.LatencyMS, s.Result.SLO.Reasons)
		}
	}
	phases := map[string]int{}
	for _, s := range res.Steps {
		phases[s.Phase]++
		if s.Met && s.Rate > res.Capacity && s.Phase != PhaseConfirm {
			t.Logf("step %v met but above the capacity %v (a confirmation failed?)", s.Rate, res.Capacity)
		}
		if !s.Met && (len(s.Failed) == 0 && s.Verdict != OutcomeInconclusive || s.Reason == "") {
			t.Errorf("step %v did not meet the SLO but names no failed check or reason: %+v", s.Rate, s)
		}
		if s.Result.WarmupMS != res.WarmupMS || s.Requests != s.Result.SLO.Requests || s.Requests >= s.Result.Requests {
			t.Errorf("step %v: warm-up %v (search %v), judged %d of %d sent", s.Rate, s.Result.WarmupMS, res.WarmupMS, s.Requests, s.Result.Requests)
		}
	}
	if phases[PhaseClimb] < 3 || phases[PhaseBisect] < 1 || phases[PhaseConfirm] != 1 {
		t.Errorf("phases %v, want a climb, a bisection and one confirmation", phases)
	}
	// The confirmation reruns the best rate; when it fails (a noisy neighbour on a shared
	// machine can do that), the capacity falls back to the highest lower rate that met.
	last := res.Steps[len(res.Steps)-1]
	switch {
	case last.Phase != PhaseConfirm:
		t.Errorf("the last step %+v is not a confirmation", last)
	case last.Met && last.Rate != res.Capacity:
		t.Errorf("the confirmation of %v met, but the capacity is %v", last.Rate, res.Capacity)
	case !last.Met && !(res.Capacity < last.Rate && metAt(res.Steps, res.Capacity)):
		t.Errorf("the confirmation of %v failed, but the capacity %v is not a lower rate that met", last.Rate, res.Capacity)
	}
	for _, bad := range []Capacity{{}, {From: 10, Step: 10, Max: 5, StepDuration: time.Second}, {From: 10, Step: 10, Max: 20}} {
		if _, err := FindCapacity(context.Background(), cfg, bad); err == nil {
			t.Errorf("FindCapacity(%+v) accepted", bad)
		}
	}
}

// metAt says some step at rate met the SLO.
func metAt(steps []CapacityStep, rate float64) bool {
	for _, s := range steps {
		if s.Rate == rate && s.Met {
			return true
		}
	}
	return false
}
