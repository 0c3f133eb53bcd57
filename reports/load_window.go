package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jpcheck/jpcheck/load"
)

// writeLoadWindow writes the pooled verdict of a history window after the run's own: the
// runs and requests pooled, every check, and the verdict a periodic alert should use.
func writeLoadWindow(w io.Writer, win *load.Window) {
	fmt.Fprintf(w, "\nwindow: %d runs, %d requests, %s to %s", win.Runs, win.Requests,
		win.From.UTC().Format(time.RFC3339), win.To.UTC().Format(time.RFC3339))
	if win.Excluded > 0 {
		fmt.Fprintf(w, " (%d generator-limited or aborted runs left out)", win.Excluded)
	}
	fmt.Fprintln(w)
	writeLoadChecks(w, win.SLO)
	fmt.Fprintln(w)
	fmt.Fprintln(w, LoadWindowLine(win))
}

// LoadWindowLine is the pooled window's verdict in words, on one line.
func LoadWindowLine(win *load.Window) string {
	v := win.SLO
	pooled := fmt.Sprintf("over %d runs (%d requests)", win.Runs, win.Requests)
	switch {
	case !v.Pass:
		return "window SLO not met " + pooled + ": " + strings.Join(v.Reasons, "; ")
	case !v.Conclusive:
		return "window SLO met " + pooled + ", not conclusively: " + strings.Join(loadUndecided(v), ", ") + " not decided yet"
	}
	return "window SLO met " + pooled + ": every check passed"
}

// HistoryCheck is one SLO check of a run in a trend: the observed value (milliseconds for a
// percentile, a fraction for a timeout budget), its interval and its outcome.
type HistoryCheck struct {
	Name     string        `json:"name"`
	Observed *float64      `json:"observed"`
	CI       load.Interval `json:"ci"`
	Pass     *bool         `json:"pass"`
}

func historyChecks(r *Run) []HistoryCheck {
	if r.Load == nil {
		return nil
	}
	var out []HistoryCheck
	for _, c := range r.Load.SLO.Checks {
		h := HistoryCheck{Name: c.Name, Observed: c.ObservedMS, CI: c.CI, Pass: c.Pass}
		if c.LimitFraction != nil {
			h.Observed = c.ObservedFraction
		}
		out = append(out, h)
	}
	return out
}

func loadErrorRate(r *Run) *float64 {
	if r.Load == nil || r.Load.Requests == 0 {
		return nil
	}
	f := float64(r.Load.Errors.Count) / float64(r.Load.Requests)
	return &f
}

// htmlTrendChecks is the trend's table of SLO checks: one row per run, one cell per check.
type htmlTrendChecks struct {
	Names []string
	Rows  []htmlTrendCheckRow
}

type htmlTrendCheckRow struct {
	StartedAt time.Time
	This      bool
	ErrorRate string
	Cells     []htmlTrendCell
}

type htmlTrendCell struct {
	Value, Verdict string
}

// trendChecks arranges the points' checks for the page; nil when no point has any.
func trendChecks(points []HistoryPoint) *htmlTrendChecks {
	t := &htmlTrendChecks{}
	for _, p := range points {
		for _, c := range p.Checks {
			if !slices.Contains(t.Names, c.Name) {
				t.Names = append(t.Names, c.Name)
			}
		}
	}
	if len(t.Names) == 0 {
		return nil
	}
	for i, p := range points {
		row := htmlTrendCheckRow{StartedAt: p.StartedAt, This: i == len(points)-1, ErrorRate: "—"}
		if p.ErrorRate != nil {
			row.ErrorRate = reportPercent(*p.ErrorRate)
		}
		for _, name := range t.Names {
			cell := htmlTrendCell{Value: "—", Verdict: VerdictInconclusive}
			for _, c := range p.Checks {
				if c.Name != name {
					continue
				}
				if c.Observed != nil {
					if strings.HasPrefix(name, "timeout") {
						cell.Value = reportPercent(*c.Observed)
					} else {
						cell.Value = reportNum(*c.Observed) + " ms"
					}
				}
				cell.Verdict = checkVerdict(load.Check{Pass: c.Pass})
			}
			row.Cells = append(row.Cells, cell)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// windowVerdict is the pooled window's verdict as the report counts one: fail when a check
// failed, inconclusive when one is undecided, else pass.
func windowVerdict(win *load.Window) string {
	switch {
	case !win.SLO.Pass:
		return VerdictFail
	case !win.SLO.Conclusive:
		return VerdictInconclusive
	}
	return VerdictPass
}

// writeMarkdownWindow writes the pooled window's verdict and checks.
func writeMarkdownWindow(w io.Writer, win *load.Window) {
	if win == nil {
		return
	}
	fmt.Fprintf(w, "#### Pooled window: %s\n\n%s.\n\n", mdVerdict(windowVerdict(win)), mdText(LoadWindowLine(win), mdMaxMessageRunes))
	fmt.Fprintf(w, "| check | limit | observed | %.0f%% CI | result |\n", 100*win.SLO.Confidence)
	fmt.Fprintln(w, "|---|---:|---:|---|---|")
	for _, c := range win.SLO.Checks {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", c.Name, sloLimit(c), sloObserved(c), sloCI(c), sloResult(c))
	}
	fmt.Fprintln(w)
}

// writeLoadShard says, for a shard of several, that its verdict is a part's: the run's is the
// merge's.
func writeLoadShard(w io.Writer, r *load.Result) {
	if r.Run == nil || r.Run.Shard.Count < 2 {
		return
	}
	fmt.Fprintf(w, "  %-11s %s of run %s, started at %s: this shard's verdict is a part's; jpcheck load merge judges the run\n",
		"shard", r.Run.Shard, r.Run.ID, r.Run.StartAt.UTC().Format(time.RFC3339Nano))
}
