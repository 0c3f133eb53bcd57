package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteText writes what a person at a terminal needs after Ginkgo's progress: each failed
// spec with its findings, each skipped spec with its reason, the findings of passed specs
// (warnings), and one summary line.
func WriteText(w io.Writer, r *Run) error {
	r = r.normalized()
	bw := bufio.NewWriter(w)
	for _, s := range r.Specs {
		fs := r.findingsOf(s.Name)
		switch {
		case s.State == StateSkipped || s.State == StateNotRun:
			fmt.Fprintf(bw, "%-7s  %s: %s\n", s.State, s.Name, oneLine(s.Message))
		case s.State == StateFailed || len(fs) > 0:
			fmt.Fprintf(bw, "%-7s  %s\n", s.State, s.Name)
			if s.State == StateFailed && len(fs) == 0 {
				fmt.Fprintf(bw, "         %s\n", oneLine(s.Message))
			}
			for _, f := range fs {
				writeTextFinding(bw, f)
			}
		}
	}
	fmt.Fprintln(bw, SummaryLine(r))
	if why := r.ErrorReason(); why != "" {
		fmt.Fprintf(bw, "error: %s\n", oneLine(why))
	}
	return bw.Flush()
}

func writeTextFinding(w io.Writer, f Finding) {
	fmt.Fprintf(w, "         %s  %s  %s  %s", orRoot(f.Pointer), f.Severity, f.Rule, oneLine(f.Message))
	if f.Request != "" {
		fmt.Fprintf(w, "  [%s]", f.Request)
	}
	if f.RelatedRequest != "" {
		fmt.Fprintf(w, "  vs %s of %s", orRoot(f.RelatedPointer), f.RelatedRequest)
	}
	fmt.Fprintln(w)
}

// SummaryLine is "N specs: P passed, F failed, S skipped in 4.2s against URL".
func SummaryLine(r *Run) string {
	s := Tally(r.Specs)
	line := fmt.Sprintf("%s: %d passed, %d failed, %d skipped", plural(s.Specs, "spec"), s.Passed, s.Failed, s.Skipped)
	if s.NotRun > 0 {
		line += fmt.Sprintf(", %d not run", s.NotRun)
	}
	line += fmt.Sprintf(" in %.1fs", r.Duration().Seconds())
	if r.Target != "" {
		line += " against " + r.Target
	}
	return line
}

// VerdictLine is the run's verdict and why, on one line: "verdict: fail (2 of 118 specs
// failed)", "verdict: inconclusive (nothing was run)".
func VerdictLine(r *Run) string {
	n := r.normalized()
	var why []string
	if e := n.ErrorReason(); e != "" {
		why = append(why, oneLine(e))
	}
	if n.Summary.Failed > 0 {
		why = append(why, fmt.Sprintf("%d of %s failed", n.Summary.Failed, plural(n.Summary.Specs, "spec")))
	} else if n.Summary.Specs > 0 {
		why = append(why, fmt.Sprintf("%d of %s passed, %d skipped", n.Summary.Passed, plural(n.Summary.Specs, "spec"), n.Summary.Skipped))
	}
	why = append(why, loadVerdictReasons(n)...)
	if len(why) == 0 {
		why = append(why, "nothing was run")
	}
	return fmt.Sprintf("verdict: %s (%s)", n.Verdict, strings.Join(why, "; "))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// orRoot shows the root pointer "" as (root), as validate does.
func orRoot(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}

// maxLineRunes bounds one folded message on a terminal row; the reports keep it whole.
const maxLineRunes = 400

// oneLine folds a multi-line message (a Gomega failure) into one bounded line for a terminal
// row.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxLineRunes {
		return string(r[:maxLineRunes]) + "…"
	}
	return s
}
