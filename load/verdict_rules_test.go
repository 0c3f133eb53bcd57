package load

import (
	"slices"
	"strings"
	"testing"
)

func checkNamed(t *testing.T, v Verdict, name string) Check {
	t.Helper()
	for _, ch := range v.Checks {
		if ch.Name == name {
			return ch
		}
	}
	t.Fatalf("no check %s in %+v", name, v.Checks)
	return Check{}
}

// Fast failures must not make the percentiles look better: 2% of 40,000 requests failing at
// once, the rest at 5 ms, fails TP99 (the failures rank slower than its limit) and the errors
// check, while TP50 still passes.
func TestEvaluateRanksFailuresSlowerThanEveryLimit(t *testing.T) {
	ok := withTail(39200, 0, 5, 0)
	v := Evaluate(DefaultSLO(), ok, Counts{Requests: 40000, Failed: 800, Over1000: 800, Over2000: 800}, EvalOptions{})
	if v.Pass || v.Outcome != OutcomeFail {
		t.Fatalf("verdict %s (pass %v), want fail: %v", v.Outcome, v.Pass, v.Reasons)
	}
	for name, want := range map[string]string{
		CheckTP50: OutcomePass, CheckTP90: OutcomePass, CheckTP99: OutcomeFail, CheckTP999: OutcomeFail,
		CheckTP9999: OutcomeFail, CheckTimeout1000: OutcomeFail, CheckErrors: OutcomeFail,
	} {
		if ch := checkNamed(t, v, name); ch.Result != want {
			t.Errorf("%s: %s, want %s (%+v)", name, ch.Result, want, ch)
		}
	}
	tp99 := checkNamed(t, v, CheckTP99)
	if !tp99.ObservedFailed || tp99.ObservedMS != nil {
		t.Errorf("TP99 observed %v (failed %v), want on a failed request", tp99.ObservedMS, tp99.ObservedFailed)
	}
	if e := checkNamed(t, v, CheckErrors); *e.ObservedFraction != 0.02 || *e.LimitFraction != DefaultErrorsMaxFraction || e.LimitMS != nil {
		t.Errorf("errors check %+v", e)
	}
	if !slices.Contains(v.Reasons, "errors failed") || !slices.Contains(v.Reasons, "TP99 failed") {
		t.Errorf("reasons %q", v.Reasons)
	}
	// The same latencies without the failures pass every check that can be decided.
	clean := Evaluate(DefaultSLO(), withTail(40000, 0, 5, 0), Counts{Requests: 40000}, EvalOptions{})
	if !clean.Pass {
		t.Errorf("no failures: %v", clean.Reasons)
	}
}

// The errors check's limit is the SLO's: a looser budget lets 2% through.
func TestEvaluateErrorBudgetFromSLO(t *testing.T) {
	slo := DefaultSLO()
	slo.ErrorsMaxFraction = 0.05
	v := Evaluate(slo, withTail(9800, 0, 5, 0), Counts{Requests: 10000, Failed: 200, Over1000: 200, Over2000: 200}, EvalOptions{})
	if ch := checkNamed(t, v, CheckErrors); ch.Result != OutcomePass {
		t.Errorf("2%% against a 5%% budget: %+v", ch)
	}
}

// Generator lag only adds to latencies: it voids a fail (inconclusive, with the reason) and
// leaves a pass alone.
func TestEvaluateLagVoidsOnlyAFail(t *testing.T) {
	slo := DefaultSLO()
	failing := Evaluate(slo, withTail(20000, 400, 5, 400), Counts{Requests: 20000}, EvalOptions{GeneratorLimited: "lag p99 30 ms"})
	if failing.Outcome != OutcomeInconclusive || failing.Pass || failing.Conclusive || !failing.GeneratorLimited {
		t.Errorf("failing and lagging: %+v", failing)
	}
	if !slices.ContainsFunc(failing.Reasons, func(r string) bool { return strings.Contains(r, "voided") && strings.Contains(r, "lag p99 30 ms") }) {
		t.Errorf("reasons %q do not say the fail was voided and why", failing.Reasons)
	}
	if ch := checkNamed(t, failing, CheckTP99); ch.Result != OutcomeFail {
		t.Errorf("the check itself is still reported as measured: %+v", ch)
	}
	passing := Evaluate(slo, withTail(40000, 0, 5, 0), Counts{Requests: 40000}, EvalOptions{GeneratorLimited: "lag p99 30 ms"})
	if passing.Outcome != OutcomePass || !passing.Pass || !passing.Conclusive || !passing.GeneratorLimited {
		t.Errorf("passing and lagging: %+v", passing)
	}
}

