package reports

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Bounds that keep the summary short enough for $GITHUB_STEP_SUMMARY (1 MiB) and a pull-request
// comment (65,536 characters) however many specs failed: the page has the rest.
const (
	mdMaxFailedSpecs   = 20
	mdMaxFindings      = 5
	mdMaxSkipReasons   = 8
	mdMaxCellRunes     = 160
	mdMaxMessageRunes  = 240
	mdVerdictPass      = "✅ pass"
	mdVerdictFail      = "❌ fail"
	mdVerdictUndecided = "⚠️ inconclusive"
)

// WriteMarkdown writes a short summary of the run for $GITHUB_STEP_SUMMARY and pull-request
// comments: the verdict, the environment, a table per area, the failed specs with their
// findings, latency against the SLO when there was a load run, and coverage. Customer data is
// masked unless opts.NoRedact.
func WriteMarkdown(w io.Writer, r *Run, opts Options) error {
	r = opts.Shown(r).normalized()
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "## jpcheck: %s\n\n", mdVerdict(r.Verdict))
	if why := r.ErrorReason(); why != "" {
		fmt.Fprintf(bw, "**The run could not judge the target:** %s\n\n", oneLine(why))
	}
	fmt.Fprintf(bw, "%s\n\n", mdEnvironment(r))
	if len(r.Specs) > 0 {
		fmt.Fprintf(bw, "%s\n\n", SummaryLine(r))
		fmt.Fprintln(bw, "| area | passed | failed | skipped |")
		fmt.Fprintln(bw, "|---|---:|---:|---:|")
		for _, a := range Areas(r) {
			fmt.Fprintf(bw, "| %s | %d | %d | %d |\n", a.Label, a.Passed, a.Failed, a.Skipped)
		}
		fmt.Fprintln(bw)
	}
	writeMarkdownFailures(bw, r)
	writeMarkdownSkips(bw, r)
	writeMarkdownLoad(bw, r)
	writeMarkdownConsumers(bw, r)
	if len(r.Specs) > 0 {
		fmt.Fprintf(bw, "**Coverage:** %s.\n", coverageLine(r.Coverage))
	}
	if n := warningCount(r); n > 0 {
		fmt.Fprintf(bw, "\n%s on passing specs (see the report).\n", plural(n, "warning"))
	}
	return bw.Flush()
}

func mdVerdict(v string) string {
	switch v {
	case VerdictPass:
		return mdVerdictPass
	case VerdictFail:
		return mdVerdictFail
	case VerdictError:
		return "❌ error"
	}
	return mdVerdictUndecided
}

