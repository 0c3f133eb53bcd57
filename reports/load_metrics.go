package reports

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"time"

	"github.com/jpcheck/jpcheck/load"
)

// The OpenMetrics of a load run are written whatever happened, so a dashboard sees an outage
// instead of the last good run: jpcheck_load_up says whether a run was measured (0 with the
// reason when the target was unreachable or the run was stopped), and
// jpcheck_load_run_timestamp_seconds when, so a stale file or Pushgateway group shows its age.

// Reasons of jpcheck_load_up, its reason label.
const (
	UpReasonOK          = "ok"          // the run was measured (up 1)
	UpReasonUnreachable = "unreachable" // no connection to the target (up 0)
	UpReasonAborted     = "aborted"     // the run was stopped before its end (up 0)
	UpReasonDown        = "down"        // the target stopped answering mid-run (up 0)
)

// LoadMetricsFile is the OpenMetrics of a `jpcheck load --out DIR` run.
const LoadMetricsFile = "load.prom"

// MetricsOptions add to the OpenMetrics of a load run.
type MetricsOptions struct {
	// Labels are name, value pairs added to every sample (--label environment=staging).
	Labels []string
}

// metricLabelName is a Prometheus label name; names starting with __ are reserved.
var metricLabelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// reservedMetricLabels are the labels jpcheck's own samples carry.
var reservedMetricLabels = []string{"le", "kind", "threshold", "check", "reason", "target", "endpoint", "mode", "quantile"}

// CheckMetricLabel says why name cannot be a --label, or nil.
func CheckMetricLabel(name string) error {
	switch {
	case !metricLabelName.MatchString(name) || len(name) > 2 && name[:2] == "__":
		return fmt.Errorf("label name %q: want letters, digits and _, not starting with a digit or __", name)
	case slices.Contains(reservedMetricLabels, name):
		return fmt.Errorf("label name %q is one of jpcheck's own (%v)", name, reservedMetricLabels)
	}
	return nil
}

func (o MetricsOptions) writer(w io.Writer) (*metricWriter, error) {
	if len(o.Labels)%2 != 0 {
		return nil, errors.New("metric labels must be name, value pairs")
	}
	for i := 0; i < len(o.Labels); i += 2 {
		if err := CheckMetricLabel(o.Labels[i]); err != nil {
			return nil, err
		}
	}
	m := &metricWriter{w: w}
	if len(o.Labels) > 0 {
		l := metricLabels(o.Labels...)
		m.base = l[1 : len(l)-1]
	}
	return m, nil
}

// runReason is the reason label of a run that produced a result.
func runReason(r *load.Result) string {
	switch {
	case r.Aborted:
		return UpReasonAborted
	case r.Error != "" && r.Requests == 0:
		return UpReasonUnreachable // the probe found nothing accepting connections
	case r.Error != "":
		return UpReasonDown
	}
	return UpReasonOK
}

// writeUp writes jpcheck_load_up and the run's timestamp.
func writeUp(m *metricWriter, target, reason string, at time.Time) {
	m.family("up", "gauge", "", "1 when the run was measured; 0 when the target was unreachable, stopped answering, or the run was stopped (the reason label says which).")
	m.sample("up", metricLabels("reason", reason, "target", redactURL(target)), metricBool(reason == UpReasonOK))
	m.family("run_timestamp_seconds", "gauge", "seconds", "When the run started (Unix time): a stale value means no run since.")
	m.sample("run_timestamp_seconds", "", float64(at.UnixMilli())/1000)
}

// WriteLoadMetrics writes a load run in the OpenMetrics text format, ending with # EOF:
// jpcheck_load_up, the run's timestamp, the run's metrics and, when the run was pooled with a
// history window, the window's (jpcheck_load_window_*).
func WriteLoadMetrics(w io.Writer, r *load.Result, opts MetricsOptions) error {
	bw := bufio.NewWriter(w)
	m, err := opts.writer(bw)
	if err != nil {
		return err
	}
	r = normalizedLoad(r)
	writeUp(m, r.Target, runReason(r), r.StartedAt)
	if err := writeLoadMetrics(m, r); err != nil {
		return err
	}
	if win := r.Window; win != nil {
		m.family("window_runs", "gauge", "", "Runs pooled in the history window (generator-limited and aborted runs are left out).")
		m.sample("window_runs", "", float64(win.Runs))
		m.family("window_requests", "gauge", "", "Requests of the runs pooled in the history window.")
		m.sample("window_requests", "", float64(win.Requests))
		m.family("window_slo_pass", "gauge", "", "1 when no check of the pooled window failed: the verdict a periodic alert should use.")
		m.sample("window_slo_pass", "", metricBool(win.SLO.Pass))
		m.family("window_slo_conclusive", "gauge", "", "1 when every check of the pooled window was decided.")
		m.sample("window_slo_conclusive", "", metricBool(win.SLO.Conclusive))
		writeLoadCheckMetrics(m, "window_slo_check_", win.SLO.Checks)
	}
	fmt.Fprintln(bw, "# EOF")
	return bw.Flush()
}

// WriteLoadDownMetrics writes the OpenMetrics of a run that measured nothing: jpcheck_load_up
// 0 with reason (UpReasonUnreachable, UpReasonAborted) and the time it was tried.
func WriteLoadDownMetrics(w io.Writer, target, reason string, at time.Time, opts MetricsOptions) error {
	bw := bufio.NewWriter(w)
	m, err := opts.writer(bw)
	if err != nil {
		return err
	}
	writeUp(m, target, reason, at)
	fmt.Fprintln(bw, "# EOF")
	return bw.Flush()
}
