package load

import (
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// ResultVersion is the version of the Result JSON.
const ResultVersion = 1

// Error kinds, the keys of Errors.ByKind. Each request counts under at most one. They are an
// interface: never rename one.
const (
	ErrorTimeout      = "timeout"        // the client timeout expired before the whole answer came
	ErrorConnection   = "connection"     // no HTTP answer: refused, reset, TLS, DNS …
	ErrorStatus3xx    = "status_3xx"     // a redirect (never followed)
	ErrorStatus4xx    = "status_4xx"     // a client error status
	ErrorStatus5xx    = "status_5xx"     // a server error status
	ErrorStatusOther  = "status_other"   // 1xx or a status outside 100-599
	ErrorBodyTooLarge = "body_too_large" // a 2xx body over MaxBodyBytes
	ErrorContract     = "contract"       // a 2xx body with an error finding under the profile
	ErrorV4Open       = "v4_open"        // a 2xx V4 body that does not decrypt or verify
)

// Result is one run. Its JSON is an interface (the load issue's schema): tags never change.
type Result struct {
	Version   int       `json:"version"`
	Target    string    `json:"target"`
	Endpoint  string    `json:"endpoint"` // EndpointOrderStatus or EndpointV4OrderStatus
	Mode      string    `json:"mode"`     // "constant", "ramp" or "unthrottled"
	Requests  int64     `json:"requests"`
	Rate      Rate      `json:"rate"`
	LatencyMS Latency   `json:"latency_ms"`
	Errors    Errors    `json:"errors"`
	Timeouts  Timeouts  `json:"timeouts"`
	SLO       Verdict   `json:"slo"`
	StartedAt time.Time `json:"started_at"`
	// DurationMS is the wall time from the start of sending to the last answer.
	DurationMS float64    `json:"duration_ms"`
	Workers    int        `json:"workers"`
	TimeoutMS  float64    `json:"timeout_ms"`
	Ramp       *Ramp      `json:"ramp,omitempty"`
	Generator  Generator  `json:"generator"`
	Validation Validation `json:"validation"`
	// WarmupMS is the warm-up before the judged window of a constant-rate run (a capacity
	// step's): its requests count in Requests, Errors and Timeouts but not in the verdict.
	WarmupMS float64 `json:"warmup_ms,omitempty"`
	// Steps are a ramp's steps, each with its own percentiles; the verdict judges the last
	// (the final hold at the top rate).
	Steps []RampStep `json:"ramp_steps,omitempty"`
	// Batches are the judged window's requests per second, for the batch-means intervals
	// (Evaluate's EvalOptions.Batches) and for merging runs.
	Batches []Batch `json:"batches"`
	// Aborted says the run was stopped (its context canceled) before its duration.
	Aborted bool `json:"aborted"`
	// Error, when set, says why the run could not judge the target: it was unreachable, or
	// judged down mid-run (see TargetDown). The verdict is then error.
	Error string `json:"error,omitempty"`
	// Verdict is pass, fail, inconclusive or error: filled in by the writers (package
	// reports), which judge a load run alone as they judge it in a report.
	Verdict string `json:"verdict,omitempty"`
	// Series is one point per second (coarser for long runs), for the report's plot.
	Series []Point `json:"series"`
	// Run identifies the run and carries what a merge of shards or a pool of runs needs.
	Run *RunInfo `json:"run,omitempty"`
	// Window is the pooled verdict of the runs of a history window (PoolWindow), when the
	// run was made with one.
	Window *Window `json:"window,omitempty"`
	// HistogramHDR is Histogram in HdrHistogram's V2 compressed base64 form (see
	// EncodeHistogram), so a report can rebuild and merge the distribution from the JSON.
	HistogramHDR string `json:"histogram_hdr,omitempty"`
	// Histogram is the latency in microseconds, from the intended send time (3 significant
	// digits), of every request in the judged window that succeeded: what LatencyMS and the
	// verdict read (failed requests are counted in SLO.Checks' errors check, not here). Nil in a Result read back from JSON: DecodeHistogram
	// HistogramHDR.
	Histogram *hdrhistogram.Histogram `json:"-"`
}

// Rate is requests per second: the schedule's mean over the run (0 unthrottled) and what was
// sent.
type Rate struct {
	Requested float64 `json:"requested"`
	Achieved  float64 `json:"achieved"`
}

// RampStep is one rate of a ramp as it was run.
type RampStep struct {
	Rate      float64 `json:"rate"`
	Requests  int64   `json:"requests"`
	Errors    int64   `json:"errors"`
	LatencyMS Latency `json:"latency_ms"` // the step's successful requests (2 significant digits)
	Judged    bool    `json:"judged"`     // the final hold, which the verdict reads
}

// Latency is the distribution's percentiles in milliseconds, each the smallest latency with
// at least that share of requests at or below it (to the histogram's 0.1%, rounded up).
type Latency struct {
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p99.9"`
	P9999 float64 `json:"p99.99"`
	Max   float64 `json:"max"`
}

// Errors counts failed requests, by kind.
type Errors struct {
	Count  int64            `json:"count"`
	ByKind map[string]int64 `json:"by_kind"`
}

// Timeouts are the requests beyond the two recommended timeouts. A request that got no answer
// (timeout or connection error) counts beyond both: the client gave up on it.
type Timeouts struct {
	Over1000ms Budget `json:"over_1000ms"`
	Over2000ms Budget `json:"over_2000ms"`
}

// Budget is a count and its fraction of all requests.
type Budget struct {
	Count    int64   `json:"count"`
	Fraction float64 `json:"fraction"`
}

// Generator is how well the load generator kept its schedule. Unthrottled runs have no
// schedule: lag is not measured and they are never generator-limited by it.
type Generator struct {
	LagP50MS float64 `json:"lag_p50_ms"`
	LagP99MS float64 `json:"lag_p99_ms"`
	LagMaxMS float64 `json:"lag_max_ms"`
	// HiccupP99MS and HiccupMaxMS are the stalls of the generator's process as a whole (a
	// goroutine that sleeps 1 ms at a time records how late it wakes, as jHiccup does): a
	// stall there delays the receive side too, which send lag cannot see.
	HiccupP99MS float64 `json:"hiccup_p99_ms"`
	HiccupMaxMS float64 `json:"hiccup_max_ms"`
	// Dropped is the number of sends the schedule called for (more than the lag limit before
	// the end) that were never made.
	Dropped int64 `json:"dropped"`
	Limited bool  `json:"limited"`
	// LimitedReason says why, when Limited.
	LimitedReason string `json:"limited_reason,omitempty"`
	// MaxWorkers is the most concurrent requests the generator allowed itself.
	MaxWorkers int `json:"max_workers"`
}

// Validation is what the contract check under load did.
type Validation struct {
	Sample    float64 `json:"sample"`    // the fraction of 2xx responses asked for
	Validated int64   `json:"validated"` // responses checked
	Failed    int64   `json:"failed"`    // of those, with an error finding (or not opening, V4)
	// Skipped counts sampled responses left unchecked because the validators were behind:
	// checking never slows the generator down.
	Skipped  int64           `json:"skipped"`
	Findings []FindingSample `json:"findings"` // the first distinct findings, with counts
}

// FindingSample is one distinct finding seen under load and how often.
type FindingSample struct {
	Pointer  string `json:"pointer"`
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Count    int64  `json:"count"`
}

// Point is one interval of the run.
type Point struct {
	// T is the end of the interval, in seconds from the start.
	T float64 `json:"t_s"`
	// Width is the interval's length in seconds (1, or more once a long run's series is
	// coarsened).
	Width     float64 `json:"width_s"`
	Requested float64 `json:"requested"` // the schedule's rate at T; 0 unthrottled
	Rate      float64 `json:"rate"`      // responses per second completed in the interval
	// P99MS is the p99 of the successful responses completed in the interval; a coarsened point keeps
	// the larger of its halves'.
	P99MS  float64 `json:"p99_ms"`
	Errors int64   `json:"errors"` // transport and status errors completed in the interval
}

// Histogram range: 1 µs to an hour, 3 significant digits, about 200 KB each.
const (
	histLowest  = 1
	histHighest = int64(time.Hour / time.Microsecond)
	histDigits  = 3
)

func newHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histLowest, histHighest, histDigits)
}

