package reports

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/jpcheck/jpcheck/load"
)

// The OpenMetrics rendering of a load run is for Prometheus through a Pushgateway or
// node_exporter's textfile collector. Both parse it with Prometheus's classic text parser as
// well as OpenMetrics', so it keeps to what both read: histograms and gauges only (no info or
// stateset types, no counters, whose _total suffix a one-shot run has no use for), no sample
// timestamps (a Pushgateway refuses them), and # UNIT lines, which the classic parser reads as
// comments. The latency histogram's buckets sit exactly at the SLO's limits, so an alert can
// compute the fraction of requests over any limit from two buckets.

// MetricsPrefix starts every metric name of a load run.
const MetricsPrefix = "jpcheck_load_"

// loadErrorKinds are the error kinds every rendering lists, at 0 when none happened, so an
// alert on a kind never meets an absent series.
func loadErrorKinds() []string {
	return []string{
		load.ErrorTimeout, load.ErrorConnection, load.ErrorStatus3xx, load.ErrorStatus4xx,
		load.ErrorStatus5xx, load.ErrorStatusOther, load.ErrorBodyTooLarge, load.ErrorContract,
		load.ErrorV4Open,
	}
}

// WriteLoadOpenMetrics writes a load run in the OpenMetrics text format, ending with # EOF.
func WriteLoadOpenMetrics(w io.Writer, r *load.Result) error {
	return WriteLoadMetrics(w, r, MetricsOptions{})
}

// WriteLoadCapacityOpenMetrics writes a capacity search: the capacity found, and the run at
// that rate (or, when no rate met the SLO, the first run) as WriteLoadOpenMetrics does.
func WriteLoadCapacityOpenMetrics(w io.Writer, c *load.CapacityResult) error {
	c = normalizedCapacity(c)
	bw := bufio.NewWriter(w)
	m := metricWriter{w: bw}
	shown := CapacityShownStep(c)
	if shown != nil {
		writeUp(&m, shown.Result.Target, runReason(shown.Result), shown.Result.StartedAt)
	}
	m.family("capacity_requests_per_second", "gauge", "", "The highest rate whose run met the SLO; 0 if none did.")
	m.sample("capacity_requests_per_second", "", c.Capacity)
	m.family("capacity_steps", "gauge", "", "Rates tried by the capacity search.")
	m.sample("capacity_steps", "", float64(len(c.Steps)))
	m.family("capacity_stopped", "gauge", "", "Why the search stopped: 1 for the reason, 0 for the others.")
	for _, why := range []string{load.StoppedBySLO, load.StoppedByGenerator, load.StoppedByInconclusive, load.StoppedByMax, load.StoppedByAborted} {
		m.sample("capacity_stopped", metricLabels("reason", why), metricBool(c.StoppedBy == why))
	}
	if shown != nil {
		if err := writeLoadMetrics(&m, normalizedLoad(shown.Result)); err != nil {
			return err
		}
	}
	fmt.Fprintln(bw, "# EOF")
	return bw.Flush()
}

func writeLoadMetrics(m *metricWriter, r *load.Result) error {
	hist, err := loadHistogramOf(r)
	if err != nil && r.HistogramHDR != "" {
		return err // a histogram that does not decode; a result without one skips the family
	}
	m.family("run_info", "gauge", "", "The run: target, endpoint and pacing mode.")
	m.sample("run_info", metricLabels("target", r.Target, "endpoint", r.Endpoint, "mode", r.Mode), 1)
	if hist != nil {
		writeLatencyHistogram(m, r, hist)
	}
	writeLoadCounts(m, r)
	return nil
}

// writeLatencyHistogram writes the latency histogram with buckets at the SLO's limits.
func writeLatencyHistogram(m *metricWriter, r *load.Result, hist *hdrhistogram.Histogram) {
	m.family("latency_seconds", "histogram", "seconds",
		"Order status latency from each request's intended send time; buckets at the SLO limits (TP50's 0.0198 read as seconds, as the document defines the percentiles).")
	var cum int64
	bars := hist.Distribution()
	next := 0
	for _, le := range loadLatencyBuckets(r.SLO) {
		limitUS := int64(math.Floor(le*1e6 + 1e-6))
		// A bucket of the histogram counts under le only when all of it is at or below le,
		// as the SLO verdict reads it (a request is surely within the limit).
		for next < len(bars) && bars[next].To <= limitUS {
			cum += bars[next].Count
			next++
		}
		m.sample("latency_seconds_bucket", metricLabels("le", metricLE(le)), float64(cum))
	}
	total := hist.TotalCount()
	m.sample("latency_seconds_bucket", metricLabels("le", "+Inf"), float64(total))
	m.sample("latency_seconds_sum", "", math.Round(hist.Mean()*float64(total))/1e6)
	m.sample("latency_seconds_count", "", float64(total))
}

