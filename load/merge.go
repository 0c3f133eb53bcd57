package load

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Merging: the shards of one run become the Result one generator would have produced. The
// latency and lag histograms merge exactly (HDR buckets add), every count is summed, and the
// union is judged by the same code as a single run (judgeLag, then Evaluate). Nothing here
// reads files: the caller decodes the shards' JSON.

// MergeError is an input that is not a shard set of one run: a usage error for the CLI.
type MergeError struct{ msg string }

func (e *MergeError) Error() string { return e.msg }

func mergeErr(format string, args ...any) error {
	return &MergeError{msg: fmt.Sprintf(format, args...)}
}

// Merge joins the shards of one run, named by names (their directories, for messages) in the
// same order. It fails with a *MergeError when they are not exactly the shards of one run: a
// different run id, SLO, timeout, endpoint or schedule, a shard twice or one missing.
func Merge(names []string, shards []*Result) (*Result, error) {
	if len(shards) == 0 || len(shards) != len(names) {
		return nil, mergeErr("nothing to merge")
	}
	for i, s := range shards {
		switch {
		case s == nil || s.Run == nil:
			return nil, mergeErr("%s: the load result has no \"run\" section (written by an older jpcheck, or a capacity search): not a shard", names[i])
		case s.Histogram == nil:
			return nil, mergeErr("%s: the load result has no latency histogram (histogram_hdr)", names[i])
		}
	}
	first := shards[0].Run
	count := first.Shard.count()
	if count > MaxShards {
		return nil, mergeErr("%s: shard count %d is over %d", names[0], count, MaxShards)
	}
	seen := make([]string, count)
	for i, s := range shards {
		ri := s.Run
		if d := runDiff(shards[0], s); d != "" {
			return nil, mergeErr("%s and %s are not one run: %s", names[0], names[i], d)
		}
		idx := ri.Shard.Index
		if idx < 0 || idx >= count {
			return nil, mergeErr("%s: shard %d/%d is out of range", names[i], idx, count)
		}
		if seen[idx] != "" {
			return nil, mergeErr("shard %d/%d appears twice: %s and %s", idx, count, seen[idx], names[i])
		}
		seen[idx] = names[i]
	}
	var missing []string
	for i, n := range seen {
		if n == "" {
			missing = append(missing, fmt.Sprintf("%d/%d", i, count))
		}
	}
	if len(missing) > 0 {
		return nil, mergeErr("run %s is incomplete: shard %s missing (have %d of %d)", first.ID, strings.Join(missing, ", "), len(shards), count)
	}
	return mergeShards(shards)
}

// runDiff names the first thing a and b disagree on that makes them two runs.
func runDiff(a, b *Result) string {
	x, y := a.Run, b.Run
	switch {
	case x.ID != y.ID:
		return fmt.Sprintf("run id %s ≠ %s", x.ID, y.ID)
	case x.Shard.count() != y.Shard.count():
		return fmt.Sprintf("shard count %d ≠ %d", x.Shard.count(), y.Shard.count())
	case x.SLO != y.SLO:
		return "the SLO differs"
	case x.RequireConclusive != y.RequireConclusive:
		return "require-conclusive differs"
	case x.LagLimitMS != y.LagLimitMS:
		return fmt.Sprintf("lag limit %g ms ≠ %g ms", x.LagLimitMS, y.LagLimitMS)
	case a.TimeoutMS != b.TimeoutMS:
		return fmt.Sprintf("timeout %g ms ≠ %g ms", a.TimeoutMS, b.TimeoutMS)
	case a.Endpoint != b.Endpoint:
		return fmt.Sprintf("endpoint %s ≠ %s", a.Endpoint, b.Endpoint)
	case !x.StartAt.Equal(y.StartAt):
		return fmt.Sprintf("start %s ≠ %s", x.StartAt.Format(time.RFC3339Nano), y.StartAt.Format(time.RFC3339Nano))
	case !sameSchedule(x.Schedule, y.Schedule):
		return fmt.Sprintf("schedule %s ≠ %s", x.Schedule, y.Schedule)
	case a.Validation.Sample != b.Validation.Sample:
		return fmt.Sprintf("validate sample %g ≠ %g", a.Validation.Sample, b.Validation.Sample)
	}
	return ""
}