// record adds d to h in microseconds, clamped to the histogram's range.
func record(h *hdrhistogram.Histogram, d time.Duration) {
	_ = h.RecordValue(clampUS(d))
}

func clampUS(d time.Duration) int64 {
	return min(max(int64(d/time.Microsecond), histLowest), histHighest)
}

// EncodeHistogram is Histogram in HdrHistogram's V2 compressed encoding (base64), which other
// HdrHistogram implementations read and which merges with other runs' (DecodeHistogram, then
// Merge).
func (r *Result) EncodeHistogram() ([]byte, error) {
	if r.Histogram == nil {
		return nil, errors.New("the result has no histogram")
	}
	return r.Histogram.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
}

// MaxHistogramBytes bounds an encoded histogram DecodeHistogram accepts.
const MaxHistogramBytes = 4 << 20

// DecodeHistogram reads an encoded histogram (EncodeHistogram's form).
func DecodeHistogram(b []byte) (*hdrhistogram.Histogram, error) {
	if len(b) > MaxHistogramBytes {
		return nil, fmt.Errorf("histogram: larger than %d bytes", MaxHistogramBytes)
	}
	if _, err := base64.StdEncoding.DecodeString(string(b)); err != nil {
		return nil, fmt.Errorf("histogram: not base64: %v", err)
	}
	h, err := hdrhistogram.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("histogram: %s", oneLine(err.Error()))
	}
	if h.TotalCount() < 0 {
		return nil, errors.New("histogram: negative total count")
	}
	return h, nil
}