// An unthrottled run is reported but never judged.
func TestEvaluateNotJudged(t *testing.T) {
	v := Evaluate(DefaultSLO(), withTail(40000, 0, 5, 0), Counts{Requests: 40000}, EvalOptions{NotJudged: "unthrottled"})
	if v.Outcome != OutcomeNotJudged || v.Pass || v.Conclusive {
		t.Errorf("verdict %+v", v)
	}
	for _, ch := range v.Checks {
		if ch.Result != OutcomeNotJudged || ch.Pass != nil {
			t.Errorf("%s: %s %v, want not_judged", ch.Name, ch.Result, ch.Pass)
		}
		if ch.LimitFraction == nil && ch.ObservedMS == nil {
			t.Errorf("%s: the measurement is still reported", ch.Name)
		}
	}
}

// batches makes n batches of per requests, the over-TP99 requests (and, for the errors check,
// failures) either spread evenly or all in a few batches.
func batchesOf(n int, per int64, over []int64) []Batch {
	var bs []Batch
	for i := range n {
		o := over[i%len(over)]
		bs = append(bs, Batch{Requests: per, Over: []int64{o, o, o, 0, 0, 0, 0}})
	}
	return bs
}

// Latency under load comes in clusters: the same 0.5% over TP99's limit is a clear pass when
// spread evenly over 40 seconds, and not decided when it all came in 4 bad seconds; the
// effective sample size says by how much.
func TestEvaluateBatchMeansWidenClusteredIntervals(t *testing.T) {
	slo := DefaultSLO()
	lat := withTail(40000, 200, 5, 400) // 0.5% over 351.85 ms
	c := Counts{Requests: 40000}
	even := Evaluate(slo, lat, c, EvalOptions{Batches: batchesOf(40, 1000, []int64{5})})
	clustered := make([]int64, 40)
	for i := range 4 {
		clustered[i*10] = 50
	}
	bunched := Evaluate(slo, lat, c, EvalOptions{Batches: batchesOf(40, 1000, clustered)})
	none := Evaluate(slo, lat, c, EvalOptions{})
	ev, bu, no := checkNamed(t, even, CheckTP99), checkNamed(t, bunched, CheckTP99), checkNamed(t, none, CheckTP99)
	if no.Result != OutcomePass || ev.Result != OutcomePass || no.EffectiveRequests != 40000 {
		t.Fatalf("independent or even: %+v / %+v", no, ev)
	}
	if bu.Result != OutcomeInconclusive || bu.EffectiveRequests >= 40000/10 {
		t.Errorf("clustered: %+v, want inconclusive on under a tenth of the requests", bu)
	}
	if !(bu.CI[1] > no.CI[1]) || bu.CI[0] > no.CI[0] {
		t.Errorf("clustered interval %v is not wider than the independent %v", bu.CI, no.CI)
	}
	if bu.Decide <= 40000 {
		t.Errorf("requests_to_decide %d, want more than were sent", bu.Decide)
	}
	// Too few batches say nothing about the variance: the binomial interval stands.
	few := Evaluate(slo, lat, c, EvalOptions{Batches: batchesOf(minBatches-1, 4444, []int64{200, 0})})
	if ch := checkNamed(t, few, CheckTP99); ch.EffectiveRequests != 40000 {
		t.Errorf("%d batches: effective %d", minBatches-1, ch.EffectiveRequests)
	}
}