func sameSchedule(a, b Schedule) bool {
	if a.Mode != b.Mode || a.Rate != b.Rate || a.DurationMS != b.DurationMS || (a.Ramp == nil) != (b.Ramp == nil) {
		return false
	}
	return a.Ramp == nil || *a.Ramp == *b.Ramp
}

func (s Schedule) String() string {
	switch {
	case s.Ramp != nil:
		return fmt.Sprintf("ramp %g:%g:%g:%s for %gms", s.Ramp.From, s.Ramp.To, s.Ramp.Step, s.Ramp.StepDuration, s.DurationMS)
	case s.Mode == "constant":
		return fmt.Sprintf("%g/s for %gms", s.Rate, s.DurationMS)
	}
	return fmt.Sprintf("%s for %gms", s.Mode, s.DurationMS)
}

// mergeShards sums checked shards into one Result and judges it.
func mergeShards(shards []*Result) (*Result, error) {
	first := shards[0]
	ri := *first.Run
	ri.Shard = Shard{Index: 0, Count: 1}
	out := &Result{
		Version: ResultVersion, Target: first.Target, Endpoint: first.Endpoint, Mode: first.Mode,
		StartedAt: ri.StartAt, TimeoutMS: first.TimeoutMS, Ramp: first.Ramp,
		Errors:     Errors{ByKind: map[string]int64{}},
		Validation: Validation{Sample: first.Validation.Sample},
		Histogram:  newHistogram(), Run: &ri,
	}
	lag := newHistogram()
	var judged JudgedCounts
	var batches [][]Batch
	var findings findingSet
	var targets []string
	var series [][]Point
	for _, s := range shards {
		out.Requests += s.Requests
		out.Rate.Requested += s.Rate.Requested
		out.Rate.Achieved += s.Rate.Achieved
		out.Errors.Count += s.Errors.Count
		for k, n := range s.Errors.ByKind {
			out.Errors.ByKind[k] += n
		}
		out.Timeouts.Over1000ms.Count += s.Timeouts.Over1000ms.Count
		out.Timeouts.Over2000ms.Count += s.Timeouts.Over2000ms.Count
		out.DurationMS = math.Max(out.DurationMS, s.DurationMS+float64(s.StartedAt.Sub(ri.StartAt))/float64(time.Millisecond))
		out.Workers += s.Workers
		out.Generator.MaxWorkers += s.Generator.MaxWorkers
		out.Generator.Dropped += s.Generator.Dropped
		// Hiccup histograms are not kept: the worst shard's stands for the union.
		out.Generator.HiccupP99MS = math.Max(out.Generator.HiccupP99MS, s.Generator.HiccupP99MS)
		out.Generator.HiccupMaxMS = math.Max(out.Generator.HiccupMaxMS, s.Generator.HiccupMaxMS)
		judged.add(s.Run.Judged)
		batches = append(batches, s.Batches)
		out.Aborted = out.Aborted || s.Aborted
		out.Validation.Validated += s.Validation.Validated
		out.Validation.Failed += s.Validation.Failed
		out.Validation.Skipped += s.Validation.Skipped
		for _, f := range s.Validation.Findings {
			findings.addN(f, f.Count)
		}
		if dropped := out.Histogram.Merge(s.Histogram); dropped != 0 {
			return nil, fmt.Errorf("merge: %d latencies outside the histogram's range", dropped)
		}
		if s.Run.LagHistogramHDR != "" {
			h, err := DecodeHistogram([]byte(s.Run.LagHistogramHDR))
			if err != nil {
				return nil, mergeErr("shard %s: lag %v", s.Run.Shard, err)
			}
			lag.Merge(h)
		}
		if !slices.Contains(targets, s.Target) {
			targets = append(targets, s.Target)
		}
		series = append(series, s.Series)
	}
	out.DurationMS = roundMS(out.DurationMS)
	out.Target = strings.Join(targets, ", ")
	out.Validation.Findings = findings.list()
	out.Series = mergeSeries(series)
	out.Timeouts.Over1000ms.Fraction = fraction(out.Timeouts.Over1000ms.Count, out.Requests)
	out.Timeouts.Over2000ms.Fraction = fraction(out.Timeouts.Over2000ms.Count, out.Requests)
	if ri.Schedule.Mode != "unthrottled" {
		judgeLag(&out.Generator, lag, out.Generator.Dropped, out.Rate, time.Duration(ri.LagLimitMS*float64(time.Millisecond)))
		if enc, err := lag.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err == nil {
			out.Run.LagHistogramHDR = string(enc)
		}
	} else {
		out.Run.LagHistogramHDR = ""
	}
	out.Run.Judged = judged
	out.Batches = sumBatches(batches)
	out.LatencyMS = latencyOf(HistogramSample(out.Histogram), out.Histogram.Max())
	out.SLO = Evaluate(ri.SLO, HistogramSample(out.Histogram), judged.counts(),
		EvalOptions{RequireConclusive: ri.RequireConclusive, GeneratorLimited: out.Generator.LimitedReason, Batches: out.Batches})
	if enc, err := out.EncodeHistogram(); err == nil {
		out.HistogramHDR = string(enc)
	}
	return out, nil
}

