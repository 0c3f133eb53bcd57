package load

import (
	"encoding/json"
	"math"
)

// The verdict: each SLO limit is judged by a confidence interval, not by a point estimate
// against a line. A check passes when its interval lies within the limit, fails when it lies
// beyond, and is otherwise inconclusive, with the number of requests that would decide it.
// Everything here is a pure function of counts and order statistics: no clocks, no I/O.
//
// A failed request met no objective: it is ranked slower than every limit and counts against
// the timeout budgets and the error budget. Generator lag voids a fail, never a pass.

// Check names, in the order Evaluate reports them. They are an interface: never rename one.
const (
	CheckTP50        = "TP50"
	CheckTP90        = "TP90"
	CheckTP99        = "TP99"
	CheckTP999       = "TP99.9"
	CheckTP9999      = "TP99.99"
	CheckTimeout1000 = "timeout-1000ms"
	CheckTimeout2000 = "timeout-2000ms"
	CheckErrors      = "errors"
)

// Outcomes of a verdict and results of a check. They are an interface: never rename one.
const (
	OutcomePass         = "pass"
	OutcomeFail         = "fail"
	OutcomeInconclusive = "inconclusive"
	// OutcomeNotJudged is a run that measured latency but cannot be judged against an SLO
	// (an unthrottled run's closed-loop latency): never a pass.
	OutcomeNotJudged = "not_judged"
)

// Sample is a latency distribution as the verdict reads it: its size and its order statistics.
type Sample interface {
	Count() int64
	// Rank bounds the r-th smallest value (1 ≤ r ≤ Count), in milliseconds: a histogram knows
	// a value only to its bucket, lo and hi being the bucket's ends; exact samples give lo = hi.
	Rank(r int64) (lo, hi float64)
}

// Counts are the request counts the verdict reads besides the latencies of the requests that
// succeeded.
type Counts struct {
	Requests int64 // every request judged, succeeded or failed
	// Failed requests (transport errors, timeouts, non-2xx, bodies that do not parse or break
	// the contract) met no latency objective: every percentile check ranks them slower than
	// its limit, and the errors check counts them.
	Failed   int64
	Over1000 int64 // requests slower than 1000 ms or failed
	Over2000 int64 // requests slower than 2000 ms or failed
}

// Batch is one interval (a second) of a run's judged requests, for the batch-means intervals:
// latency under load comes in clusters (a pause slows every request around it), so requests
// are not independent and an interval that assumes they are is too narrow.
type Batch struct {
	Requests int64 `json:"n"`
	Failed   int64 `json:"failed"`
	// Over counts the requests over each of the SLO's thresholds (SLO.Thresholds, in order),
	// failed requests included.
	Over []int64 `json:"over"`
}

// EvalOptions tune Evaluate.
type EvalOptions struct {
	// RequireConclusive makes an inconclusive check fail the verdict.
	RequireConclusive bool
	// GeneratorLimited, when not empty, says why the generator could not pace the run. Lag
	// is charged to the latencies (they run from the intended send time), so it can only make
	// them look worse: it voids a failed check (the verdict is inconclusive), never a pass.
	GeneratorLimited string
	// NotJudged, when not empty, says why the run cannot be judged at all (an unthrottled
	// run): every check is reported as measured but marked not judged.
	NotJudged string
	// Batches, when given (at least minBatches), widen each check's interval to what the
	// batch means show: the wider of the two is used (EffectiveRequests).
	Batches []Batch
}

// Verdict is the SLO's outcome.
type Verdict struct {
	// Outcome is pass, fail, inconclusive (a check failed while the generator was behind its
	// schedule, or a check is undecided and a conclusive verdict is required… see Reasons) or
	// not_judged.
	Outcome string `json:"verdict"`
	// Pass is Outcome == pass: no check failed, the run made at least one request and, with
	// RequireConclusive, no check was inconclusive.
	Pass bool `json:"pass"`
	// Conclusive is false when any check was inconclusive, or the run was voided or not judged.
	Conclusive bool `json:"conclusive"`
	// GeneratorLimited says the generator fell behind its schedule; it voids only a fail.
	GeneratorLimited bool `json:"generator_limited"`
	// Requests is the number of requests judged: the whole run, a ramp's final hold, or what
	// followed a warm-up.
	Requests   int64    `json:"requests"`
	Confidence float64  `json:"confidence"`
	Reasons    []string `json:"reasons,omitempty"`
	Checks     []Check  `json:"checks"`
}

