package reports

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/jpcheck/jpcheck/load"
)

// TP50Note is why the TP50 limit is 19.8 ms: the text rendering and the README say it
// whenever the SLO's TP50 is the document's.
const TP50Note = `the document prints TP50 as 0.0198 under a "(ms)" header while defining the percentiles in seconds; 0.0198 s = 19.8 ms is the only reading consistent with TP90 = 55.71 ms, so the TP50 limit is 19.8 ms`

// maxTextFindings bounds the contract findings the text rendering lists.
const maxTextFindings = 10

// WriteLoadText writes a load run for a person: what was sent, the latency percentiles,
// errors, timeouts, the contract check, the generator's health, every SLO check with its
// interval and the verdict in words.
func WriteLoadText(w io.Writer, r *load.Result) error {
	r = normalizedLoad(r)
	bw := bufio.NewWriter(w)
	writeLoadSummary(bw, r)
	writeLoadShard(bw, r)
	fmt.Fprintln(bw)
	writeLoadChecks(bw, r.SLO)
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, LoadVerdictLine(r))
	if r.Window != nil {
		writeLoadWindow(bw, r.Window)
	}
	if loadUsesDocumentTP50(r.SLO) {
		fmt.Fprintf(bw, "note: %s\n", TP50Note)
	}
	return bw.Flush()
}

func writeLoadSummary(w io.Writer, r *load.Result) {
	fmt.Fprintf(w, "jpcheck load: %s on %s\n", loadOrDash(r.Endpoint), loadOrDash(r.Target))
	pacing := r.Mode
	switch r.Mode {
	case "constant":
		pacing = fmt.Sprintf("constant %s/s", loadNum(r.Rate.Requested, 1))
	case "ramp":
		if rp := r.Ramp; rp != nil {
			pacing = fmt.Sprintf("ramp %s to %s/s by %s every %s", loadNum(rp.From, 1), loadNum(rp.To, 1), loadNum(rp.Step, 1), rp.StepDuration)
		}
	}
	fmt.Fprintf(w, "  %-11s %s, %d workers, timeout %s ms, %.1fs\n", "pacing", pacing, r.Workers, loadNum(r.TimeoutMS, 3), r.DurationMS/1000)
	rate := fmt.Sprintf("%d at %s/s", r.Requests, loadNum(r.Rate.Achieved, 1))
	if r.Rate.Requested > 0 {
		rate += fmt.Sprintf(" (requested %s/s)", loadNum(r.Rate.Requested, 1))
	}
	switch {
	case r.Mode == "ramp":
		rate += fmt.Sprintf("; judged: the final hold's %d", r.SLO.Requests)
	case r.WarmupMS > 0:
		rate += fmt.Sprintf("; judged: %d after a %s s warm-up", r.SLO.Requests, loadNum(r.WarmupMS/1000, 1))
	}
	fmt.Fprintf(w, "  %-11s %s\n", "requests", rate)
	l := r.LatencyMS
	fmt.Fprintf(w, "  %-11s p50 %s  p90 %s  p99 %s  p99.9 %s  p99.99 %s  max %s\n", "latency ms",
		loadNum(l.P50, 3), loadNum(l.P90, 3), loadNum(l.P99, 3), loadNum(l.P999, 3), loadNum(l.P9999, 3), loadNum(l.Max, 3))
	errs := strconv.FormatInt(r.Errors.Count, 10)
	if r.Errors.Count > 0 {
		errs += fmt.Sprintf(" (%s): %s", loadPercent(loadFraction(r.Errors.Count, r.Requests)), loadByKind(r.Errors.ByKind))
	}
	if r.Errors.Count > 0 {
		errs += "; the SLO checks rank failed requests slower than every limit"
	}
	fmt.Fprintf(w, "  %-11s %s\n", "errors", errs)
	t := r.Timeouts
	fmt.Fprintf(w, "  %-11s over 1000 ms: %d (%s)  over 2000 ms: %d (%s)\n", "timeouts",
		t.Over1000ms.Count, loadPercent(t.Over1000ms.Fraction), t.Over2000ms.Count, loadPercent(t.Over2000ms.Fraction))
	v := r.Validation
	if v.Sample > 0 {
		fmt.Fprintf(w, "  %-11s %d responses checked against the order-status contract (sample %s): %d failed, %d skipped while the checkers were behind\n",
			"contract", v.Validated, loadNum(v.Sample, 4), v.Failed, v.Skipped)
		for i, f := range v.Findings {
			if i == maxTextFindings {
				fmt.Fprintf(w, "  %-11s … and %d more distinct findings (see the JSON)\n", "", len(v.Findings)-i)
				break
			}
			fmt.Fprintf(w, "  %-11s %s  %s  %s  %s  (×%d)\n", "", orRoot(f.Pointer), f.Severity, f.Rule, oneLine(f.Message), f.Count)
		}
	} else {
		fmt.Fprintf(w, "  %-11s not checked (--validate-sample 0)\n", "contract")
	}
	g := r.Generator
	if r.Mode != "unthrottled" {
		gen := fmt.Sprintf("send lag p99 %s ms, max %s ms; hiccups p99 %s ms, max %s ms; %d dropped", loadNum(g.LagP99MS, 3),
			loadNum(g.LagMaxMS, 3), loadNum(g.HiccupP99MS, 3), loadNum(g.HiccupMaxMS, 3), g.Dropped)
		if g.Limited {
			gen += "; BEHIND SCHEDULE (a fail would be voided): " + g.LimitedReason
		}
		fmt.Fprintf(w, "  %-11s %s\n", "generator", gen)
	}
	if len(r.Steps) > 0 {
		fmt.Fprintf(w, "  %-11s\n", "ramp steps")
		tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "    rate/s\trequests\terrors\tp50 ms\tp90 ms\tp99 ms\tp99.9 ms\tp99.99 ms\t\n")
		for _, s := range r.Steps {
			l := s.LatencyMS
			judged := ""
			if s.Judged {
				judged = "judged (final hold)"
			}
			fmt.Fprintf(tw, "    %s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t  %s\n", loadNum(s.Rate, 1), s.Requests, s.Errors,
				loadNum(l.P50, 3), loadNum(l.P90, 3), loadNum(l.P99, 3), loadNum(l.P999, 3), loadNum(l.P9999, 3), judged)
		}
		tw.Flush()
	}
}

