package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/mock"
	"github.com/jpcheck/jpcheck/reports"
)

func TestLoadShardUsageErrors(t *testing.T) {
	const local = "http://127.0.0.1:9"
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	runTable(t, []cliCase{
		{name: "shard without start", args: loadArgs("--target", local, "--order-id", "o1", "--shard", "1/2"),
			wantCode: exitUsage, stderr: []outCheck{usageLine("--shard 1/2 needs --start-at")}},
		{name: "shard out of range", args: loadArgs("--target", local, "--order-id", "o1", "--shard", "2/2"),
			wantCode: exitUsage, stderr: []outCheck{usageLine("I must be from 0 to N-1")}},
		{name: "start in the past", args: loadArgs("--target", local, "--order-id", "o1", "--start-at", "2020-01-01T00:00:00Z"),
			wantCode: exitUsage, stderr: []outCheck{usageLine("--start-at 2020-01-01T00:00:00Z has passed")}},
		{name: "start not RFC 3339", args: loadArgs("--target", local, "--order-id", "o1", "--start-at", "tomorrow"),
			wantCode: exitUsage, stderr: []outCheck{usageLine("not an RFC 3339 instant")}},
		{name: "start too far", args: loadArgs("--target", local, "--order-id", "o1", "--start-at", time.Now().Add(48*time.Hour).UTC().Format(time.RFC3339)),
			wantCode: exitUsage, stderr: []outCheck{usageLine("more than 24h0m0s ahead")}},
		{name: "bad run id", args: loadArgs("--target", local, "--order-id", "o1", "--run-id", "../x"),
			wantCode: exitUsage, stderr: []outCheck{usageLine("--run-id", "only letters")}},
		{name: "history without window", args: loadArgs("--target", local, "--order-id", "o1", "--history", t.TempDir()),
			wantCode: exitUsage, stderr: []outCheck{usageLine("--history needs a --window")}},
		{name: "window without history", args: loadArgs("--target", local, "--order-id", "o1", "--window", "1h"),
			wantCode: exitUsage, stderr: []outCheck{usageLine("--window needs --history")}},
		{name: "history of a shard", args: loadArgs("--target", local, "--order-id", "o1", "--shard", "0/2", "--start-at", future,
			"--history", t.TempDir(), "--window", "1h"),
			wantCode: exitUsage, stderr: []outCheck{usageLine("--history pools whole runs")}},
		{name: "label reserved", args: loadArgs("--target", local, "--order-id", "o1", "--label", "check=x"),
			wantCode: exitUsage, stderr: []outCheck{usageLine("jpcheck's own")}},
		{name: "label malformed", args: loadArgs("--target", local, "--order-id", "o1", "--label", "env"),
			wantCode: exitUsage, stderr: []outCheck{usageLine("want NAME=VALUE")}},
		{name: "merge nothing", args: []string{"load", "merge", t.TempDir()},
			wantCode: exitUsage, stderr: []outCheck{usageLine("no load result")}},
	})
}

// A dead target still gets its OpenMetrics: jpcheck_load_up 0 with the reason, the time of
// the try and the --label labels, on stdout and in --out's load.prom.
func TestLoadDeadTargetOpenMetrics(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, loadArgs("--target", "http://127.0.0.1:9", "--order-id", "o1", "--format", "openmetrics",
		"--label", "environment=staging", "--label", "region=eu", "--out", out), "")
	if code != exitUnreachable {
		t.Fatalf("exit %d, want %d\n%s", code, exitUnreachable, stderr)
	}
	prom, err := os.ReadFile(filepath.Join(out, reports.LoadMetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"stdout": stdout, reports.LoadMetricsFile: string(prom)} {
		for _, want := range []string{
			`jpcheck_load_up{environment="staging",region="eu",reason="unreachable",target="http://127.0.0.1:9"} 0` + "\n",
			"# TYPE jpcheck_load_run_timestamp_seconds gauge\n",
			`jpcheck_load_run_timestamp_seconds{environment="staging",region="eu"} `,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q:\n%s", name, want, text)
			}
		}
		if !strings.HasSuffix(text, "# EOF\n") {
			t.Errorf("%s does not end with # EOF", name)
		}
	}
}