// Check is one SLO limit judged. Percentile checks carry milliseconds (LimitMS, ObservedMS,
// CI in ms); the timeout-budget checks carry fractions (LimitFraction, ObservedFraction, CI as
// fractions) and their threshold in LimitMS; the errors check carries fractions only.
type Check struct {
	Name     string  `json:"name"`
	Quantile float64 `json:"quantile,omitempty"` // percentile checks: 0.5 … 0.9999
	// Result is pass, fail, inconclusive or not_judged.
	Result        string   `json:"result"`
	LimitMS       *float64 `json:"limit_ms"`
	ObservedMS    *float64 `json:"observed_ms"`
	LimitFraction *float64 `json:"limit_fraction"`
	// ObservedFailed says the percentile fell on a failed request, which is slower than every
	// limit: ObservedMS is then null.
	ObservedFailed   bool     `json:"observed_failed,omitempty"`
	ObservedFraction *float64 `json:"observed_fraction"`
	CI               Interval `json:"ci"`
	// Pass is true or false when decided, nil (null) when inconclusive or not judged.
	Pass *bool `json:"pass"`
	// Decide is, for an inconclusive check, the total number of requests that would decide it
	// if what was observed held; 0 when decided or when no number would.
	Decide int64 `json:"requests_to_decide,omitempty"`
	// EffectiveRequests is the sample size the interval stands for: the requests judged, or
	// fewer when the per-second batches vary more than independent requests would.
	EffectiveRequests int64 `json:"effective_requests"`
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

// Thresholds are the latencies (ms) the checks compare with, in Evaluate's order: the five
// percentile limits, then 1000 and 2000 ms. Batch.Over counts requests over each.
func (s SLO) Thresholds() []float64 {
	return []float64{s.TP50MS, s.TP90MS, s.TP99MS, s.TP999MS, s.TP9999MS, 1000, 2000}
}

// Evaluate judges a run against slo: the five percentile limits on the latencies of the
// requests that succeeded (lat) with the failed ones ranked slower than every limit, the two
// timeout budgets and the error budget on c.
func Evaluate(slo SLO, lat Sample, c Counts, opts EvalOptions) Verdict {
	alpha := 1 - slo.Confidence
	v := Verdict{Outcome: OutcomePass, Pass: true, Conclusive: true, Confidence: slo.Confidence, Requests: c.Requests}
	all := withFailures{lat, max(c.Failed, 0)}
	deff := designEffects(slo, c, opts.Batches)
	for i, pc := range percentileLimits(slo) {
		v.Checks = append(v.Checks, percentileCheckDeff(pc.name, pc.q, pc.limit, all, alpha, deff[i]))
	}
	v.Checks = append(v.Checks,
		fractionCheckDeff(CheckTimeout1000, ptr(1000.0), slo.Over1000MaxFraction, c.Over1000, c.Requests, alpha, deff[5]),
		fractionCheckDeff(CheckTimeout2000, ptr(2000.0), slo.Over2000MaxFraction, c.Over2000, c.Requests, alpha, deff[6]),
		fractionCheckDeff(CheckErrors, nil, slo.ErrorsMaxFraction, c.Failed, c.Requests, alpha, deff[7]))
	if opts.NotJudged != "" {
		for i := range v.Checks {
			v.Checks[i].Pass, v.Checks[i].Result, v.Checks[i].Decide = nil, OutcomeNotJudged, 0
		}
		v.Outcome, v.Pass, v.Conclusive = OutcomeNotJudged, false, false
		v.Reasons = []string{"not judged: " + opts.NotJudged}
		return v
	}
	var failed, undecided []string
	for _, ch := range v.Checks {
		switch ch.Result {
		case OutcomeInconclusive:
			undecided = append(undecided, ch.Name)
		case OutcomeFail:
			failed = append(failed, ch.Name)
		}
	}
	v.Conclusive = len(undecided) == 0
	for _, name := range failed {
		v.Reasons = append(v.Reasons, name+" failed")
	}
	if opts.RequireConclusive {
		for _, name := range undecided {
			v.Reasons = append(v.Reasons, name+" is inconclusive and a conclusive verdict is required")
		}
	}
	switch {
	case len(failed) > 0:
		v.Outcome = OutcomeFail
	case opts.RequireConclusive && len(undecided) > 0:
		v.Outcome = OutcomeFail
	}
	if c.Requests == 0 {
		// Nothing measured cannot pass, however inconclusive that leaves every check.
		v.Outcome = OutcomeFail
		v.Reasons = append(v.Reasons, "no requests were made")
	}
	if opts.GeneratorLimited != "" {
		v.GeneratorLimited = true
		// Lag only ever adds to the latencies: a pass stands, a fail may be the generator's.
		if v.Outcome == OutcomeFail {
			v.Outcome, v.Conclusive = OutcomeInconclusive, false
			v.Reasons = append(v.Reasons, "voided, the generator was behind its schedule: "+opts.GeneratorLimited)
		}
	}
	v.Pass = v.Outcome == OutcomePass
	return v
}

// withFailures is the successful requests' latencies followed by the failed requests, ranked
// slower than any latency (+Inf).
type withFailures struct {
	ok     Sample
	failed int64
}

func (s withFailures) Count() int64 { return s.ok.Count() + s.failed }

func (s withFailures) Rank(r int64) (lo, hi float64) {
	if r > s.ok.Count() {
		return math.Inf(1), math.Inf(1)
	}
	return s.ok.Rank(r)
}

// minBatches is the fewest batches whose spread says anything about the variance.
const minBatches = 10

// designEffects is, for each check (Thresholds' order, then errors), how much larger the
// variance of the observed fraction is across the batches than independent requests would
// give (at least 1): the interval is then computed on Requests/deff requests.
func designEffects(slo SLO, c Counts, batches []Batch) []float64 {
	th := slo.Thresholds()
	out := make([]float64, len(th)+1)
	for i := range out {
		out[i] = 1
	}
	var bs []Batch
	var n int64
	for _, b := range batches {
		if b.Requests > 0 && len(b.Over) == len(th) {
			bs = append(bs, b)
			n += b.Requests
		}
	}
	if len(bs) < minBatches || n <= 0 {
		return out
	}
	for i := range out {
		x := func(b Batch) int64 {
			if i == len(th) {
				return b.Failed
			}
			return b.Over[i]
		}
		var sx int64
		for _, b := range bs {
			sx += x(b)
		}
		p := float64(sx) / float64(n)
		if p <= 0 || p >= 1 {
			continue
		}
		// The batch-means (ratio estimator) variance of p against the binomial one.
		var ss float64
		for _, b := range bs {
			d := float64(x(b)) - p*float64(b.Requests)
			ss += d * d
		}
		B := float64(len(bs))
		vBatch := B / (B - 1) * ss / (float64(n) * float64(n))
		vBinom := p * (1 - p) / float64(n)
		out[i] = math.Max(1, vBatch/vBinom)
	}
	return out
}

// effective is n requests' worth under a design effect.
func effective(n int64, deff float64) int64 {
	if deff <= 1 {
		return n
	}
	return int64(math.Floor(float64(n) / deff))
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

// percentileCheck judges "the q-quantile is at most limit ms" with independent requests.
func percentileCheck(name string, q, limit float64, lat Sample, alpha float64) Check {
	return percentileCheckDeff(name, q, limit, lat, alpha, 1)
}

// percentileCheckDeff judges "the q-quantile is at most limit ms". With kPass samples surely
// at or below the limit and kMaybe possibly so (they differ only inside one histogram bucket),
// it passes when x₍u₎ ≤ limit (kPass ≥ u) and fails when x₍l₎ > limit (kMaybe < l). Under a
// design effect deff > 1 the ranks are those of n/deff requests, scaled back to n: a wider
// interval.
func percentileCheckDeff(name string, q, limit float64, lat Sample, alpha, deff float64) Check {
	ch := Check{Name: name, Quantile: q, LimitMS: ptr(limit), CI: Interval{0, math.Inf(1)}}
	n := lat.Count()
	ne := effective(n, deff)
	ch.EffectiveRequests = ne
	if n > 0 {
		_, hi := lat.Rank(quantileRank(q, n))
		if math.IsInf(hi, 1) {
			ch.ObservedFailed = true
		} else {
			ch.ObservedMS = ptr(roundMS(hi))
		}
	}
	// scale maps a rank among ne requests to one among n, outward.
	scaleDown := func(r int64) int64 {
		if ne == n || ne == 0 {
			return r
		}
		return int64(math.Floor(float64(r) * float64(n) / float64(ne)))
	}
	scaleUp := func(r int64) int64 {
		if ne == n || ne == 0 {
			return r
		}
		if r > ne {
			return n + 1
		}
		return int64(math.Ceil(float64(r) * float64(n) / float64(ne)))
	}
	l, u := orderRanks(ne, q, alpha)
	l, u = scaleDown(l), scaleUp(u)
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
	scaleK := func(k int64) int64 {
		if ne == n || n == 0 {
			return k
		}
		return int64(math.Floor(float64(k) * float64(ne) / float64(n)))
	}
	// kMaybe scaled up (outward: more possibly within) keeps a fail as hard to reach as a pass.
	kMaybeE := kMaybe
	if ne != n && n > 0 {
		kMaybeE = int64(math.Ceil(float64(kMaybe) * float64(ne) / float64(n)))
	}
	switch percentileDecision(ne, scaleK(kPass), kMaybeE, q, alpha) {
	case decidedPass:
		ch.Pass, ch.Result = ptr(true), OutcomePass
	case decidedFail:
		ch.Pass, ch.Result = ptr(false), OutcomeFail
	default:
		ch.Result = OutcomeInconclusive
		f := float64(kPass) / float64(max(n, 1))
		if n > 0 && f <= q {
			f = float64(kMaybe) / float64(n)
		}
		if n == 0 {
			f = 1 // with no data, the least it takes for a pass to be possible at all
		}
		ch.Decide = requestsToDecide(n, func(m int64) decision {
			me := effective(m, deff)
			k := int64(math.Floor(f * float64(me)))
			return percentileDecision(me, k, k, q, alpha)
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

// fractionCheck judges "at most limit of the requests exceed thresholdMS" with independent
// requests.
func fractionCheck(name string, thresholdMS, limit float64, over, n int64, alpha float64) Check {
	return fractionCheckDeff(name, ptr(thresholdMS), limit, over, n, alpha, 1)
}

// fractionCheckDeff judges "at most limit of the requests exceed threshold ms" (or, with no
// threshold, fail) by the exact (Clopper-Pearson) interval of the fraction: pass when its
// upper end is within the limit, fail when its lower end is beyond. Under a design effect the
// interval is that of the same fraction among n/deff requests.
func fractionCheckDeff(name string, thresholdMS *float64, limit float64, over, n int64, alpha, deff float64) Check {
	ch := Check{Name: name, LimitMS: thresholdMS, LimitFraction: ptr(limit)}
	if n > 0 {
		ch.ObservedFraction = ptr(float64(over) / float64(n))
	}
	ne := effective(n, deff)
	ch.EffectiveRequests = ne
	oe := over
	if ne != n && n > 0 {
		oe = int64(math.Round(float64(over) * float64(ne) / float64(n)))
	}
	lo, hi := clopperPearson(oe, ne, alpha)
	ch.CI = Interval{lo, hi}
	switch fractionDecision(oe, ne, limit, alpha) {
	case decidedPass:
		ch.Pass, ch.Result = ptr(true), OutcomePass
	case decidedFail:
		ch.Pass, ch.Result = ptr(false), OutcomeFail
	default:
		ch.Result = OutcomeInconclusive
		f := 0.0
		if n > 0 {
			f = float64(over) / float64(n)
		}
		ch.Decide = requestsToDecide(n, func(m int64) decision {
			me := effective(m, deff)
			return fractionDecision(int64(math.Floor(f*float64(me))), me, limit, alpha)
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
	case limit >= 1:
		return decidedPass // every fraction is within a limit of 100%
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
