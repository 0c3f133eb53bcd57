package contracts

import "fmt"

// MaxFindings bounds the findings listed for one payload. A hostile payload within the size
// bound (a million array elements, each missing its required fields) could otherwise make
// millions of findings and gigabytes of output; past the bound findings are counted, not kept,
// and one last finding (rule findings-limit) says how many of each severity went unlisted.
const MaxFindings = 1000

// RuleFindingsLimit ends a list cut at MaxFindings: an error when any unlisted finding is one.
const RuleFindingsLimit Rule = "findings-limit"

type unlisted struct{ errors, warnings int }

// count reports whether a finding of sev still fits a list of n findings, and counts it when
// it does not.
func (u *unlisted) count(sev Severity, n int) bool {
	if n < MaxFindings {
		return true
	}
	if sev == SeverityError {
		u.errors++
	} else {
		u.warnings++
	}
	return false
}

func (u *unlisted) merge(o unlisted) { u.errors += o.errors; u.warnings += o.warnings }

func (u unlisted) total() int { return u.errors + u.warnings }

// listLimit appends the findings-limit finding, after the sorted list it sums up.
func (w *walker) listLimit() {
	u := w.unlisted
	if u.total() == 0 {
		return
	}
	sev := SeverityWarning
	if u.errors > 0 {
		sev = SeverityError
	}
	w.findings = append(w.findings, Finding{
		Rule: RuleFindingsLimit, Severity: sev,
		Message:  fmt.Sprintf("%d more findings (%d errors, %d warnings) not listed: a payload lists at most %d", u.total(), u.errors, u.warnings, MaxFindings),
		Expected: fmt.Sprintf("at most %d findings", MaxFindings),
		Actual:   fmt.Sprintf("%d findings", len(w.findings)+u.total()),
	})
}