// HistogramSample reads a latency histogram (microseconds) as a Sample in milliseconds.
func HistogramSample(h *hdrhistogram.Histogram) Sample { return hdrSample{h} }

type hdrSample struct{ h *hdrhistogram.Histogram }

func (s hdrSample) Count() int64 {
	if s.h == nil {
		return 0
	}
	return s.h.TotalCount()
}

// Rank finds the r-th value through ValueAtPercentile, whose rank is ⌊q·n + ½⌋: asking for
// (r − ¼)/n lands on r whatever the rounding.
func (s hdrSample) Rank(r int64) (lo, hi float64) {
	n := s.Count()
	if n == 0 {
		return 0, 0
	}
	r = max(1, min(r, n))
	v := s.h.ValueAtPercentile(100 * (float64(r) - 0.25) / float64(n))
	// The bucket holding v: buckets are power-of-two wide and aligned, so the first width
	// at which v−w is no longer equivalent to v is the bucket's width.
	w := int64(1)
	for w <= v && s.h.ValuesAreEquivalent(v, v-w) {
		w *= 2
	}
	low := max(v-w+1, 0)
	return float64(low) / 1000, float64(v) / 1000
}

// latencyOf fills the percentiles from a sample.
func latencyOf(s Sample, maxUS int64) Latency {
	n := s.Count()
	if n == 0 {
		return Latency{}
	}
	at := func(q float64) float64 {
		_, hi := s.Rank(quantileRank(q, n))
		return roundMS(hi)
	}
	return Latency{P50: at(0.5), P90: at(0.9), P99: at(0.99), P999: at(0.999), P9999: at(0.9999),
		Max: roundMS(float64(maxUS) / 1000)}
}

func fraction(k, n int64) float64 {
	if n <= 0 {
		return 0
	}
	return float64(k) / float64(n)
}

func durationMS(d time.Duration) float64 {
	return roundMS(float64(d) / float64(time.Millisecond))
}
