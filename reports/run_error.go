package reports

import "github.com/jpcheck/jpcheck/load"

// This file holds the error verdict: a run that could not judge its target (unreachable,
// judged down mid-run, out of budget) says so with verdict error and its reason, rather than
// passing, failing or vanishing.

// ErrorReason is why the run could not judge the target: its own Error, else its load run's;
// empty when it could.
func (r *Run) ErrorReason() string {
	if r.Error != "" {
		return r.Error
	}
	if r.Load != nil {
		return r.Load.Error
	}
	return ""
}

// LoadVerdict is a load run's verdict on its own, as its JSON carries it: error when the run
// could not judge the target (load.Result.Error), else what a report holding only this load
// run would say.
func LoadVerdict(l *load.Result) string {
	if l == nil {
		return VerdictInconclusive
	}
	if l.Error != "" {
		return VerdictError
	}
	return loadVerdict(&Run{Load: l}, false)
}
