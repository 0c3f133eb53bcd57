package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MaxHistory bounds the trend: the page and run.json stay small however long a history
// directory grows, and the newest points are the ones kept.
const MaxHistory = 100

// PointOf reduces a run to a point of a trend.
func PointOf(r *Run) HistoryPoint {
	n := r.normalized()
	return HistoryPoint{
		StartedAt: n.StartedAt, Verdict: n.Verdict, Target: n.Target,
		Specs: n.Summary.Specs, Passed: n.Summary.Passed, Failed: n.Summary.Failed, Skipped: n.Summary.Skipped,
		P99MS: loadP99(n), Checks: historyChecks(n), ErrorRate: loadErrorRate(n),
	}
}

// ReadHistory reads the earlier runs in dir as a trend, oldest first: each *.json file
// directly in dir that is a run (run.json files renamed by date, say), and each
// subdirectory holding a report or a load run (earlier --out directories). Other files and
// directories are ignored, so a history can live next to other artefacts; a .json file that
// is not a readable run is an error naming it.
func ReadHistory(dir string) ([]HistoryPoint, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, unwrapPathErr(err))
	}
	var points []HistoryPoint
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), "."):
			continue
		case e.IsDir():
			if !holdsRun(path) {
				continue
			}
			r, err := ReadInput(path)
			if err != nil {
				return nil, err
			}
			points = append(points, PointOf(r))
		case strings.HasSuffix(e.Name(), ".json"):
			if !isRunFile(e.Name()) {
				continue
			}
			r, err := ReadRun(path)
			if err != nil {
				return nil, err
			}
			points = append(points, PointOf(r))
		}
	}
	return dedupeHistory(points), nil
}

// isRunFile tells a run's JSON from the other JSON a report or load directory holds.
func isRunFile(name string) bool { return name != LoadJSONFile }

// holdsRun reports whether dir is a report directory or a load run's.
func holdsRun(dir string) bool {
	for _, name := range []string{RunFile, LoadJSONFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// dedupeHistory sorts points by time and keeps one per start time and target (a run read
// both as a file and as a report directory counts once), the newest MaxHistory of them.
func dedupeHistory(points []HistoryPoint) []HistoryPoint {
	if len(points) == 0 {
		return nil
	}
	sort.SliceStable(points, func(i, j int) bool { return points[i].StartedAt.Before(points[j].StartedAt) })
	out := points[:0:0]
	for _, p := range points {
		if k := len(out) - 1; k >= 0 && out[k].StartedAt.Equal(p.StartedAt) && out[k].Target == p.Target {
			continue
		}
		out = append(out, p)
	}
	if len(out) > MaxHistory {
		out = out[len(out)-MaxHistory:]
	}
	return out
}

// WithHistory returns r with points as its history, less any point that is r itself (a
// history directory that holds the current run).
func WithHistory(r *Run, points []HistoryPoint) *Run {
	n := *r
	self := PointOf(r)
	n.History = nil
	for _, p := range dedupeHistory(append(append([]HistoryPoint(nil), r.History...), points...)) {
		if p.StartedAt.Equal(self.StartedAt) && p.Target == self.Target {
			continue
		}
		n.History = append(n.History, p)
	}
	return &n
}
