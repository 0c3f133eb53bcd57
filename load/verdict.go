package load

import (
	"encoding/json"
	"fmt"
	"math"
)

// The verdict: each SLO limit is judged by a confidence interval, not by a point estimate
// against a line. A check passes when its interval lies within the limit, fails when it lies
// beyond, and is otherwise inconclusive, with the number of requests that would decide it.
// Everything here is a pure function of counts and order statistics: no clocks, no I/O.

// Check names, in the order Evaluate reports them. They are an interface: never rename one.
const (
	CheckTP50        = "TP50"
	CheckTP90        = "TP90"
	CheckTP99        = "TP99"
	CheckTP999       = "TP99.9"
	CheckTP9999      = "TP99.99"
	CheckTimeout1000 = "timeout-1000ms"
	CheckTimeout2000 = "timeout-2000ms"
)

// Sample is a latency distribution as the verdict reads it: its size and its order statistics.
type Sample interface {
	Count() int64
	// Rank bounds the r-th smallest value (1 ≤ r ≤ Count), in milliseconds: a histogram knows
	// a value only to its bucket, lo and hi being the bucket's ends; exact samples give lo = hi.
	Rank(r int64) (lo, hi float64)
}

// Counts are the request counts the timeout-budget checks read.
type Counts struct {
	Requests int64 // every request sent, answered or not
	Over1000 int64 // requests slower than 1000 ms or never answered
	Over2000 int64 // requests slower than 2000 ms or never answered
}

// EvalOptions tune Evaluate.
type EvalOptions struct {
	// RequireConclusive makes an inconclusive check fail the verdict.
	RequireConclusive bool
	// GeneratorLimited, when not empty, says why the generator could not pace the run.
	GeneratorLimited string
}

// Verdict is the SLO's outcome.
//
// A generator-limited run (the load generator fell behind its schedule, so the latencies were
// not measured at the requested rate) never passes: Pass is false, Conclusive is false and
// Reasons says why, whatever the checks found. The checks are still reported as measured.
type Verdict struct {
	// Pass is true when no check failed, the run was not generator-limited, it made at least
	// one request and, with RequireConclusive, no check was inconclusive.
	Pass bool `json:"pass"`
	// Conclusive is false when any check was inconclusive or the run was generator-limited.
	Conclusive       bool     `json:"conclusive"`
	GeneratorLimited bool     `json:"generator_limited"`
	Confidence       float64  `json:"confidence"`
	Reasons          []string `json:"reasons,omitempty"`
	Checks           []Check  `json:"checks"`
}

// Check is one SLO limit judged. Percentile checks carry milliseconds (LimitMS, ObservedMS,
// CI in ms); the timeout-budget checks carry fractions (LimitFraction, ObservedFraction, CI as
// fractions) and their threshold in LimitMS.
type Check struct {
	Name             string   `json:"name"`
	Quantile         float64  `json:"quantile,omitempty"` // percentile checks: 0.5 … 0.9999
	LimitMS          *float64 `json:"limit_ms"`
	ObservedMS       *float64 `json:"observed_ms"`
	LimitFraction    *float64 `json:"limit_fraction"`
	ObservedFraction *float64 `json:"observed_fraction"`
	CI               Interval `json:"ci"`
	// Pass is true or false when decided, nil (null) when inconclusive.
	Pass *bool `json:"pass"`
	// Decide is, for an inconclusive check, the total number of requests that would decide it
	// if what was observed held; 0 when decided or when no number would.
	Decide int64 `json:"requests_to_decide,omitempty"`
}

// Interval is a confidence interval. An end that does not exist (too few samples for the
// order statistic) is +Inf above (null in JSON); a missing lower end is 0.
type Interval [2]float64