// writeLoadChecks writes the SLO checks as a table.
func writeLoadChecks(w io.Writer, v load.Verdict) {
	conf := loadNum(v.Confidence*100, 2) + "%"
	fmt.Fprintf(w, "SLO checks at %s confidence\n", conf)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintf(tw, "  check\tlimit\tobserved\t%s interval\tresult\n", conf)
	for _, c := range v.Checks {
		var limit, observed, ci string
		if c.LimitFraction != nil {
			limit = fmt.Sprintf("≤ %s over %s ms", loadPercent(*c.LimitFraction), loadNum(loadDeref(c.LimitMS), 3))
			if c.LimitMS == nil {
				limit = fmt.Sprintf("≤ %s failed", loadPercent(*c.LimitFraction))
			}
			observed = "-"
			if c.ObservedFraction != nil {
				observed = loadPercent(*c.ObservedFraction)
			}
			ci = fmt.Sprintf("[%s, %s]", loadPercent(c.CI[0]), loadPercentOrInf(c.CI[1]))
		} else {
			limit = loadNum(loadDeref(c.LimitMS), 3) + " ms"
			observed = "-"
			if c.ObservedMS != nil {
				observed = loadNum(*c.ObservedMS, 3) + " ms"
			}
			if c.ObservedFailed {
				observed = "a failure"
			}
			ci = fmt.Sprintf("[%s, %s] ms", loadNum(c.CI[0], 3), loadMSOrInf(c.CI[1]))
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", c.Name, limit, observed, ci, loadCheckResult(c, v.Requests))
	}
	tw.Flush()
}

func loadCheckResult(c load.Check, judged int64) string {
	var res string
	switch {
	case c.Result == load.OutcomeNotJudged:
		return "not judged"
	case c.Pass == nil && c.Decide > 0:
		res = fmt.Sprintf("inconclusive (about %d requests would decide it)", c.Decide)
	case c.Pass == nil:
		res = "inconclusive (observed at the limit: no run length would decide it)"
	case *c.Pass:
		res = "pass"
	default:
		res = "FAIL"
	}
	return res + loadEffective(c, judged)
}

// loadEffective notes a check whose interval the per-second batches widened: latency came in
// clusters, and the interval stands for fewer independent requests than were judged.
func loadEffective(c load.Check, judged int64) string {
	if c.EffectiveRequests <= 0 || c.EffectiveRequests >= judged {
		return ""
	}
	return fmt.Sprintf(" (clustered: worth %d independent requests)", c.EffectiveRequests)
}

// LoadVerdictLine is the run's SLO verdict in words, on one line.
func LoadVerdictLine(r *load.Result) string {
	v := r.SLO
	normalizeVerdict(&v, r.Requests)
	var line string
	switch {
	case v.Outcome == load.OutcomeNotJudged:
		line = "SLO not judged: " + strings.TrimPrefix(strings.Join(v.Reasons, "; "), "not judged: ")
	case v.Outcome == load.OutcomeInconclusive:
		line = "SLO inconclusive: a check failed while the load generator was behind its schedule, so the fail may be the generator's (" +
			loadOrDash(r.Generator.LimitedReason) + "); rerun on a less busy host or at a lower rate"
	case !v.Pass:
		line = "SLO not met: " + strings.Join(v.Reasons, "; ")
	case !v.Conclusive:
		line = "SLO met, not conclusively: no check failed, but " + strings.Join(loadUndecided(v), ", ") +
			" could not be decided at this many requests; a longer run decides them"
	default:
		line = "SLO met: every check passed"
	}
	if r.Error != "" {
		line = "error: " + r.Error + "; " + line
	}
	if r.Aborted {
		line = fmt.Sprintf("run aborted after %.1fs: the result covers the requests sent until then; %s", r.DurationMS/1000, line)
	}
	return line
}

func loadUndecided(v load.Verdict) []string {
	var names []string
	for _, c := range v.Checks {
		if c.Pass == nil {
			names = append(names, c.Name)
		}
	}
	if len(names) == 0 {
		return []string{"some checks"}
	}
	return names
}

// WriteLoadCapacityText writes a capacity search: one row per rate tried, the capacity found
// and why the search stopped.
func WriteLoadCapacityText(w io.Writer, c *load.CapacityResult) error {
	c = normalizedCapacity(c)
	bw := bufio.NewWriter(w)
	if shown := CapacityShownStep(c); shown != nil {
		fmt.Fprintf(bw, "jpcheck load --find-capacity: %s on %s\n", loadOrDash(shown.Result.Endpoint), loadOrDash(shown.Result.Target))
	}
	tw := tabwriter.NewWriter(bw, 0, 0, 3, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  step\trate/s\tachieved/s\tjudged\tp50 ms\tp99 ms\tp99.9 ms\tp99.99 ms\terrors\t  SLO\n")
	for _, s := range c.Steps {
		r := s.Result
		if r == nil {
			continue
		}
		l := r.LatencyMS
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%d\t  %s\n", loadOrDash(s.Phase), loadNum(s.Rate, 1), loadNum(r.Rate.Achieved, 1), r.SLO.Requests,
			loadNum(l.P50, 3), loadNum(l.P99, 3), loadNum(l.P999, 3), loadNum(l.P9999, 3), r.Errors.Count, loadStepOutcome(s))
	}
	tw.Flush()
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, CapacityLine(c))
	if shown := CapacityShownStep(c); shown != nil && loadUsesDocumentTP50(shown.Result.SLO) {
		fmt.Fprintf(bw, "note: %s\n", TP50Note)
	}
	return bw.Flush()
}

