package load

import (
	"strings"
	"testing"
	"time"
)

func TestConstantScheduleIntendedTimes(t *testing.T) {
	s := constantSchedule(200)
	const o = startOffset
	for _, c := range []struct {
		n    uint64
		want time.Duration
	}{{0, o}, {1, o + 5*time.Millisecond}, {200, o + time.Second}, {1_000_000, o + 5000*time.Second}} {
		if got := s.at(c.n); got != c.want {
			t.Errorf("at(%d) = %s, want %s", c.n, got, c.want)
		}
	}
	for _, c := range []struct {
		t    time.Duration
		want int64
	}{{0, 0}, {o, 0}, {o + 1, 1}, {o + time.Second, 200}, {o + time.Second + 1, 201}} {
		if got := s.due(c.t); got != c.want {
			t.Errorf("due(%s) = %d, want %d", c.t, got, c.want)
		}
	}
	// At 200/s Pace waits for the next hit's time itself (precisely, see spinWindow) and never
	// waits when behind.
	start := time.Now()
	if w, stop := s.Pace(o+2*time.Millisecond, 1); w != 0 || stop {
		t.Errorf("Pace(2ms, 1) = %s, %v; want 0, false", w, stop)
	}
	if d := time.Since(start); d < 3*time.Millisecond {
		t.Errorf("Pace(2ms, 1) returned after %s, before hit 1 was due 3 ms later", d)
	}
	start = time.Now()
	if w, _ := s.Pace(time.Second, 10); w != 0 || time.Since(start) > 100*time.Millisecond {
		t.Errorf("Pace behind schedule waited")
	}
	// Above maxSpinRate the wait is vegeta's to sleep.
	fast := constantSchedule(2000)
	if w, _ := fast.Pace(o, 1); w != 500*time.Microsecond {
		t.Errorf("Pace at 2000/s = %s, want the 500µs wait returned", w)
	}
	if r := s.Rate(time.Hour); r != 200 {
		t.Errorf("Rate = %v", r)
	}
}

func TestRampScheduleIntendedTimes(t *testing.T) {
	// 10/s for 1 s (hits 0-9), 20/s for 1 s (hits 10-29), 30/s from then on.
	s := rampSchedule(Ramp{From: 10, To: 30, Step: 10, StepDuration: time.Second})
	const o = startOffset
	for _, c := range []struct {
		n    uint64
		want time.Duration
	}{
		{0, o}, {9, o + 900*time.Millisecond}, {10, o + time.Second}, {11, o + time.Second + 50*time.Millisecond},
		{30, o + 2*time.Second}, {60, o + 3*time.Second}, {90, o + 4*time.Second},
	} {
		if got := s.at(c.n); got != c.want {
			t.Errorf("at(%d) = %s, want %s", c.n, got, c.want)
		}
	}
	for _, c := range []struct {
		t    time.Duration
		want int64
	}{{0, 0}, {o + time.Second, 10}, {o + 1500*time.Millisecond, 20}, {o + 3*time.Second, 60}, {o + 4*time.Second, 90}} {
		if got := s.due(c.t); got != c.want {
			t.Errorf("due(%s) = %d, want %d", c.t, got, c.want)
		}
	}
	for _, c := range []struct {
		t    time.Duration
		want float64
	}{{0, 10}, {o + 999*time.Millisecond, 10}, {o + time.Second, 20}, {time.Hour, 30}} {
		if got := s.Rate(c.t); got != c.want {
			t.Errorf("Rate(%s) = %v, want %v", c.t, got, c.want)
		}
	}
	// Intended times never go backwards.
	prev := time.Duration(-1)
	for n := uint64(0); n < 200; n++ {
		if at := s.at(n); at <= prev {
			t.Fatalf("at(%d) = %s, not after at(%d) = %s", n, at, n-1, prev)
		} else {
			prev = at
		}
	}
}

func TestParseRamp(t *testing.T) {
	for _, c := range []struct {
		in    string
		want  Ramp
		rates []float64
	}{
		{"50:500:50", Ramp{From: 50, To: 500, Step: 50}, []float64{50, 100, 150, 200, 250, 300, 350, 400, 450, 500}},
		{"10:100:40:5s", Ramp{From: 10, To: 100, Step: 40, StepDuration: 5 * time.Second}, []float64{10, 50, 90, 100}},
		{"5:5:1", Ramp{From: 5, To: 5, Step: 1}, []float64{5}},
		{"0.5:2:0.5", Ramp{From: 0.5, To: 2, Step: 0.5}, []float64{0.5, 1, 1.5, 2}},
	} {
		got, err := ParseRamp(c.in)
		if err != nil {
			t.Errorf("ParseRamp(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("ParseRamp(%q) = %+v, want %+v", c.in, got, c.want)
		}
		if rs := got.Rates(); !floatsEqual(rs, c.rates) {
			t.Errorf("%q rates %v, want %v", c.in, rs, c.rates)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"", "FROM:TO:STEP"},
		{"10:20", "FROM:TO:STEP"},
		{"a:20:5", "FROM is not a number"},
		{"10:20:x", "STEP is not a number"},
		{"0:20:5", "positive"},
		{"20:10:5", "FROM must not exceed TO"},
		{"10:20:0", "STEP"},
		{"10:20:5:soon", "DURATION"},
		{"10:20:5:-1s", "DURATION"},
		{"1:100000:1", "steps"},
		{"NaN:20:5", "positive"},
	} {
		_, err := ParseRamp(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseRamp(%q): err = %v, want one line containing %q", c.in, err, c.want)
		}
	}
}

func floatsEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if d := a[i] - b[i]; d > 1e-9 || d < -1e-9 {
			return false
		}
	}
	return true
}
