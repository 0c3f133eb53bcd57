package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeRunFile writes r's JSON at path.
func writeRunFile(t *testing.T, path string, r *Run) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(path, r, WriteJSON); err != nil {
		t.Fatal(err)
	}
}

// runAt is a run of three specs (one skipped) days after base.
func runAt(base time.Time, days int, failed bool) *Run {
	state := StatePassed
	if failed {
		state = StateFailed
	}
	return &Run{Target: "http://t", StartedAt: base.AddDate(0, 0, days),
		Specs: []Spec{{Name: "a", State: StatePassed}, {Name: "b", State: state}, {Name: "c", State: StateSkipped}}}
}

// A history directory of run files and report directories becomes a trend, oldest first;
// other files are ignored and a run counted twice is one point.
func TestReadHistory(t *testing.T) {
	lr := mustInput(t, loadDir)
	base := lr.StartedAt
	dir := t.TempDir()
	writeRunFile(t, filepath.Join(dir, "later.json"), runAt(base, 2, false))
	writeRunFile(t, filepath.Join(dir, "earliest.json"), runAt(base, -3, true))
	writeRunFile(t, filepath.Join(dir, "report-1", RunFile), runAt(base, -1, false))
	writeRunFile(t, filepath.Join(dir, "report-1-copy", RunFile), runAt(base, -1, false))
	if err := os.MkdirAll(filepath.Join(dir, "load-0"), 0o755); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(loadDir, LoadJSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "load-0", LoadJSONFile), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"notes.txt", "index.html", ".hidden.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("not a run"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	points, err := ReadHistory(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range points {
		got = append(got, fmt.Sprintf("%+.0fd %s %d/%d/%d", p.StartedAt.Sub(base).Hours()/24, p.Verdict, p.Passed, p.Failed, p.Skipped))
	}
	want := []string{"-3d fail 1/1/1", "-1d pass 2/0/1", "+0d " + lr.normalized().Verdict + " 0/0/0", "+2d pass 2/0/1"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("history\n got %v\nwant %v", got, want)
	}
	for _, p := range points {
		if (p.P99MS != nil) != p.StartedAt.Equal(base) {
			t.Errorf("point %v: p99 %v (only the load run has one)", p.StartedAt, p.P99MS)
		}
	}
}

func TestReadHistoryErrors(t *testing.T) {
	if _, err := ReadHistory(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("a missing history directory: no error")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "broken.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadHistory(dir)
	if err == nil || !strings.Contains(err.Error(), "broken.json") {
		t.Errorf("a broken run file: %v, want an error naming it", err)
	}
}

// The current run is not a point of its own trend, and the trend keeps the newest points.
func TestWithHistory(t *testing.T) {
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	cur := runAt(base, 9, false)
	var points []HistoryPoint
	for day := range 10 {
		points = append(points, PointOf(runAt(base, day, day%2 == 0)))
	}
	got := WithHistory(cur, points)
	if len(got.History) != 9 || !got.History[0].StartedAt.Equal(base) || !got.History[8].StartedAt.Equal(base.AddDate(0, 0, 8)) {
		t.Errorf("history %+v", got.History)
	}
	if cur.History != nil {
		t.Error("WithHistory changed its run")
	}
	var many []HistoryPoint
	early := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range MaxHistory + 20 {
		many = append(many, HistoryPoint{StartedAt: early.Add(time.Duration(i) * time.Hour), Target: "http://t"})
	}
	kept := WithHistory(cur, many).History
	if len(kept) != MaxHistory || !kept[len(kept)-1].StartedAt.Equal(many[len(many)-1].StartedAt) {
		t.Errorf("kept %d points ending %v, want the newest %d", len(kept), kept[len(kept)-1].StartedAt, MaxHistory)
	}
}