func loadStepOutcome(s load.CapacityStep) string {
	r := s.Result
	v := r.SLO
	normalizeVerdict(&v, r.Requests)
	switch {
	case r.Aborted:
		return "aborted"
	case v.Outcome == load.OutcomeInconclusive && len(s.Failed) > 0:
		return "inconclusive, not met: " + strings.Join(s.Failed, ", ") + " failed with the generator behind its schedule"
	case !s.Met && len(s.Failed) > 0:
		return "not met: " + strings.Join(s.Failed, ", ") + " failed"
	case !s.Met:
		return "not met: " + loadOrDash(s.Reason)
	case !v.Conclusive:
		return "met (inconclusive: " + strings.Join(loadUndecided(v), ", ") + ")"
	}
	return "met"
}

// CapacityLine is a capacity search's outcome in words, on one line.
func CapacityLine(c *load.CapacityResult) string {
	var last float64
	if n := len(c.Steps); n > 0 {
		last = c.Steps[n-1].Rate
	}
	found := "no rate tried met the SLO"
	if c.Capacity > 0 {
		found = fmt.Sprintf("%s/s, the highest rate that met the SLO", loadNum(c.Capacity, 1))
		if c.Resolution > 0 && c.StoppedBy != load.StoppedByMax {
			found += fmt.Sprintf(" (to %s/s, confirmed)", loadNum(c.Resolution, 1))
		}
	}
	var why string
	switch c.StoppedBy {
	case load.StoppedBySLO:
		why = "the SLO was not met " + loadOrDash(c.Reason)
	case load.StoppedByGenerator:
		why = "a check failed while the load generator was behind its schedule " + loadOrDash(c.Reason) + ": the target's capacity may be higher"
	case load.StoppedByInconclusive:
		why = "a check could not be decided and a conclusive verdict is required " + loadOrDash(c.Reason)
	case load.StoppedByMax:
		why = "every rate up to the maximum met the SLO: the target's capacity may be higher"
	case load.StoppedByAborted:
		why = fmt.Sprintf("the search was aborted at %s/s", loadNum(last, 1))
	default:
		why = "stopped: " + loadOrDash(c.StoppedBy)
	}
	return fmt.Sprintf("capacity: %s (%s)", found, why)
}

