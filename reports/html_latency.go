package reports

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/jpcheck/jpcheck/load"
)

// htmlLatency is the load run arranged for the page: the SLO checks in words, the plots, and
// what went wrong under load.
type htmlLatency struct {
	*load.Result
	Verdict  string
	Reasons  []string
	Checks   []htmlCheck
	Duration string
	// The plots; PercentilePlot is empty without a histogram (a run read back from JSON
	// without its encoded histogram).
	PercentilePlot, RatePlot, P99Plot template.HTML
	ErrorKinds                        []htmlCount
	// The pooled verdict of the history window, when the run was pooled with one.
	WindowVerdict, WindowLine string
	WindowChecks              []htmlCheck
}

// htmlCheck is one SLO check as a row: every cell already words.
type htmlCheck struct {
	Name, Limit, Observed, CI, Verdict, Note string
}

type htmlCount struct {
	Kind  string
	Count int64
}

// newHTMLLatency is nil for a run without load.
func newHTMLLatency(r *Run) *htmlLatency {
	res := r.Load
	if res == nil {
		return nil
	}
	l := &htmlLatency{Result: res, Verdict: loadSectionVerdict(res), Duration: fmt.Sprintf("%.1f s", res.DurationMS/1000)}
	failed := map[string]bool{}
	for _, c := range res.SLO.Checks {
		failed[c.Name+" failed"] = true
	}
	for _, why := range res.SLO.Reasons {
		if !failed[why] { // the table says which checks failed
			l.Reasons = append(l.Reasons, why)
		}
	}
	if win := res.Window; win != nil {
		l.WindowVerdict, l.WindowLine = windowVerdict(win), LoadWindowLine(win)
		for _, c := range win.SLO.Checks {
			l.WindowChecks = append(l.WindowChecks, checkRow(c))
		}
	}
	var marks []sloMark
	for _, c := range res.SLO.Checks {
		l.Checks = append(l.Checks, checkRow(c))
		if m, ok := checkMark(c); ok {
			marks = append(marks, m)
		}
	}
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].Percentile < marks[j].Percentile })
	if res.Histogram != nil && res.Histogram.TotalCount() > 0 {
		l.PercentilePlot = percentileSVG(percentileCurve(res.Histogram), marks)
	}
	if len(res.Series) > 0 {
		rate, requested, p99 := make([]seriesPoint, len(res.Series)), []seriesPoint(nil), make([]seriesPoint, len(res.Series))
		for i, pt := range res.Series {
			rate[i], p99[i] = seriesPoint{pt.T, pt.Rate}, seriesPoint{pt.T, pt.P99MS}
			if pt.Requested > 0 {
				requested = append(requested, seriesPoint{pt.T, pt.Requested})
			}
		}
		l.RatePlot = seriesSVG("rate", "Responses per second", "req/s", rate, requested, "requested rate")
		var limit []seriesPoint
		for _, c := range res.SLO.Checks {
			if c.Name == load.CheckTP99 && c.LimitMS != nil {
				limit = []seriesPoint{{0, *c.LimitMS}, {rate[len(rate)-1].T, *c.LimitMS}}
			}
		}
		l.P99Plot = seriesSVG("p99", "p99 latency of each second", "ms", p99, limit, "TP99 limit")
	}
	for k, n := range res.Errors.ByKind {
		if n > 0 {
			l.ErrorKinds = append(l.ErrorKinds, htmlCount{k, n})
		}
	}
	sort.Slice(l.ErrorKinds, func(i, j int) bool {
		if l.ErrorKinds[i].Count != l.ErrorKinds[j].Count {
			return l.ErrorKinds[i].Count > l.ErrorKinds[j].Count
		}
		return l.ErrorKinds[i].Kind < l.ErrorKinds[j].Kind
	})
	return l
}

// loadSectionVerdict is the load run's own verdict, as the run's verdict counts it.
func loadSectionVerdict(res *load.Result) string { return loadVerdict(&Run{Load: res}, false) }

func checkVerdict(c load.Check) string {
	switch {
	case c.Pass == nil:
		return VerdictInconclusive
	case *c.Pass:
		return VerdictPass
	}
	return VerdictFail
}

// checkRow puts one check in words: a percentile in milliseconds, a timeout budget as the
// share of requests over its threshold.
func checkRow(c load.Check) htmlCheck {
	row := htmlCheck{Name: c.Name, Verdict: checkVerdict(c)}
	if c.LimitFraction != nil {
		threshold := 0.0
		if c.LimitMS != nil {
			threshold = *c.LimitMS
		}
		row.Limit = fmt.Sprintf("≤ %s of requests over %s", pct(*c.LimitFraction), formatMS(threshold))
		if c.ObservedFraction != nil {
			row.Observed = pct(*c.ObservedFraction)
		}
		row.CI = interval(c.CI, pct)
	} else {
		if c.LimitMS != nil {
			row.Limit = "≤ " + formatMS(*c.LimitMS)
		}
		if c.ObservedMS != nil {
			row.Observed = formatMS(*c.ObservedMS)
		}
		row.CI = interval(c.CI, formatMS)
	}
	if row.Observed == "" {
		row.Observed = "no data"
	}
	if c.Pass == nil {
		switch {
		case c.Decide > 0:
			row.Note = "about " + groupDigits(c.Decide) + " requests would decide it"
		case math.IsInf(c.CI[1], 1):
			row.Note = "too few requests for this percentile"
		}
	}
	return row
}

// checkMark places a check on the percentile plot: a percentile check at its quantile, a
// timeout budget at the percentile it allows (at most 0.1% over 1000 ms is TP99.9 ≤ 1000 ms).
func checkMark(c load.Check) (sloMark, bool) {
	if c.LimitMS == nil {
		return sloMark{}, false
	}
	m := sloMark{Label: c.Name, LimitMS: *c.LimitMS, Verdict: checkVerdict(c)}
	if c.LimitFraction != nil {
		m.Percentile = 100 * (1 - *c.LimitFraction)
		m.Label = fmt.Sprintf("≤ %s over %s", pct(*c.LimitFraction), formatMS(*c.LimitMS))
		return m, true
	}
	if c.Quantile <= 0 {
		return sloMark{}, false
	}
	m.Percentile, m.Step = 100*c.Quantile, true
	if c.ObservedMS != nil {
		m.ObservedMS = *c.ObservedMS
	}
	if c.CI[0] > 0 && !math.IsInf(c.CI[1], 0) {
		m.CILowMS, m.CIHighMS = c.CI[0], c.CI[1]
	}
	return m, true
}

// interval prints a confidence interval; an end that does not exist is open.
func interval(iv load.Interval, f func(float64) string) string {
	hi := "∞"
	if !math.IsInf(iv[1], 0) && !math.IsNaN(iv[1]) {
		hi = f(iv[1])
	}
	return "[" + f(iv[0]) + ", " + hi + "]"
}

// pct prints a fraction as a percentage with the digits a small budget needs: 0.1%, 0.01%.
func pct(f float64) string {
	switch {
	case f == 0:
		return "0%"
	case f >= 0.01:
		return strconv.FormatFloat(math.Round(f*1000)/10, 'f', -1, 64) + "%"
	}
	return strconv.FormatFloat(f*100, 'g', 2, 64) + "%"
}

// groupDigits prints 1234567 as 1,234,567.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && c != '-' && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
