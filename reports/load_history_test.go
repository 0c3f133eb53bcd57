package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/load"
)

func historyRun(t *testing.T, start time.Time, target string) *load.Result {
	t.Helper()
	r := sampleLoad(t)
	r.Target, r.StartedAt, r.DurationMS = target, start, 60_000
	r.Run = &load.RunInfo{ID: "r" + start.Format("150405"), Shard: load.Shard{Count: 1}, StartAt: start, SLO: load.DefaultSLO(),
		Judged: load.JudgedCounts{Requests: r.Requests, Failed: 3, Over1000: 10, Over2000: 1}}
	return r
}

// The history keeps each run, prunes what the window left behind, pools only the runs of
// the same target, and reads back what a pool needs.
func TestAppendLoadHistory(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, r := range []*load.Result{
		historyRun(t, t0, "http://a"),
		historyRun(t, t0.Add(50*time.Minute), "http://other"),
		historyRun(t, t0.Add(70*time.Minute), "http://a"),
	} {
		if _, _, err := AppendLoadHistory(dir, r, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("kept"), 0o644)
	os.Mkdir(filepath.Join(dir, "20260301T113000.000Z-broken"), 0o755)
	os.WriteFile(filepath.Join(dir, "20260301T113000.000Z-broken", LoadJSONFile), []byte("{"), 0o644)
	now := historyRun(t, t0.Add(100*time.Minute), "http://a")
	runs, warnings, err := AppendLoadHistory(dir, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].StartedAt != t0.Add(70*time.Minute) || runs[1] != now || runs[0].Histogram == nil {
		t.Fatalf("pooled %d runs, want the 70-minute one (read back with its histogram) and this one", len(runs))
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "broken") {
		t.Errorf("warnings %q, want one naming the broken entry", warnings)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(entries) != 5 || names[0] != "20260301T105000.000Z-r105000" || names[len(names)-1] != "notes.txt" {
		t.Errorf("history holds %v: the 10:00 run pruned, the rest (and a foreign file) kept", names)
	}
	win, err := load.PoolWindow(load.DefaultSLO(), false, runs)
	if err != nil || win.Runs != 2 || win.Requests != 2*now.Requests {
		t.Fatalf("window %+v, %v", win, err)
	}
	now.Window = win
	var text, om bytes.Buffer
	if err := WriteLoadText(&text, now); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "window: 2 runs") || !strings.Contains(text.String(), "window SLO") {
		t.Errorf("the text lacks the window:\n%s", text.String())
	}
	if err := WriteLoadMetrics(&om, now, MetricsOptions{Labels: []string{"environment", "staging"}}); err != nil {
		t.Fatal(err)
	}
	checkOpenMetrics(t, om.String())
	for _, want := range []string{`jpcheck_load_window_runs{environment="staging"} 2`, `jpcheck_load_window_slo_check_pass{environment="staging",check="TP50"}`,
		`jpcheck_load_up{environment="staging",reason="ok",target="http://a"} 1`, `jpcheck_load_run_timestamp_seconds{environment="staging"} 1772365200`} {
		if !strings.Contains(om.String(), want) {
			t.Errorf("OpenMetrics lack %q", want)
		}
	}
}

func TestWriteLoadDownMetrics(t *testing.T) {
	var b bytes.Buffer
	if err := WriteLoadDownMetrics(&b, "https://u:secret@h", UpReasonUnreachable, time.Unix(1700000000, 0), MetricsOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "\n# EOF\n") || strings.Count(b.String(), "# TYPE") != 2 {
		t.Errorf("want up and the timestamp, then # EOF:\n%s", b.String())
	}
	if !strings.Contains(b.String(), `jpcheck_load_up{reason="unreachable",target="https://u:xxxxx@h"} 0`) || strings.Contains(b.String(), "secret") {
		t.Errorf("down metrics:\n%s", b.String())
	}
	if err := WriteLoadDownMetrics(&b, "t", UpReasonAborted, time.Now(), MetricsOptions{Labels: []string{"le", "x"}}); err == nil {
		t.Error("a reserved label was accepted")
	}
}