// MarshalJSON writes a non-finite end as null.
func (iv Interval) MarshalJSON() ([]byte, error) {
	var out [2]*float64
	for i, v := range iv {
		if !math.IsInf(v, 0) && !math.IsNaN(v) {
			out[i] = &v
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads null as 0 below and +Inf above.
func (iv *Interval) UnmarshalJSON(b []byte) error {
	var in [2]*float64
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*iv = Interval{0, math.Inf(1)}
	for i, v := range in {
		if v != nil {
			iv[i] = *v
		}
	}
	return nil
}

// Evaluate judges a run against slo: the five percentile limits on lat and the two timeout
// budgets on c.
func Evaluate(slo SLO, lat Sample, c Counts, opts EvalOptions) Verdict {
	alpha := 1 - slo.Confidence
	v := Verdict{Pass: true, Conclusive: true, Confidence: slo.Confidence}
	for _, pc := range percentileLimits(slo) {
		v.Checks = append(v.Checks, percentileCheck(pc.name, pc.q, pc.limit, lat, alpha))
	}
	v.Checks = append(v.Checks,
		fractionCheck(CheckTimeout1000, 1000, slo.Over1000MaxFraction, c.Over1000, c.Requests, alpha),
		fractionCheck(CheckTimeout2000, 2000, slo.Over2000MaxFraction, c.Over2000, c.Requests, alpha))
	for _, ch := range v.Checks {
		switch {
		case ch.Pass == nil:
			v.Conclusive = false
			if opts.RequireConclusive {
				v.Pass = false
				v.Reasons = append(v.Reasons, fmt.Sprintf("%s is inconclusive and a conclusive verdict is required", ch.Name))
			}
		case !*ch.Pass:
			v.Pass = false
			v.Reasons = append(v.Reasons, ch.Name+" failed")
		}
	}
	if c.Requests == 0 {
		// Nothing measured cannot pass, however inconclusive that leaves every check.
		v.Pass = false
		v.Reasons = append(v.Reasons, "no requests were made")
	}
	if opts.GeneratorLimited != "" {
		v.GeneratorLimited, v.Pass, v.Conclusive = true, false, false
		v.Reasons = append(v.Reasons, "generator-limited: "+opts.GeneratorLimited)
	}
	return v
}

type percentileLimit struct {
	name  string
	q     float64
	limit float64
}

func percentileLimits(slo SLO) []percentileLimit {
	return []percentileLimit{
		{CheckTP50, 0.5, slo.TP50MS},
		{CheckTP90, 0.9, slo.TP90MS},
		{CheckTP99, 0.99, slo.TP99MS},
		{CheckTP999, 0.999, slo.TP999MS},
		{CheckTP9999, 0.9999, slo.TP9999MS},
	}
}

// quantileRank is the rank of the q-quantile of n samples: the smallest value with at least
// q·n samples at or below it.
func quantileRank(q float64, n int64) int64 {
	r := int64(math.Ceil(q*float64(n) - 1e-9))
	return max(1, min(r, n))
}

// percentileCheck judges "the q-quantile is at most limit ms". With kPass samples surely at
// or below the limit and kMaybe possibly so (they differ only inside one histogram bucket),
// it passes when x₍u₎ ≤ limit (kPass ≥ u) and fails when x₍l₎ > limit (kMaybe < l).
func percentileCheck(name string, q, limit float64, lat Sample, alpha float64) Check {
	ch := Check{Name: name, Quantile: q, LimitMS: ptr(limit), CI: Interval{0, math.Inf(1)}}
	n := lat.Count()
	if n > 0 {
		_, hi := lat.Rank(quantileRank(q, n))
		ch.ObservedMS = ptr(roundMS(hi))
	}
	l, u := orderRanks(n, q, alpha)
	if l >= 1 {
		lo, _ := lat.Rank(l)
		ch.CI[0] = roundMS(lo)
	}
	if u <= n {
		_, hi := lat.Rank(u)
		ch.CI[1] = roundMS(hi)
	}
	kPass := countAtMost(lat, limit, func(_, hi float64) float64 { return hi })
	kMaybe := countAtMost(lat, limit, func(lo, _ float64) float64 { return lo })
	switch percentileDecision(n, kPass, kMaybe, q, alpha) {
	case decidedPass:
		ch.Pass = ptr(true)
	case decidedFail:
		ch.Pass = ptr(false)
	default:
		f := float64(kPass) / float64(max(n, 1))
		if n > 0 && f <= q {
			f = float64(kMaybe) / float64(n)
		}
		if n == 0 {
			f = 1 // with no data, the least it takes for a pass to be possible at all
		}
		ch.Decide = requestsToDecide(n, func(m int64) decision {
			k := int64(math.Floor(f * float64(m)))
			return percentileDecision(m, k, k, q, alpha)
		})
	}
	return ch
}

type decision int

const (
	undecided decision = iota
	decidedPass
	decidedFail
)

func percentileDecision(n, kPass, kMaybe int64, q, alpha float64) decision {
	l, u := orderRanks(n, q, alpha)
	switch {
	case u <= n && kPass >= u:
		return decidedPass
	case l >= 1 && kMaybe < l:
		return decidedFail
	}
	return undecided
}

// countAtMost is the number of samples whose bound (picked from a rank's lo and hi) is at
// most limit; ranks are sorted, so it is a binary search.
func countAtMost(lat Sample, limit float64, bound func(lo, hi float64) float64) int64 {
	lo, hi := int64(0), lat.Count() // rank lo qualifies (0: vacuously), rank hi+1 does not
	if hi == 0 {
		return 0
	}
	if bound(lat.Rank(hi)) <= limit {
		return hi
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if bound(lat.Rank(mid)) <= limit {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// fractionCheck judges "at most limit of the requests exceed threshold ms" by the exact
// (Clopper-Pearson) interval of the fraction: pass when its upper end is within the limit,
// fail when its lower end is beyond.
func fractionCheck(name string, thresholdMS, limit float64, over, n int64, alpha float64) Check {
	ch := Check{Name: name, LimitMS: ptr(thresholdMS), LimitFraction: ptr(limit)}
	if n > 0 {
		ch.ObservedFraction = ptr(float64(over) / float64(n))
	}
	lo, hi := clopperPearson(over, n, alpha)
	ch.CI = Interval{lo, hi}
	switch fractionDecision(over, n, limit, alpha) {
	case decidedPass:
		ch.Pass = ptr(true)
	case decidedFail:
		ch.Pass = ptr(false)
	default:
		f := 0.0
		if n > 0 {
			f = float64(over) / float64(n)
		}
		ch.Decide = requestsToDecide(n, func(m int64) decision {
			return fractionDecision(int64(math.Floor(f*float64(m))), m, limit, alpha)
		})
	}
	return ch
}

// fractionDecision compares the Clopper-Pearson ends with limit through the binomial CDF at
// limit, which needs no root finding: hi ≤ limit ⇔ F(x; n, limit) ≤ alpha/2, and
// lo > limit ⇔ P(X ≥ x; n, limit) < alpha/2.
func fractionDecision(x, n int64, limit, alpha float64) decision {
	if n <= 0 {
		return undecided
	}
	switch {
	case x < n && binomCDF(x, n, limit) <= alpha/2:
		return decidedPass
	case x > 0 && 1-binomCDF(x-1, n, limit) < alpha/2:
		return decidedFail
	}
	return undecided
}

// maxDecide bounds the search for requests_to_decide: beyond it the answer is "never".
const maxDecide = int64(1e10)

// requestsToDecide is the smallest total number of requests at which decide, fed what was
// observed scaled up, is decided; 0 if none up to maxDecide is.
func requestsToDecide(n int64, decide func(int64) decision) int64 {
	hi := n + 1
	for decide(hi) == undecided {
		if hi >= maxDecide {
			return 0
		}
		hi *= 2
	}
	lo := max(hi/2, n) // undecided, or no more than what was observed
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if decide(mid) == undecided {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

func ptr[T any](v T) *T { return &v }

// roundMS keeps a millisecond value to the microsecond the histogram records.
func roundMS(v float64) float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	return math.Round(v*1000) / 1000
}
