package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/reports"
)

// arrivalLatencyServer answers after a delay fixed by the order requests arrive in: of every
// 20, one waits 60 ms, eight 20 ms and eleven 2 ms (p50 2, p90 20, p99 60 ms). Two runs that
// send the same schedule meet the same multiset of delays however the shards interleave.
func arrivalLatencyServer(t *testing.T) string {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := 2 * time.Millisecond
		switch k := n.Add(1) % 20; {
		case k == 0:
			d = 60 * time.Millisecond
		case k <= 8:
			d = 20 * time.Millisecond
		}
		time.Sleep(d)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"order_id":"o1","status":"CHARGED"}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Issue 14's end-to-end check with real processes: two jpcheck processes on loopback share
// one 1,000 req/s schedule (--shard 0/2 and 1/2, one --start-at), `load merge` joins them, and
// the merged verdict, checks and percentiles are those of one process sending the whole
// schedule. (load's TestShardsMergeLikeOneGenerator checks the same merge in one process.)
func TestLoadShardProcessesMatchOneProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("three processes send 6,000 requests; skipped with -short")
	}
	bin := conformBinary(t)
	slo := filepath.Join(t.TempDir(), "slo.yaml")
	// Limits far from the delays (2, 20, 60 ms), so a loaded machine's noise cannot flip a
	// decided check: TP50 and TP90 pass, TP99 fails, the rest cannot be decided in 3,000.
	if err := os.WriteFile(slo, []byte("tp50_ms: 10\ntp90_ms: 45\ntp99_ms: 50\ntp99_9_ms: 600\ntp99_99_ms: 1000\n"+
		"over_1000ms_max_fraction: 0.001\nover_2000ms_max_fraction: 0.0001\nerrors_max_fraction: 0.001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"load", "--order-id", "o1", "--rate", "1000", "--duration", "3s", "--validate-sample", "0",
		"--max-lag", "10s", "--slo", slo, "--format", "json"}
	var single, merged shardDoc
	ok := false
	for attempt := 0; attempt < 3 && !ok; attempt++ {
		dir := t.TempDir()
		code, stdout, stderr, err := runBinary(bin, nil, append(base, "--target", arrivalLatencyServer(t), "--out", filepath.Join(dir, "single"))...)
		if err != nil || code != exitFindings {
			t.Fatalf("single process: exit %d (%v), want %d (TP99 fails)\n%s", code, err, exitFindings, stderr)
		}
		single = decodeShardDoc(t, []byte(stdout))

		target := arrivalLatencyServer(t)
		// Far enough ahead for both processes to start and load the contracts.
		start := time.Now().Add(3 * time.Second).UTC().Format(time.RFC3339Nano)
		var wg sync.WaitGroup
		errs := make([]string, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, _, stderr, err := runBinary(bin, nil, append(base, "--target", target, "--shard", fmt.Sprintf("%d/2", i),
					"--start-at", start, "--out", filepath.Join(dir, "shards", fmt.Sprint(i)))...)
				// A shard of several exits 0 once its part is written: the verdict is the merge's.
				if err != nil || code != exitOK {
					errs[i] = fmt.Sprintf("shard %d/2: exit %d (%v)\n%s", i, code, err, stderr)
				}
			}()
		}
		wg.Wait()
		for _, e := range errs {
			if e != "" {
				t.Fatal(e)
			}
		}
		code, stdout, stderr, err = runBinary(bin, nil, "load", "merge", "--format", "json", "--out", filepath.Join(dir, "merged"), filepath.Join(dir, "shards"))
		if err != nil || code != exitFindings {
			t.Fatalf("load merge: exit %d (%v), want %d like the single process\n%s", code, err, exitFindings, stderr)
		}
		merged = decodeShardDoc(t, []byte(stdout))
		if _, err := os.Stat(filepath.Join(dir, "merged", reports.LoadJSONFile)); err != nil {
			t.Errorf("load merge --out: %v", err)
		}
		ok = !single.Generator.Limited && !merged.Generator.Limited
		if !ok {
			t.Logf("attempt %d generator-limited (single %v, merged %v): retrying", attempt, single.Generator.Limited, merged.Generator.Limited)
		}
	}
	if !ok {
		t.Skip("this machine could not pace 1,000 requests/s from three processes in three attempts")
	}
	t.Logf("single: %d requests, p50/p90/p99 %.1f/%.1f/%.1f ms, %s; merged: %d, %.1f/%.1f/%.1f ms, %s",
		single.Requests, single.LatencyMS.P50, single.LatencyMS.P90, single.LatencyMS.P99, single.SLO.Verdict,
		merged.Requests, merged.LatencyMS.P50, merged.LatencyMS.P90, merged.LatencyMS.P99, merged.SLO.Verdict)
	// The schedule calls for the same ~2,995 hits in both. A generator running late at the end
	// leaves the hits due in that lateness unsent (lag, not drops, under --max-lag), so the
	// counts may differ by the larger lag's hits (one per ms at 1,000/s; at least the default
	// 20 ms), capped at 10%: a shard that skipped or repeated part of the schedule would be
	// off by half.
	slack := min(int64(max(20, single.Generator.LagMaxMS, merged.Generator.LagMaxMS))+2, 300)
	if d := single.Requests - merged.Requests; single.Requests < 2995-slack || d > slack || d < -slack {
		t.Fatalf("requests: single %d, merged %d, want within %d; the schedule has about 3,000", single.Requests, merged.Requests, slack)
	}
	// Same delays, different scheduling noise: 5 ms plus 10% tells 2 from 20 from 60 ms.
	for _, p := range []struct {
		name       string
		one, union float64
	}{{"p50", single.LatencyMS.P50, merged.LatencyMS.P50}, {"p90", single.LatencyMS.P90, merged.LatencyMS.P90}, {"p99", single.LatencyMS.P99, merged.LatencyMS.P99}} {
		if d := p.one - p.union; d > 5+0.1*p.one || -d > 5+0.1*p.one {
			t.Errorf("%s: single %.3f ms, merged %.3f ms", p.name, p.one, p.union)
		}
	}
	if single.SLO.Verdict != "fail" || merged.SLO.Verdict != single.SLO.Verdict {
		t.Errorf("verdict: single %q, merged %q; want both fail", single.SLO.Verdict, merged.SLO.Verdict)
	}
	if len(single.SLO.Checks) != len(merged.SLO.Checks) {
		t.Fatalf("checks: single %d, merged %d", len(single.SLO.Checks), len(merged.SLO.Checks))
	}
	for i, c := range single.SLO.Checks {
		if m := merged.SLO.Checks[i]; m.Name != c.Name || m.Result != c.Result {
			t.Errorf("check %s: single %s, merged %s %s", c.Name, c.Result, m.Name, m.Result)
		}
	}
}