// mdEnvironment is one line: target, profile, documents, jpcheck version, time.
func mdEnvironment(r *Run) string {
	e := r.Environment
	parts := []string{"target " + mdCode(e.Target)}
	if e.Profile != "" {
		parts = append(parts, "profile "+e.Profile)
	}
	if e.SpecVersion != "" || e.SpecDigest != "" {
		spec := "specs " + e.SpecVersion
		if e.SpecDigest != "" {
			spec += " (sha256:" + shortDigest(e.SpecDigest) + ")"
		}
		parts = append(parts, strings.TrimSpace(spec))
	}
	if e.JpcheckVersion != "" {
		parts = append(parts, "jpcheck "+e.JpcheckVersion)
	}
	if !e.Time.IsZero() {
		parts = append(parts, e.Time.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return strings.Join(parts, " · ")
}

func shortDigest(d string) string {
	d = strings.TrimPrefix(d, "sha256:")
	if len(d) > 12 {
		return d[:12]
	}
	return d
}

// writeMarkdownFailures lists failed specs with their findings, bounded.
func writeMarkdownFailures(w io.Writer, r *Run) {
	var failed []Spec
	for _, s := range r.Specs {
		if s.State == StateFailed {
			failed = append(failed, s)
		}
	}
	if len(failed) == 0 {
		return
	}
	fmt.Fprintf(w, "### Failed specs (%d)\n\n", len(failed))
	byspec := map[string][]Finding{}
	for _, f := range r.Findings {
		byspec[f.Spec] = append(byspec[f.Spec], f)
	}
	for i, s := range failed {
		if i == mdMaxFailedSpecs {
			fmt.Fprintf(w, "… and %d more failed specs: see the report.\n\n", len(failed)-i)
			break
		}
		fmt.Fprintf(w, "- **%s**\n", mdText(s.Name, mdMaxCellRunes))
		fs := byspec[s.Name]
		if len(fs) == 0 && s.Message != "" {
			fmt.Fprintf(w, "  - %s\n", mdText(s.Message, mdMaxMessageRunes))
		}
		for j, f := range fs {
			if j == mdMaxFindings {
				fmt.Fprintf(w, "  - … and %d more findings: see the report\n", len(fs)-j)
				break
			}
			fmt.Fprintf(w, "  - %s\n", mdFinding(f))
		}
	}
	fmt.Fprintln(w)
}

// mdFinding is one finding on one line: pointer, severity and rule, message, expected vs
// actual, and the request that produced it.
func mdFinding(f Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s: %s", mdCode(orRoot(f.Pointer)), f.Severity, mdCode(string(f.Rule)), mdText(f.Message, mdMaxMessageRunes))
	if f.Expected != "" || f.Actual != "" {
		fmt.Fprintf(&b, " (expected %s, actual %s)", mdCode(f.Expected), mdCode(f.Actual))
	}
	if f.Request != "" {
		fmt.Fprintf(&b, " ← %s", mdCode(f.Request))
	}
	if f.RelatedRequest != "" {
		fmt.Fprintf(&b, " vs %s of %s", mdCode(orRoot(f.RelatedPointer)), mdCode(f.RelatedRequest))
	}
	return b.String()
}

// writeMarkdownSkips groups skipped specs by reason, most common first: a skip is never a
// pass, and the reasons say what fixtures or flags a full run needs.
func writeMarkdownSkips(w io.Writer, r *Run) {
	count := map[string]int{}
	for _, s := range r.Specs {
		if s.State != StatePassed && s.State != StateFailed {
			// A spec that could not run is listed with its reason among the skips: neither passes.
			count[oneLine(s.Message)]++
		}
	}
	if len(count) == 0 {
		return
	}
	reasons := make([]string, 0, len(count))
	for m := range count {
		reasons = append(reasons, m)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if count[reasons[i]] != count[reasons[j]] {
			return count[reasons[i]] > count[reasons[j]]
		}
		return reasons[i] < reasons[j]
	})
	if t := Tally(r.Specs); t.NotRun > 0 {
		fmt.Fprintf(w, "### Skipped or not run (%d)\n\n", t.Skipped+t.NotRun)
	} else {
		fmt.Fprintf(w, "### Skipped (%d)\n\n", t.Skipped)
	}
	for i, m := range reasons {
		if i == mdMaxSkipReasons {
			fmt.Fprintf(w, "- … and %d more reasons\n", len(reasons)-i)
			break
		}
		if m == "" {
			m = "(no reason given)"
		}
		fmt.Fprintf(w, "- %d × %s\n", count[m], mdText(m, mdMaxCellRunes))
	}
	fmt.Fprintln(w)
}

// coverageLine is "2 of 3 declared fields seen (67%) in 1 schema".
func coverageLine(c Coverage) string {
	if c.FieldsDeclared == 0 {
		return "no payload reached a declared schema"
	}
	return fmt.Sprintf("%d of %d declared fields seen (%.0f%%) in %s", c.FieldsSeen, c.FieldsDeclared,
		100*float64(c.FieldsSeen)/float64(c.FieldsDeclared), plural(len(c.Schemas), "schema"))
}

func warningCount(r *Run) int {
	failed := map[string]bool{}
	for _, s := range r.Specs {
		if s.State == StateFailed {
			failed[s.Name] = true
		}
	}
	n := 0
	for _, f := range r.Findings {
		if !failed[f.Spec] {
			n++
		}
	}
	return n
}

// mdText is free text made safe for one Markdown line or table cell: folded to one bounded
// line, with the characters Markdown and HTML would act on escaped.
func mdText(s string, max int) string {
	s = oneLine(s)
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return mdEscape.Replace(s)
}

var mdEscape = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "|", `\|`,
	"<", "&lt;", ">", "&gt;", "#", `\#`,
)

// mdCode is s as inline code, fenced with more backticks than it holds, with pipes escaped so
// a table cell stays whole. GitHub renders "\|" inside code as a pipe.
func mdCode(s string) string {
	s = oneLine(s)
	if r := []rune(s); len(r) > mdMaxCellRunes {
		s = string(r[:mdMaxCellRunes]) + "…"
	}
	if s == "" {
		return "`\"\"`"
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + strings.ReplaceAll(s, "|", `\|`) + pad + fence
}

// writeMarkdownLoad writes the load run: requests and rate, then each SLO check with its
// limit, what was observed, the confidence interval and the outcome.
func writeMarkdownLoad(w io.Writer, r *Run) {
	l := r.Load
	if l == nil {
		return
	}
	fmt.Fprintf(w, "### Latency: %s\n\n", mdVerdict(loadVerdict(&Run{Load: l}, false)))
	fmt.Fprintf(w, "%d requests to %s in %.1f s (%s/s achieved", l.Requests, mdCode(l.Endpoint), l.DurationMS/1000, reportNum(l.Rate.Achieved))
	if l.Rate.Requested > 0 {
		fmt.Fprintf(w, " of %s/s requested", reportNum(l.Rate.Requested))
	}
	fmt.Fprintf(w, "), %s.\n\n", plural(int(l.Errors.Count), "error"))
	for _, why := range loadVerdictReasons(&Run{Load: l}) {
		fmt.Fprintf(w, "- %s\n", mdText(why, mdMaxMessageRunes))
	}
	fmt.Fprintln(w)
	if len(l.SLO.Checks) > 0 {
		fmt.Fprintf(w, "| check | limit | observed | %.0f%% CI | result |\n", 100*l.SLO.Confidence)
		fmt.Fprintln(w, "|---|---:|---:|---|---|")
		for _, c := range l.SLO.Checks {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", c.Name, sloLimit(c), sloObserved(c), sloCI(c), sloResult(c))
		}
		fmt.Fprintln(w)
	}
	writeMarkdownWindow(w, l.Window)
}