// usesDocumentTP50 says whether v's TP50 limit is the document's 0.0198, read as seconds.
func loadUsesDocumentTP50(v load.Verdict) bool {
	for _, c := range v.Checks {
		if c.Name == load.CheckTP50 && c.LimitMS != nil {
			return math.Abs(*c.LimitMS-load.DefaultSLO().TP50MS) < 1e-9
		}
	}
	return false
}

func loadByKind(m map[string]int64) string {
	kinds := make([]string, 0, len(m))
	for k, n := range m {
		if n > 0 {
			kinds = append(kinds, k)
		}
	}
	slices.SortFunc(kinds, func(a, b string) int {
		if m[a] != m[b] {
			return cmp.Compare(m[b], m[a]) // most frequent first
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

func loadFraction(k, n int64) float64 {
	if n <= 0 {
		return 0
	}
	return float64(k) / float64(n)
}

// trimFloat formats v with at most prec decimals and no trailing zeros.
func loadNum(v float64, prec int) string {
	if math.IsInf(v, 1) {
		return "∞"
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// percent writes a fraction as a percentage with up to four decimals: 0.0001 is "0.01%".
func loadPercent(f float64) string { return loadNum(f*100, 4) + "%" }

func loadPercentOrInf(f float64) string {
	if math.IsInf(f, 1) {
		return "∞"
	}
	return loadPercent(f)
}

func loadMSOrInf(v float64) string { return loadNum(v, 3) }

func loadDeref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

func loadOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
