package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/load"
	"github.com/jpcheck/jpcheck/suites"
)

func TestOrderIDsFlag(t *testing.T) {
	var f orderIDsFlag
	for _, v := range []string{"JP1636474794", " JPAYNEW032 ", "ord#1"} {
		if err := f.Set(v); err != nil {
			t.Fatalf("Set(%q): %v", v, err)
		}
	}
	if got := f.String(); got != "JP1636474794,JPAYNEW032,ord#1" {
		t.Errorf("String() = %q", got)
	}
	for _, bad := range []string{"", "  ", "a b", "tab\there", "nul\x00", "bad\xffutf8", strings.Repeat("x", maxOrderIDBytes+1)} {
		if err := f.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
	if len(f.ids) != 3 {
		t.Errorf("a refused value changed the list: %v", f.ids)
	}
}

func TestRampFlag(t *testing.T) {
	var f rampFlag
	if f.String() != "" {
		t.Errorf("unset ramp prints %q", f.String())
	}
	if err := f.Set("50:500:50:10s"); err != nil {
		t.Fatal(err)
	}
	if *f.ramp != (load.Ramp{From: 50, To: 500, Step: 50, StepDuration: 10 * time.Second}) || f.String() != "50:500:50:10s" {
		t.Errorf("ramp %+v, String %q", *f.ramp, f.String())
	}
	if err := f.Set("10:20:5"); err != nil || f.String() != "10:20:5" {
		t.Errorf("Set(10:20:5): %v, String %q", err, f.String())
	}
	for _, bad := range []string{"", "10:20", "a:20:5", "20:10:5", "10:20:0", "10:20:5:0s", "10:20:5:soon", "0:10:1"} {
		if err := f.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
	steps, total := rampSteps(load.Ramp{From: 10, To: 100, Step: 10, StepDuration: time.Minute}, time.Hour)
	if steps != 10 || total != 10*time.Minute {
		t.Errorf("rampSteps: %d steps, %s", steps, total)
	}
	if _, total := rampSteps(load.Ramp{From: 10, To: 100, Step: 10}, 30*time.Second); total != 30*time.Second {
		t.Errorf("a ramp without a step duration lasts the run's duration, got %s", total)
	}
}

func TestParseOrderIDs(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
		err      string
	}{
		{"ids, blanks and comments", "# pool\nJP1\n\n  JP2  # second\nJP#3\n\t# indented comment\n", []string{"JP1", "JP2", "JP#3"}, ""},
		{"CRLF", "JP1\r\nJP2\r\n", []string{"JP1", "JP2"}, ""},
		{"no trailing newline", "JP1", []string{"JP1"}, ""},
		{"only comments", "# nothing\n\n", nil, "no order id"},
		{"empty", "", nil, "no order id"},
		{"space inside", "JP1\nJP 2\n", nil, "line 2"},
		{"too long", strings.Repeat("x", maxOrderIDBytes+1) + "\n", nil, "longer than"},
		{"binary", "JP1\n\x00\x01\x02\n", nil, "line 2"},
		{"a line too long to scan", strings.Repeat("x", 70<<10), nil, "too long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseOrderIDs(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("err %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// The pool is bounded: a file with too many ids is refused rather than read whole.
func TestParseOrderIDsBounded(t *testing.T) {
	var b strings.Builder
	for i := range maxOrderIDs + 1 {
		fmt.Fprintf(&b, "o%d\n", i)
	}
	if _, err := parseOrderIDs(strings.NewReader(b.String())); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("err %v", err)
	}
	big := strings.Repeat(strings.Repeat("y", 100)+"\n", maxOrderFileBytes/101+2)
	if _, err := parseOrderIDs(strings.NewReader(big)); err == nil {
		t.Error("a file over the byte bound is read")
	}
}

// The default pool is the reference implementation's seeded orders, once each, without the
// not-found scenario's id.
func TestFixtureOrderIDs(t *testing.T) {
	ids := fixtureOrderIDs(suites.DefaultFixtures())
	if len(ids) < 10 || !slices.Contains(ids, "JP1636474794") || !slices.Contains(ids, "JPAYNEW032") {
		t.Errorf("pool %v", ids)
	}
	if slices.Contains(ids, "jpcheck_no_such_order") {
		t.Error("the not-found scenario's order is in the pool")
	}
	if len(dedupe(slices.Clone(ids))) != len(ids) {
		t.Errorf("duplicates in %v", ids)
	}
	if got := dedupe([]string{"a", "b", "a", "c", "b"}); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("dedupe: %v", got)
	}
}

func TestLoopbackTarget(t *testing.T) {
	for target, want := range map[string]bool{
		"http://127.0.0.1:8080": true, "http://localhost": true, "http://[::1]:80": true, "http://127.9.9.9": true,
		"https://sandbox.juspay.in": false, "http://10.0.0.1": false, "http://localhost.example.com": false, "::": false,
	} {
		if got := loopbackTarget(target); got != want {
			t.Errorf("loopbackTarget(%q) = %v", target, got)
		}
	}
}

func TestProgressText(t *testing.T) {
	got := progressText(load.Progress{Elapsed: 12300 * time.Millisecond, Total: 30 * time.Second, Requests: 2460,
		Errors: 3, Rate: 200.04, Requested: 200, P99: 351850 * time.Microsecond})
	want := "jpcheck load: 12s/30s  2460 requests  200.0/s (target 200.0/s)  p99 351.9 ms  3 errors"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// A writer that is not a terminal (a CI log) gets a plain line every 10 s, none between,
	// and no terminal control codes; the clock is the test's.
	var b strings.Builder
	pl := newProgressLine(&b)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pl.now = func() time.Time { return clock }
	pl.next = clock.Add(progressLogInterval)
	for s := 1; s <= 35; s++ {
		clock = clock.Add(time.Second)
		pl.update(load.Progress{Elapsed: time.Duration(s) * time.Second, Total: time.Minute, Requests: int64(s)})
	}
	pl.clear()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "jpcheck load: 10s/1m0s  10 requests") ||
		!strings.HasPrefix(lines[2], "jpcheck load: 30s/1m0s") || strings.Contains(b.String(), "\x1b") {
		t.Errorf("progress on a non-terminal over 35 s:\n%s", b.String())
	}
}

func TestScrubLoad(t *testing.T) {
	res := &load.Result{Validation: load.Validation{Findings: []load.FindingSample{
		{Message: "field udf1 is \"sk_live_123\""}, {Message: "Basic c2tfbGl2ZV8xMjM6 echoed"},
	}}}
	scrubLoad(res, "sk_live_123")
	for _, f := range res.Validation.Findings {
		if strings.Contains(f.Message, "sk_live_123") || strings.Contains(f.Message, "c2tfbGl2ZV8xMjM6") || !strings.Contains(f.Message, "[redacted]") {
			t.Errorf("message %q", f.Message)
		}
	}
}
