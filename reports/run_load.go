package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/jpcheck/jpcheck/load"
)

// This file joins a load run (package load's Result) to the report model: reading a saved one,
// its part in the verdict, the trend's p99, and its free text for redaction.

// ReadLoad decodes a saved load run and its histogram (histogram_hdr). It is an error, naming
// path, when the file is not a load run this jpcheck reads.
func ReadLoad(path string) (*load.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPathErr(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxRunBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	res, err := decodeLoad(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}

func decodeLoad(b []byte) (*load.Result, error) {
	if len(b) > maxRunBytes {
		return nil, fmt.Errorf("larger than %d MiB: not a jpcheck load run", maxRunBytes>>20)
	}
	var probe struct {
		Version int             `json:"version"`
		Steps   json.RawMessage `json:"steps"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("not a jpcheck load run: %w", err)
	}
	switch {
	case probe.Version == 0:
		return nil, errors.New("no \"version\": not a jpcheck load run")
	case probe.Version > load.ResultVersion:
		return nil, fmt.Errorf("load format version %d is newer than this jpcheck reads (%d): upgrade jpcheck", probe.Version, load.ResultVersion)
	}
	var res *load.Result
	if probe.Steps != nil {
		// A capacity search: the report shows the run at the capacity found.
		var c load.CapacityResult
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("not a jpcheck capacity search: %w", err)
		}
		step := CapacityShownStep(&c)
		if step == nil {
			return nil, errors.New("a capacity search with no run")
		}
		res = step.Result
	} else if err := json.Unmarshal(b, &res); err != nil {
		return nil, fmt.Errorf("not a jpcheck load run: %w", err)
	}
	if err := attachHistogram(res); err != nil {
		return nil, err
	}
	return res, nil
}

// attachHistogram decodes the histogram a load result read from JSON carries.
func attachHistogram(res *load.Result) error {
	if res == nil || res.Histogram != nil || res.HistogramHDR == "" {
		return nil
	}
	h, err := load.DecodeHistogram([]byte(res.HistogramHDR))
	if err != nil {
		return err
	}
	res.Histogram = h
	return nil
}

// readLoadDir reads the load run in dir (LoadJSONFile, and LoadHistogramFile when the JSON
// does not carry the histogram) as a Run; nil when dir holds none.
func readLoadDir(dir string) (*Run, error) {
	path := filepath.Join(dir, LoadJSONFile)
	if _, err := os.Stat(path); err != nil {
		return nil, nil
	}
	res, err := ReadLoad(path)
	if err != nil {
		return nil, err
	}
	if res.Histogram == nil {
		hpath := filepath.Join(dir, LoadHistogramFile)
		if b, err := os.ReadFile(hpath); err == nil {
			if res.Histogram, err = load.DecodeHistogram(bytes.TrimSpace(b)); err != nil {
				return nil, fmt.Errorf("%s: %w", hpath, err)
			}
			res.HistogramHDR = string(bytes.TrimSpace(b))
		}
	}
	return FromLoad(res), nil
}

// FromLoad is the run of a load run alone: no specs, the load result, and its environment.
func FromLoad(res *load.Result) *Run {
	return &Run{
		Version: Version, Target: res.Target, StartedAt: res.StartedAt, DurationMS: int64(res.DurationMS),
		Environment: Environment{Target: res.Target, Time: res.StartedAt},
		Load:        res,
	}
}

// loadVerdict is the verdict of a run whose specs did not fail. With a load run: fail when
// responses under load broke the contract; otherwise load's own verdict (Evaluate's outcome,
// the one the JSON, text and OpenMetrics carry): fail is fail; inconclusive (a fail voided by
// generator lag) and not_judged are inconclusive, and so are an aborted or empty run and a
// pass with undecided checks (a compliance report claims only what the data decided).
// Without one: pass when a spec passed, else inconclusive (nothing was checked).
func loadVerdict(r *Run, specPassed bool) string {
	l := r.Load
	if l == nil {
		if specPassed {
			return VerdictPass
		}
		return VerdictInconclusive
	}
	v := l.SLO
	normalizeVerdict(&v, l.Requests)
	switch {
	case l.Validation.Failed > 0:
		return VerdictFail
	case l.Aborted || l.Requests == 0:
		return VerdictInconclusive
	case v.Outcome == load.OutcomeFail:
		return VerdictFail
	case v.Outcome == load.OutcomePass && v.Conclusive:
		return VerdictPass
	}
	// A voided fail, a run not judged, or a pass with checks the run was too short to decide.
	return VerdictInconclusive
}

func sloFailedChecks(l *load.Result) []load.Check {
	var out []load.Check
	for _, c := range l.SLO.Checks {
		if c.Pass != nil && !*c.Pass {
			out = append(out, c)
		}
	}
	return out
}

// loadVerdictReasons say why the load run passed, failed or could not tell.
func loadVerdictReasons(r *Run) []string {
	l := r.Load
	if l == nil {
		return nil
	}
	var why []string
	if l.Validation.Failed > 0 {
		why = append(why, fmt.Sprintf("%d of %d responses checked under load broke the contract", l.Validation.Failed, l.Validation.Validated))
	}
	v := l.SLO
	normalizeVerdict(&v, l.Requests)
	voided := v.Outcome == load.OutcomeInconclusive && v.GeneratorLimited
	switch {
	case v.Outcome == load.OutcomeNotJudged:
		why = append(why, "the load run was not judged: "+strings.Join(v.Reasons, "; "))
	case voided:
		reason := "a load SLO check failed while the load generator was behind its schedule: the fail is voided"
		if l.Generator.LimitedReason != "" {
			reason += " (" + l.Generator.LimitedReason + ")"
		}
		why = append(why, reason)
	default:
		for _, c := range sloFailedChecks(l) {
			why = append(why, fmt.Sprintf("load %s %s over its limit %s", c.Name, sloObserved(c), sloLimit(c)))
		}
	}
	switch {
	case voided || v.Outcome == load.OutcomeNotJudged:
	case l.Requests == 0:
		why = append(why, "the load run sent no request")
	case l.Aborted:
		why = append(why, "the load run was stopped early")
	case !l.SLO.Conclusive && len(sloFailedChecks(l)) == 0:
		why = append(why, fmt.Sprintf("%d requests did not decide every SLO check", l.Requests))
	}
	if len(why) == 0 {
		why = append(why, fmt.Sprintf("load SLO met at %.0f%% confidence over %d requests", 100*l.SLO.Confidence, l.Requests))
	}
	return why
}

// sloLimit and sloObserved print a check's numbers: milliseconds for percentiles, a
// percentage for the timeout budgets.
func sloLimit(c load.Check) string {
	if c.LimitFraction != nil {
		over := ""
		if c.LimitMS != nil {
			over = " over " + reportMS(c.LimitMS)
		}
		return "≤ " + reportPercent(*c.LimitFraction) + over
	}
	return reportMS(c.LimitMS)
}

func sloObserved(c load.Check) string {
	if c.LimitFraction != nil {
		if c.ObservedFraction == nil {
			return "–"
		}
		return reportPercent(*c.ObservedFraction)
	}
	if c.ObservedFailed {
		return "a failed request"
	}
	return reportMS(c.ObservedMS)
}

// sloCI prints a check's confidence interval; an end that does not exist is ∞.
func sloCI(c load.Check) string {
	end := func(v float64) string {
		if v > 1e300 {
			return "∞"
		}
		if c.LimitFraction != nil {
			return reportPercent(v)
		}
		return reportNum(v) + " ms"
	}
	return "[" + end(c.CI[0]) + ", " + end(c.CI[1]) + "]"
}

// sloResult is pass, fail or inconclusive (with the requests that would decide it).
func sloResult(c load.Check) string {
	switch {
	case c.Result == load.OutcomeNotJudged:
		return "not judged"
	case c.Pass == nil && c.Decide > 0:
		return fmt.Sprintf("inconclusive (≈%d requests would decide)", c.Decide)
	case c.Pass == nil:
		return VerdictInconclusive
	case *c.Pass:
		return VerdictPass
	}
	return VerdictFail
}

func reportMS(v *float64) string {
	if v == nil {
		return "–"
	}
	return reportNum(*v) + " ms"
}

func reportPercent(f float64) string { return reportNum(100*f) + "%" }

func reportNum(v float64) string {
	s := fmt.Sprintf("%.4f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

// loadP99 is the load run's observed p99 in milliseconds, nil without one.
func loadP99(r *Run) *float64 {
	if r.Load == nil || r.Load.Requests == 0 {
		return nil
	}
	p := r.Load.LatencyMS.P99
	return &p
}

// mapLoadStrings applies f to the free text of the load run, on a copy: the run may share its
// load result with the caller's.
func mapLoadStrings(r *Run, f func(string) string) {
	if r.Load == nil {
		return
	}
	l := *r.Load
	l.Target = f(l.Target)
	l.Generator.LimitedReason = f(l.Generator.LimitedReason)
	if l.SLO.Reasons != nil {
		l.SLO.Reasons = append([]string(nil), l.SLO.Reasons...)
		for i, s := range l.SLO.Reasons {
			l.SLO.Reasons[i] = f(s)
		}
	}
	if l.Validation.Findings != nil {
		fs := make([]load.FindingSample, len(l.Validation.Findings))
		for i, x := range l.Validation.Findings {
			x.Message = f(x.Message)
			fs[i] = x
		}
		l.Validation.Findings = fs
	}
	r.Load = &l
}

// RedactLoad returns res with customer data masked in its free text (the contract findings
// quote the bodies they were found in), for what jpcheck load prints; load.json keeps it.
func RedactLoad(res *load.Result) *load.Result {
	if res == nil {
		return nil
	}
	r := &Run{Load: res}
	mapLoadStrings(r, maskPII)
	return r.Load
}

// RedactCapacity is RedactLoad for each run of a capacity search.
func RedactCapacity(c *load.CapacityResult) *load.CapacityResult {
	if c == nil {
		return nil
	}
	n := *c
	n.Steps = append([]load.CapacityStep(nil), c.Steps...)
	for i := range n.Steps {
		n.Steps[i].Result = RedactLoad(n.Steps[i].Result)
	}
	return &n
}