// mergeSeries adds the shards' per-second points, matched by position (the shards share a
// start instant and a one-second tick): rates and errors add, p99 keeps the largest.
func mergeSeries(all [][]Point) []Point {
	return byPosition(all, func(o *Point, p Point) {
		o.T, o.Width = math.Max(o.T, p.T), math.Max(o.Width, p.Width)
		o.Requested += p.Requested
		o.Rate += p.Rate
		o.Errors += p.Errors
		o.P99MS = math.Max(o.P99MS, p.P99MS)
	})
}

// sumBatches adds the shards' per-second batches, matched by position as mergeSeries
// matches points: the union's batch of a second is the sum of the shards'.
func sumBatches(all [][]Batch) []Batch {
	return byPosition(all, func(o *Batch, b Batch) {
		o.Requests += b.Requests
		o.Failed += b.Failed
		if len(o.Over) < len(b.Over) {
			o.Over = append(o.Over, make([]int64, len(b.Over)-len(o.Over))...)
		}
		for k, v := range b.Over {
			o.Over[k] += v
		}
	})
}

// byPosition folds the shards' i-th elements into the union's i-th, as long as the longest.
func byPosition[T any](all [][]T, add func(*T, T)) []T {
	n := 0
	for _, s := range all {
		n = max(n, len(s))
	}
	out := make([]T, n)
	for _, s := range all {
		for i, x := range s {
			add(&out[i], x)
		}
	}
	return out
}

// Window is the pool of the runs of a history window judged as one run: Result.Window.
type Window struct {
	Runs     int       `json:"runs"`
	Requests int64     `json:"requests"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	// Excluded counts the runs in the window left out of the pool: generator-limited,
	// aborted or unthrottled ones, whose latencies say nothing about the target at the
	// planned rate, and runs judged against another SLO.
	Excluded int     `json:"excluded"`
	SLO      Verdict `json:"slo"`
}

// PoolWindow judges runs (this run and the earlier ones of its window, each with its
// Histogram) as one: histograms merged exactly, judged counts summed, per-second batches
// concatenated, judged against slo by Evaluate. Runs that were generator-limited, aborted
// or not judged (unthrottled) are counted in Excluded and left out: their latencies say
// nothing about the target at the planned rate; so are runs judged against another SLO
// (their batches count requests over other thresholds).
func PoolWindow(slo SLO, requireConclusive bool, runs []*Result) (*Window, error) {
	if len(runs) == 0 {
		return nil, errors.New("no run to pool")
	}
	w := &Window{}
	h := newHistogram()
	var judged JudgedCounts
	var batches []Batch
	for _, r := range runs {
		if r.Aborted || r.SLO.GeneratorLimited || r.SLO.Outcome == OutcomeNotJudged || r.Histogram == nil || r.Run == nil || r.Run.SLO != slo {
			w.Excluded++
			continue
		}
		w.Runs++
		h.Merge(r.Histogram)
		judged.add(r.Run.Judged)
		batches = append(batches, r.Batches...)
		end := r.StartedAt.Add(time.Duration(r.DurationMS * float64(time.Millisecond)))
		if w.From.IsZero() || r.StartedAt.Before(w.From) {
			w.From = r.StartedAt.UTC()
		}
		if end.After(w.To) {
			w.To = end.UTC()
		}
	}
	w.Requests = judged.Requests
	w.SLO = Evaluate(slo, HistogramSample(h), judged.counts(), EvalOptions{RequireConclusive: requireConclusive, Batches: batches})
	if w.Runs == 0 {
		w.SLO.Reasons = append(w.SLO.Reasons, "every run in the window was generator-limited or aborted")
	}
	return w, nil
}
