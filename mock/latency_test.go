package mock

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func latencyMust(tb testing.TB, spec string) *Latency {
	tb.Helper()
	l, err := ParseLatency(spec)
	if err != nil {
		tb.Fatalf("ParseLatency(%q): %v", spec, err)
	}
	return l
}

func TestParseLatencyForms(t *testing.T) {
	tests := []struct {
		spec, want string
	}{
		{"juspay", "juspay"},
		{" JusPay ", "juspay"},
		{"25ms", "25ms"},
		{"0", "0s"},
		{"1.5s", "1.5s"},
		{"p50=20ms,p90=55ms,p99=350ms", "p50=20ms,p90=55ms,p99=350ms"},
		{"p99=350ms, p50=20ms", "p50=20ms,p99=350ms"}, // any order, spaces allowed
		{"TP99.9=594.42ms,tp50=19.8ms", "p50=19.8ms,p99.9=594.42ms"},
		{"p100=1s", "p100=1s"},
	}
	for _, tt := range tests {
		if got := latencyMust(t, tt.spec).String(); got != tt.want {
			t.Errorf("ParseLatency(%q).String() = %q, want %q", tt.spec, got, tt.want)
		}
	}
}

func TestParseLatencyErrors(t *testing.T) {
	tests := []struct {
		spec, want string // want: a part of the message
	}{
		{"", "empty"},
		{"fast", `"fast": want juspay, a duration`},
		{"25", "want juspay, a duration"},
		{"-5ms", "negative"},
		{"2h", "longer than the 1m0s limit"},
		{"p50=20ms,p50=30ms", "p50 given twice"},
		{"p50=30ms,p90=20ms", "p90=20ms is less than p50=30ms"},
		{"p0=1ms", "above 0 and at most 100"},
		{"p101=1ms", "above 0 and at most 100"},
		{"pNaN=1ms", "above 0 and at most 100"},
		{"q50=1ms", "want a percentile like p99=350ms"},
		{"p=1ms", "want a percentile like p99=350ms"},
		{"p50=abc", "want a duration like 350ms"},
		{"p50=", "want a duration like 350ms"},
		{"p50=1ms,", "want a percentile"},
		{"p99=2h", "longer than"},
	}
	for _, tt := range tests {
		l, err := ParseLatency(tt.spec)
		if err == nil {
			t.Errorf("ParseLatency(%q) = %v, want an error", tt.spec, l)
			continue
		}
		msg := err.Error()
		if !errors.Is(err, ErrLatency) || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") || strings.HasSuffix(msg, ".") {
			t.Errorf("ParseLatency(%q) error = %q, want one line wrapping ErrLatency containing %q", tt.spec, msg, tt.want)
		}
	}
}

func TestLatencyQuantileHitsTable(t *testing.T) {
	l := latencyMust(t, "juspay")
	points := []struct {
		q    float64
		want time.Duration
	}{
		{0, 0},
		{0.25, 9900 * time.Microsecond}, // halfway to TP50: linear from 0 at p0
		{0.5, 19800 * time.Microsecond},
		{0.9, 55710 * time.Microsecond},
		{0.99, 351850 * time.Microsecond},
		{0.999, 594420 * time.Microsecond},
		{0.9999, 1431420 * time.Microsecond},
		{1, 1431420 * time.Microsecond}, // flat after the last percentile
		{-1, 0},
		{2, 1431420 * time.Microsecond},
	}
	for _, p := range points {
		if got := l.Quantile(p.q); got != p.want {
			t.Errorf("juspay Quantile(%v) = %v, want %v", p.q, got, p.want)
		}
	}
	fixed := latencyMust(t, "25ms")
	for _, q := range []float64{0, 0.5, 1} {
		if got := fixed.Quantile(q); got != 25*time.Millisecond {
			t.Errorf("25ms Quantile(%v) = %v, want 25ms", q, got)
		}
	}
	list := latencyMust(t, "p50=20ms,p90=55ms,p99=350ms")
	for q, want := range map[float64]time.Duration{0.5: 20 * time.Millisecond, 0.9: 55 * time.Millisecond, 0.99: 350 * time.Millisecond, 0.7: 37500 * time.Microsecond, 1: 350 * time.Millisecond} {
		if got := list.Quantile(q); got != want {
			t.Errorf("list Quantile(%v) = %v, want %v", q, got, want)
		}
	}
	var none *Latency
	if got := none.Quantile(0.5); got != 0 {
		t.Errorf("nil Quantile = %v, want 0", got)
	}
}

// Sampling: 100k seeded draws reproduce the table's percentiles within 3 %.
func TestLatencyDrawReproducesTable(t *testing.T) {
	l := latencyMust(t, "juspay")
	r := rand.New(rand.NewPCG(1, 2))
	const n = 100000
	draws := make([]time.Duration, n)
	for i := range draws {
		draws[i] = l.draw(r)
	}
	slices.Sort(draws)
	for _, tp := range []struct {
		name string
		q    float64
	}{{"TP50", 0.5}, {"TP90", 0.9}, {"TP99", 0.99}} {
		got, want := draws[int(tp.q*n)-1], l.Quantile(tp.q)
		if diff := float64(got-want) / float64(want); diff < -0.03 || diff > 0.03 {
			t.Errorf("%s of %d draws = %v, want %v ± 3%%", tp.name, n, got, want)
		}
	}
	if draws[0] < 0 || draws[n-1] > 1431420*time.Microsecond {
		t.Errorf("draws span %v..%v, outside 0..TP99.99", draws[0], draws[n-1])
	}
	// The unseeded path draws from the same distribution.
	if d := l.draw(nil); d < 0 || d > 1431420*time.Microsecond {
		t.Errorf("draw(nil) = %v, outside 0..TP99.99", d)
	}
}

func TestLatencySleepStopsWithContext(t *testing.T) {
	l := latencyMust(t, "1m")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan struct{})
	go func() {
		l.sleep(ctx)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("sleep(1m) did not return after its context was cancelled")
	}
	latencyMust(t, "0").sleep(context.Background()) // returns at once: no timer
}
