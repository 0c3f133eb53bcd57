package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
)

// SuiteName names the suite in JUnit, as suites.Run names it for Ginkgo.
const SuiteName = "jpcheck conformance"

// WriteJUnit writes the run as JUnit XML at path, one testcase per spec of the run, through
// Ginkgo's own JUnit writer. Ginkgo's report, when the run has one, gives failed specs their
// timelines; specs a label filter or focus left out and suite setup nodes are not testcases.
func WriteJUnit(path string, r *Run) error {
	r = r.normalized()
	report := junitReport(r)
	cfg := reporters.JunitReportConfig{
		OmitSuiteSetupNodes:       true,
		OmitTimelinesForSpecState: types.SpecStatePassed | types.SpecStateSkipped | types.SpecStatePending,
	}
	// Ginkgo writes to the path it is given: write beside the target and rename, so a run that
	// stops mid-write never leaves half a file where CI looks for one.
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name()) // after the rename this removes nothing
	if err := reporters.GenerateJUnitReportWithConfig(report, tmp.Name(), cfg); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// junitReport is r's Ginkgo report narrowed to r's specs, or one built from r's specs when
// the run did not come from Ginkgo or Ginkgo's report lacks a spec of the run.
func junitReport(r *Run) types.Report {
	byName := map[string]types.SpecReport{}
	for _, sr := range r.Report.SpecReports {
		if sr.LeafNodeType == types.NodeTypeIt {
			byName[sr.FullText()] = sr
		}
	}
	rep := r.Report
	rep.SpecReports = nil
	if rep.SuiteDescription == "" {
		rep.SuiteDescription = SuiteName
	}
	if rep.StartTime.IsZero() {
		rep.StartTime = r.StartedAt
	}
	if rep.RunTime == 0 {
		rep.RunTime = r.Duration()
	}
	rep.SuiteSucceeded = r.Summary.Failed == 0
	for _, s := range r.Specs {
		if sr, ok := byName[s.Name]; ok {
			rep.SpecReports = append(rep.SpecReports, sr)
			continue
		}
		rep.SpecReports = append(rep.SpecReports, specReport(r, s))
	}
	return rep
}

// specReport builds Ginkgo's view of a spec the run carries without one: its failure message
// lists the spec's findings, as the suites' own failure messages do.
func specReport(r *Run, s Spec) types.SpecReport {
	sr := types.SpecReport{
		LeafNodeType:   types.NodeTypeIt,
		LeafNodeText:   s.Name,
		LeafNodeLabels: s.Labels,
		RunTime:        time.Duration(s.DurationMS) * time.Millisecond,
		StartTime:      r.StartedAt,
	}
	switch s.State {
	case StatePassed:
		sr.State = types.SpecStatePassed
	case StateFailed:
		sr.State = types.SpecStateFailed
	default:
		sr.State = types.SpecStateSkipped
	}
	msg := s.Message
	if fs := r.findingsOf(s.Name); len(fs) > 0 && s.State == StateFailed {
		var b strings.Builder
		b.WriteString(msg)
		for _, f := range fs {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			fmt.Fprintf(&b, "%s %s %s: %s [%s]", orRoot(f.Pointer), f.Severity, f.Rule, f.Message, f.Request)
		}
		msg = b.String()
	}
	if s.State != StatePassed {
		sr.Failure = types.Failure{Message: msg}
	}
	return sr
}