type shardDoc struct {
	Requests int64 `json:"requests"`
	Run      struct {
		ID    string `json:"id"`
		Shard struct {
			Index int `json:"index"`
			Count int `json:"count"`
		} `json:"shard"`
	} `json:"run"`
	LatencyMS struct {
		P50 float64 `json:"p50"`
		P90 float64 `json:"p90"`
		P99 float64 `json:"p99"`
	} `json:"latency_ms"`
	Generator struct {
		Limited  bool    `json:"limited"`
		LagMaxMS float64 `json:"lag_max_ms"`
	} `json:"generator"`
	SLO struct {
		Verdict string `json:"verdict"`
		Checks  []struct {
			Name   string `json:"name"`
			Result string `json:"result"`
		} `json:"checks"`
	} `json:"slo"`
	Window *struct {
		Runs     int   `json:"runs"`
		Requests int64 `json:"requests"`
		SLO      struct {
			Verdict string            `json:"verdict"`
			Checks  []json.RawMessage `json:"checks"`
		} `json:"slo"`
	} `json:"window"`
}

func decodeShardDoc(t *testing.T, b []byte) shardDoc {
	t.Helper()
	var d shardDoc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%v\n%s", err, clipOut(string(b)))
	}
	return d
}

// Two shard runs share one schedule and merge into one run; a merge of one of them names the
// shard missing; report --in reads the shard directories' parent and merges them the same way.
func TestLoadShardsAndMerge(t *testing.T) {
	target := startTargetMock(t, mock.Config{})
	dir := t.TempDir()
	// Far enough ahead for both shards to load the contracts and reach the start even under
	// the race detector: a shard that wakes after its whole window has passed sends nothing.
	start := time.Now().Add(5 * time.Second).UTC().Format(time.RFC3339Nano)
	var wg sync.WaitGroup
	codes := make([]int, 2)
	stderrs := make([]string, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _, stderrs[i] = runCLI(t, loadArgs("--target", target, "--order-id", "JP1636474794",
				"--slo", "testdata/load-slo-generous.yaml", "--shard", []string{"0/2", "1/2"}[i], "--start-at", start,
				"--out", filepath.Join(dir, []string{"shard-0", "shard-1"}[i]), "--format", "json"), "")
		}()
	}
	wg.Wait()
	var parts []shardDoc
	for i := range 2 {
		if codes[i] != exitOK {
			t.Fatalf("shard %d: exit %d\n%s", i, codes[i], stderrs[i])
		}
		parts = append(parts, decodeShardDoc(t, mustRead(t, filepath.Join(dir, []string{"shard-0", "shard-1"}[i], reports.LoadJSONFile))))
	}
	if parts[0].Run.ID == "" || parts[0].Run.ID != parts[1].Run.ID || parts[0].Run.Shard.Count != 2 || parts[1].Run.Shard.Index != 1 {
		t.Fatalf("shards: %+v %+v", parts[0].Run, parts[1].Run)
	}

	code, stdout, stderr := runCLI(t, []string{"load", "merge", "--format", "json", "--out", filepath.Join(dir, "merged"), dir}, "")
	if code != exitOK {
		t.Fatalf("merge: exit %d\n%s", code, stderr)
	}
	merged := decodeShardDoc(t, []byte(stdout))
	if merged.Requests != parts[0].Requests+parts[1].Requests || merged.Run.Shard.Count != 1 || merged.Run.ID != parts[0].Run.ID || merged.SLO.Verdict != "pass" {
		t.Errorf("merged %+v from %d + %d requests", merged, parts[0].Requests, parts[1].Requests)
	}
	for _, f := range []string{reports.LoadJSONFile, reports.LoadHistogramFile, reports.LoadMetricsFile} {
		if _, err := os.Stat(filepath.Join(dir, "merged", f)); err != nil {
			t.Errorf("merge --out: %v", err)
		}
	}

	code, _, stderr = runCLI(t, []string{"load", "merge", filepath.Join(dir, "shard-1")}, "")
	if code != exitUsage || !strings.Contains(stderr, "shard 0/2 missing") {
		t.Errorf("merging an incomplete set: exit %d, want 2 naming shard 0/2\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, []string{"load", "merge", filepath.Join(dir, "shard-1"), filepath.Join(dir, "shard-1")}, "")
	if code != exitUsage || !strings.Contains(stderr, "appears twice") {
		t.Errorf("merging a shard twice: exit %d, want 2\n%s", code, stderr)
	}

	rep := t.TempDir()
	code, _, stderr = runCLI(t, []string{"report", "--in", dir, "--out", rep, "--format", "json"}, "")
	if code != exitOK {
		t.Fatalf("report --in the shards' directory: exit %d\n%s", code, stderr)
	}
	var run struct {
		Load shardDoc `json:"load"`
	}
	if err := json.Unmarshal(mustRead(t, filepath.Join(rep, reports.RunFile)), &run); err != nil {
		t.Fatal(err)
	}
	if run.Load.Requests != merged.Requests || run.Load.Run.Shard.Count != 1 {
		t.Errorf("report merged %d requests (shard count %d), load merge %d", run.Load.Requests, run.Load.Run.Shard.Count, merged.Requests)
	}
	code, _, stderr = runCLI(t, []string{"report", "--in", filepath.Join(dir, "shard-0"), "--in", filepath.Join(dir, "shard-1"), "--out", t.TempDir(), "--format", "json"}, "")
	if code != exitOK {
		t.Errorf("report --in shard-0 --in shard-1: exit %d\n%s", code, stderr)
	}
}

// Three short runs kept in one history: the third is judged alone and pooled with the two
// before it, and the text and OpenMetrics show the window.
func TestLoadHistoryWindow(t *testing.T) {
	target := startTargetMock(t, mock.Config{})
	hist := t.TempDir()
	var last shardDoc
	out := t.TempDir()
	for i := range 3 {
		code, stdout, stderr := runCLI(t, loadArgs("--target", target, "--order-id", "JP1636474794",
			"--slo", "testdata/load-slo-generous.yaml", "--history", hist, "--window", "1h", "--format", "json", "--out", out), "")
		if code != exitOK {
			t.Fatalf("run %d: exit %d\n%s", i, code, stderr)
		}
		last = decodeShardDoc(t, []byte(stdout))
		if last.Window == nil || last.Window.Runs != i+1 {
			t.Fatalf("run %d: window %+v, want %d runs", i, last.Window, i+1)
		}
	}
	if last.Window.Requests < last.Requests*2 || last.Window.SLO.Verdict == "" || len(last.Window.SLO.Checks) == 0 {
		t.Errorf("window %+v", last.Window)
	}
	entries, err := os.ReadDir(hist)
	if err != nil || len(entries) != 3 {
		t.Fatalf("history holds %d entries, want 3 (%v)", len(entries), err)
	}
	// A trend from the history shows every check.
	rep := t.TempDir()
	code, _, stderr := runCLI(t, []string{"report", "--in", out, "--history", hist, "--out", rep}, "")
	if code != exitOK {
		t.Fatalf("report --history: exit %d\n%s", code, stderr)
	}
	page := string(mustRead(t, filepath.Join(rep, reports.HTMLFile)))
	for _, want := range []string{"Latency SLO checks per run", "TP99.99", "Pooled window"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// A window shorter than the time since the first runs prunes them.
	code, stdout, stderr := runCLI(t, loadArgs("--target", target, "--order-id", "JP1636474794",
		"--slo", "testdata/load-slo-generous.yaml", "--history", hist, "--window", "1ms", "--format", "openmetrics",
		"--label", "environment=ci"), "")
	if code != exitOK {
		t.Fatalf("pruning run: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{`jpcheck_load_window_runs{environment="ci"} 1`, `jpcheck_load_up{environment="ci",reason="ok"`,
		`jpcheck_load_window_slo_check_pass{environment="ci",check="TP99.99"}`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("OpenMetrics lack %q", want)
		}
	}
	if entries, _ := os.ReadDir(hist); len(entries) != 1 {
		t.Errorf("after a 1ms window the history holds %d entries, want 1", len(entries))
	}
}
