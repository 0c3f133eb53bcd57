package load

import (
	"runtime"
	"testing"
	"time"
)

// What counts as meeting the SLO in a capacity search: a pass; an inconclusive run with no
// failed check unless a conclusive verdict is required; never a voided fail.
func TestCapacityMet(t *testing.T) {
	slo := DefaultSLO()
	fast := withTail(20000, 0, 5, 0)
	short := Evaluate(slo, fast, Counts{Requests: 20000}, EvalOptions{}) // TP99.99 undecided
	voided := Evaluate(slo, withTail(20000, 400, 5, 400), Counts{Requests: 20000}, EvalOptions{GeneratorLimited: "lag"})
	undecided := short
	undecided.Outcome, undecided.Pass = OutcomeInconclusive, false
	for _, c := range []struct {
		name    string
		v       Verdict
		require bool
		want    bool
	}{
		{"pass, undecided checks", short, false, true},
		{"inconclusive, nothing failed", undecided, false, true},
		{"inconclusive, conclusive required", undecided, true, false},
		{"a fail voided by lag", voided, false, false},
		{"nothing sent", Evaluate(slo, exact{}, Counts{}, EvalOptions{}), false, false},
	} {
		if got := met(c.v, c.require); got != c.want {
			t.Errorf("%s: met %v, want %v", c.name, got, c.want)
		}
	}
	if stopReason(CapacityStep{Verdict: OutcomeInconclusive, Failed: []string{"TP99"}}) != StoppedByGenerator ||
		stopReason(CapacityStep{Verdict: OutcomeFail, Failed: []string{"errors"}}) != StoppedBySLO ||
		stopReason(CapacityStep{Verdict: OutcomeFail}) != StoppedByInconclusive {
		t.Error("stop reasons")
	}
}

func TestCapacityDefaults(t *testing.T) {
	if r := DefaultResolution(400, 400); r != 50 {
		t.Errorf("resolution for steps of 400/s: %v, want 50", r)
	}
	if r := DefaultResolution(10, 1000); r != 20 {
		t.Errorf("resolution from 1000/s by 10: %v, want 2%% of the start, 20", r)
	}
	if w := DefaultWarmup(2 * time.Second); w != 400*time.Millisecond {
		t.Errorf("warm-up of a 2 s step: %v", w)
	}
	if w := DefaultWarmup(time.Minute); w != 5*time.Second {
		t.Errorf("warm-up of a minute's step: %v, want the 5 s cap", w)
	}
	if got := roundRate(1437.5, 50); got != 1438 {
		t.Errorf("roundRate(1437.5, 50) = %v", got)
	}
}

// The hiccup meter sees a stall of the process: with one P, a goroutine spinning without a
// call holds the CPU until the runtime preempts it (about 10 ms), and the meter wakes that late.
func TestHiccupMeterSeesAStall(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	m := startHiccupMeter()
	time.Sleep(20 * time.Millisecond)
	deadline := time.Now().Add(100 * time.Millisecond)
	x := 0
	for time.Now().Before(deadline) {
		x++
	}
	time.Sleep(5 * time.Millisecond)
	h := m.stop()
	if h.TotalCount() == 0 || h.Max() < 5000 {
		t.Errorf("hiccups: %d samples, max %d µs; want the stall (at least 5 ms) seen (%d)", h.TotalCount(), h.Max(), x)
	}
}