// writeLoadCounts writes the run's counts, its verdict and its checks.
func writeLoadCounts(m *metricWriter, r *load.Result) {
	m.family("requests", "gauge", "", "Requests sent, answered or not.")
	m.sample("requests", "", float64(r.Requests))
	m.family("errors", "gauge", "", "Failed requests by kind (a request counts under one kind).")
	for _, k := range loadErrorKindsOf(r.Errors.ByKind) {
		m.sample("errors", metricLabels("kind", k), float64(r.Errors.ByKind[k]))
	}
	m.family("timeouts", "gauge", "", "Requests slower than the recommended timeout, or never answered.")
	m.sample("timeouts", metricLabels("threshold", "1000ms"), float64(r.Timeouts.Over1000ms.Count))
	m.sample("timeouts", metricLabels("threshold", "2000ms"), float64(r.Timeouts.Over2000ms.Count))
	m.family("rate_requests_per_second", "gauge", "", "The schedule's mean rate (requested; 0 unthrottled) and the rate sent (achieved).")
	m.sample("rate_requests_per_second", metricLabels("kind", "requested"), r.Rate.Requested)
	m.sample("rate_requests_per_second", metricLabels("kind", "achieved"), r.Rate.Achieved)
	m.family("duration_seconds", "gauge", "seconds", "Wall time of the run, first send to last answer.")
	m.sample("duration_seconds", "", msToSeconds(r.DurationMS))
	m.family("aborted", "gauge", "", "1 when the run was stopped before its duration.")
	m.sample("aborted", "", metricBool(r.Aborted))

	m.family("generator_lag_seconds", "gauge", "seconds", "p99 of the generator's delays: sends behind the schedule (send), process stalls (hiccup).")
	m.sample("generator_lag_seconds", metricLabels("kind", "send"), msToSeconds(r.Generator.LagP99MS))
	m.sample("generator_lag_seconds", metricLabels("kind", "hiccup"), msToSeconds(r.Generator.HiccupP99MS))

	m.family("slo_pass", "gauge", "", "1 when the verdict is pass: no SLO check failed (failed requests count against every check).")
	m.sample("slo_pass", "", metricBool(r.SLO.Pass))
	m.family("slo_verdict", "gauge", "", "The verdict: 1 for it, 0 for the others (pass, fail, inconclusive, not_judged).")
	for _, o := range []string{load.OutcomePass, load.OutcomeFail, load.OutcomeInconclusive, load.OutcomeNotJudged} {
		m.sample("slo_verdict", metricLabels("verdict", o), metricBool(r.SLO.Outcome == o))
	}
	m.family("slo_conclusive", "gauge", "", "1 when every SLO check was decided at the confidence level.")
	m.sample("slo_conclusive", "", metricBool(r.SLO.Conclusive))
	m.family("slo_generator_limited", "gauge", "", "1 when the load generator could not keep the requested rate.")
	m.sample("slo_generator_limited", "", metricBool(r.SLO.GeneratorLimited))
	writeLoadCheckMetrics(m, "slo_check_", r.SLO.Checks)
}

// writeCheckMetrics writes each SLO check: its limit and observed value (seconds for the
// percentiles, a ratio for the timeout budgets) and its outcome.
func writeLoadCheckMetrics(m *metricWriter, prefix string, checks []load.Check) {
	type value struct {
		check string
		v     float64
	}
	var limitS, observedS, limitR, observedR []value
	for _, c := range checks {
		if c.LimitFraction != nil {
			limitR = append(limitR, value{c.Name, *c.LimitFraction})
			if c.ObservedFraction != nil {
				observedR = append(observedR, value{c.Name, *c.ObservedFraction})
			}
			continue
		}
		if c.LimitMS != nil {
			limitS = append(limitS, value{c.Name, msToSeconds(*c.LimitMS)})
		}
		if c.ObservedMS != nil {
			observedS = append(observedS, value{c.Name, msToSeconds(*c.ObservedMS)})
		}
	}
	for _, f := range []struct {
		name, unit, help string
		vs               []value
	}{
		{prefix + "limit_seconds", "seconds", "Each percentile check's limit.", limitS},
		{prefix + "observed_seconds", "seconds", "Each percentile check's observed value.", observedS},
		{prefix + "limit_ratio", "ratio", "Each timeout or errors check's largest allowed fraction of requests.", limitR},
		{prefix + "observed_ratio", "ratio", "Each timeout or errors check's observed fraction of requests.", observedR},
	} {
		if len(f.vs) == 0 {
			continue
		}
		m.family(f.name, "gauge", f.unit, f.help)
		for _, v := range f.vs {
			m.sample(f.name, metricLabels("check", v.check), v.v)
		}
	}
	if len(checks) == 0 {
		return
	}
	m.family(prefix+"pass", "gauge", "", "1 when the check passed; 0 when it failed or was inconclusive.")
	for _, c := range checks {
		m.sample(prefix+"pass", metricLabels("check", c.Name), metricBool(c.Pass != nil && *c.Pass))
	}
	m.family(prefix+"conclusive", "gauge", "", "1 when the check was decided at the confidence level.")
	for _, c := range checks {
		m.sample(prefix+"conclusive", metricLabels("check", c.Name), metricBool(c.Pass != nil))
	}
}

// latencyBuckets are the upper bounds, in seconds, of the latency histogram: every limit of
// the SLO (the percentile limits and the two timeout thresholds), ascending.
func loadLatencyBuckets(v load.Verdict) []float64 {
	var les []float64
	for _, c := range v.Checks {
		if c.LimitMS != nil && *c.LimitMS > 0 && !math.IsInf(*c.LimitMS, 0) {
			les = append(les, msToSeconds(*c.LimitMS))
		}
	}
	if len(les) == 0 {
		d := load.DefaultSLO()
		for _, ms := range []float64{d.TP50MS, d.TP90MS, d.TP99MS, d.TP999MS, d.TP9999MS, 1000, 2000} {
			les = append(les, msToSeconds(ms))
		}
	}
	slices.Sort(les)
	return slices.Compact(les)
}

// histogramOf is the run's latency histogram, decoded from its JSON copy when the run was read
// back from a file.
func loadHistogramOf(r *load.Result) (*hdrhistogram.Histogram, error) {
	if r.Histogram != nil {
		return r.Histogram, nil
	}
	if r.HistogramHDR == "" {
		return nil, errors.New("the load run has no latency histogram")
	}
	return load.DecodeHistogram([]byte(r.HistogramHDR))
}

func loadErrorKindsOf(byKind map[string]int64) []string {
	kinds := loadErrorKinds()
	var extra []string
	for k := range byKind {
		if !slices.Contains(kinds, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	return append(kinds, extra...)
}

// metricWriter writes metric families and samples, names prefixed with MetricsPrefix; base
// (rendered a="x",b="y") is added to every sample's labels.
type metricWriter struct {
	w    io.Writer
	base string
}

func (m *metricWriter) family(name, typ, unit, help string) {
	fmt.Fprintf(m.w, "# TYPE %s%s %s\n", MetricsPrefix, name, typ)
	if unit != "" {
		fmt.Fprintf(m.w, "# UNIT %s%s %s\n", MetricsPrefix, name, unit)
	}
	fmt.Fprintf(m.w, "# HELP %s%s %s\n", MetricsPrefix, name, metricEscapeHelp(help))
}

func (m *metricWriter) sample(name string, lbls string, v float64) {
	switch {
	case m.base == "":
	case lbls == "":
		lbls = "{" + m.base + "}"
	default:
		lbls = "{" + m.base + "," + lbls[1:]
	}
	fmt.Fprintf(m.w, "%s%s%s %s\n", MetricsPrefix, name, lbls, metricValue(v))
}

// labels renders name/value pairs as {a="x",b="y"}.
func metricLabels(kv ...string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=\"%s\"", kv[i], metricEscapeLabel(kv[i+1]))
	}
	b.WriteByte('}')
	return b.String()
}

var (
	metricLabelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	metricHelpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func metricEscapeLabel(s string) string { return metricLabelEscaper.Replace(s) }
func metricEscapeHelp(s string) string  { return metricHelpEscaper.Replace(s) }

func metricValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// formatLE writes a bucket bound as OpenMetrics' canonical float: 1 is "1.0".
func metricLE(v float64) string {
	s := metricValue(v)
	if !strings.ContainsAny(s, ".eInN") {
		s += ".0"
	}
	return s
}

// msToSeconds converts through whole nanoseconds, so 55.71 ms is 0.05571 s and not
// 0.05571000000000001.
func msToSeconds(ms float64) float64 { return math.Round(ms*1e6) / 1e9 }

func metricBool(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
