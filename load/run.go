package load

import (
	"context"
	"crypto/tls"
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/jpcheck/jpcheck/jwe"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Run drives the target as cfg says and judges the run. Canceling ctx (SIGINT) stops sending,
// waits for the requests in flight (at most the client timeout) and still returns the
// Result, with Aborted set. An error means the run could not start: a bad Config, V4 keys
// that do not read, or ctx canceled while V4 bodies were still being sealed.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	v4, p, err := prepare(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if cfg.TuneGC {
		defer tuneGC()()
	}
	return attack(ctx, cfg, v4, p), nil
}

// prepare reads the V4 keys and builds the request blueprints, sealing V4 bodies.
func prepare(ctx context.Context, cfg Config) (*jwe.Client, *pool, error) {
	var v4 *jwe.Client
	if cfg.V4 != nil {
		var err error
		if v4, err = jwe.NewClient(*cfg.V4); err != nil {
			return nil, nil, err
		}
	}
	p, err := newPool(ctx, cfg, v4)
	if err != nil {
		return nil, nil, err
	}
	return v4, p, nil
}

// maxSeriesPoints bounds Result.Series: a longer run's points are merged in pairs.
const maxSeriesPoints = 3600

// maxGeneratorWorkers bounds the requests a paced run keeps in flight.
const maxGeneratorWorkers = 50_000

// run is one attack's bookkeeping, all owned by the goroutine draining the results.
type run struct {
	cfg   Config
	sched *schedule // nil when unthrottled
	start time.Time
	// judgeFrom is the intended send time from which requests are judged: after the warm-up,
	// or a ramp's final hold; 0 judges every request.
	judgeFrom time.Duration

	hist, lag, sec *hdrhistogram.Histogram
	thresholds     []float64 // cfg.SLO.Thresholds(), in microseconds

	// The whole run: every request sent.
	requests int64
	errors   int64
	byKind   map[string]int64
	over1000 int64
	over2000 int64
	// The judged window; hist holds the latencies of its requests that succeeded.
	judged                 int64
	failed                 int64
	jOver1000, jOver2000   int64
	batch                  Batch
	batches                []Batch
	steps                  []stepStats // a ramp's, one per rate
	sampleAcc              float64
	val                    *validators
	series                 []Point
	secRequests, secErrors int64
	lastTick               time.Duration
}

// stepStats is one ramp step as it is run.
type stepStats struct {
	requests, errors int64
	hist             *hdrhistogram.Histogram
}

func attack(ctx context.Context, cfg Config, v4 *jwe.Client, p *pool) *Result {
	r := &run{cfg: cfg, hist: newHistogram(), lag: newHistogram(), sec: newHistogram(), byKind: map[string]int64{}}
	for _, t := range cfg.SLO.Thresholds() {
		r.thresholds = append(r.thresholds, t*1000)
	}
	r.batch.Over = make([]int64, len(r.thresholds))
	mode := "unthrottled"
	var pacer vegeta.Pacer = vegeta.ConstantPacer{} // the zero pacer sends back to back
	duration := cfg.Duration
	switch {
	case cfg.Ramp != nil:
		r.sched, mode = rampSchedule(*cfg.Ramp), "ramp"
		r.judgeFrom = r.sched.segs[len(r.sched.segs)-1].start
		r.steps = make([]stepStats, len(r.sched.segs))
	case cfg.Rate > 0:
		r.sched, mode = constantSchedule(cfg.Rate), "constant"
		if cfg.Warmup > 0 {
			r.judgeFrom = startOffset + cfg.Warmup
			duration += cfg.Warmup
		}
	}
	if r.sched != nil {
		shardSchedule(r.sched, cfg.Shard)
	}
	workers, maxWorkers := cfg.Workers, cfg.Workers
	if r.sched != nil {
		pacer = r.sched
		// Little's law: at the peak rate with every answer taking the whole timeout.
		peak := 0.0
		for _, s := range r.sched.segs {
			peak = math.Max(peak, s.rate/float64(cfg.Shard.count()))
		}
		need := math.Ceil(peak*cfg.Timeout.Seconds()) + float64(workers)
		maxWorkers = int(math.Min(math.Max(need, float64(workers)), maxGeneratorWorkers))
	}
	if cfg.ValidateSample > 0 {
		r.val = startValidators(cfg.Set, cfg.Profile, v4)
	}
	client := newClient(maxWorkers)
	// No connection outlives the run: the idle ones' goroutines would.
	defer client.CloseIdleConnections()
	atk := vegeta.NewAttacker(
		vegeta.Client(client), // first: the options below adjust its transport
		vegeta.Timeout(cfg.Timeout),
		vegeta.Workers(uint64(workers)),
		vegeta.MaxWorkers(uint64(maxWorkers)),
		vegeta.Connections(maxWorkers),
		vegeta.KeepAlive(true),
		vegeta.MaxBody(MaxBodyBytes+1), // one byte more tells a body over the limit
		vegeta.Redirects(vegeta.NoFollow),
		vegeta.Client(boundedClient(client, cfg.Timeout)), // last: it wraps the transport set above
	)
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	done := ctx.Done()
	aborted := false
	var stopAt time.Duration
	down, downReason := newDownDetector(cfg), ""

	hic := startHiccupMeter()
	r.start = time.Now() // before Attack takes its own start, so lag is never negative
	sendFor := duration
	if !cfg.StartAt.IsZero() {
		started := waitUntil(ctx, cfg.StartAt)
		// The schedule is anchored at StartAt: a late wake-up is lag, and the run still ends
		// when the schedule does.
		late := max(time.Since(cfg.StartAt), 0)
		r.start = cfg.StartAt
		if r.sched != nil {
			r.sched.late = late
		}
		sendFor = max(duration-late, time.Millisecond)
		if !started {
			aborted, done, sendFor = true, nil, 0
		}
	}
	results := noResults
	if sendFor > 0 {
		results = atk.Attack(p.targeter(), pacer, sendFor, "")
	}
loop:
	for {
		select {
		case res, ok := <-results:
			if !ok {
				break loop
			}
			r.add(res)
			if why := down.observe(res); why != "" && downReason == "" && !aborted {
				downReason, stopAt = why, time.Since(r.start)
				atk.Stop()
			}
		case <-ticker.C:
			r.tick(time.Since(r.start))
		case <-done:
			aborted, stopAt, done = true, time.Since(r.start), nil
			atk.Stop()
		}
	}
	end := time.Since(r.start)
	hiccups := hic.stop()
	r.flushSecond(end)
	r.flushBatch()

	window := duration
	if (aborted || downReason != "") && stopAt < window {
		window = stopAt
	}
	res := &Result{
		Version:    ResultVersion,
		Target:     cfg.Target,
		Endpoint:   EndpointOrderStatus,
		Mode:       mode,
		Requests:   r.requests,
		StartedAt:  r.start.UTC(),
		DurationMS: durationMS(end),
		Workers:    cfg.Workers,
		TimeoutMS:  durationMS(cfg.Timeout),
		Ramp:       cfg.Ramp,
		Aborted:    aborted,
		Error:      downReason,
		Series:     r.series,
		Histogram:  r.hist,
		Batches:    r.batches,
		Run:        runInfo(cfg, r.start),
	}
	if cfg.Warmup > 0 && mode == "constant" {
		res.WarmupMS = durationMS(cfg.Warmup)
	}
	if v4 != nil {
		res.Endpoint = EndpointV4OrderStatus
	}
	res.Rate.Achieved = float64(r.requests) / math.Max(window.Seconds(), 1e-9)
	res.Generator.MaxWorkers = maxWorkers
	if n := hiccups.TotalCount(); n > 0 {
		_, p99 := HistogramSample(hiccups).Rank(quantileRank(0.99, n))
		res.Generator.HiccupP99MS = roundMS(p99)
		res.Generator.HiccupMaxMS = roundMS(float64(hiccups.Max()) / 1000)
	}
	if r.sched != nil {
		res.Rate.Requested = cfg.Rate / float64(cfg.Shard.count())
		if cfg.Ramp != nil {
			res.Rate.Requested = float64(r.sched.dueHere(window)) / math.Max(window.Seconds(), 1e-9)
		}
		r.judgeGenerator(&res.Generator, res.Rate, window)
	}
	res.Errors = Errors{Count: r.errors, ByKind: r.byKind}
	if r.val != nil {
		res.Validation = r.val.finish()
		for k, n := range r.val.byKind() {
			res.Errors.ByKind[k] += n
			res.Errors.Count += n
		}
		r.takeBackContractFailures()
	}
	res.Validation.Sample = cfg.ValidateSample
	if res.Validation.Findings == nil {
		res.Validation.Findings = []FindingSample{}
	}
	res.Timeouts = Timeouts{
		Over1000ms: Budget{Count: r.over1000, Fraction: fraction(r.over1000, r.requests)},
		Over2000ms: Budget{Count: r.over2000, Fraction: fraction(r.over2000, r.requests)},
	}
	res.Histogram = r.hist // without the requests takeBackContractFailures moved
	sample := HistogramSample(r.hist)
	res.LatencyMS = latencyOf(sample, r.hist.Max())
	res.Steps = r.rampSteps()
	opts := EvalOptions{RequireConclusive: cfg.RequireConclusive, GeneratorLimited: res.Generator.LimitedReason, Batches: r.batches}
	if r.sched == nil {
		opts.NotJudged = "an unthrottled run (--rate 0) measures closed-loop latency, which says nothing about latency at a rate"
	}
	res.SLO = Evaluate(cfg.SLO, sample, Counts{Requests: r.judged, Failed: r.failed, Over1000: r.jOver1000, Over2000: r.jOver2000}, opts)
	if enc, err := res.EncodeHistogram(); err == nil {
		res.HistogramHDR = string(enc)
	}
	if res.Series == nil {
		res.Series = []Point{}
	}
	if res.Batches == nil {
		res.Batches = []Batch{}
	}
	res.Run.Judged = JudgedCounts{Requests: r.judged, Failed: r.failed, Over1000: r.jOver1000, Over2000: r.jOver2000}
	if r.sched != nil {
		if enc, err := r.lag.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err == nil {
			res.Run.LagHistogramHDR = string(enc)
		}
	}
	return res
}

// takeBackContractFailures moves the requests whose bodies failed the contract check from the
// successes to the failures: the results loop recorded them before the check ran. A failed
// request counts against both timeout budgets, so those not already over a threshold are
// added.
func (r *run) takeBackContractFailures() {
	all, judged := r.val.failedLatencies()
	r.over1000 += all.TotalCount() - countOver(all, 1000_000)
	r.over2000 += all.TotalCount() - countOver(all, 2000_000)
	n := judged.TotalCount()
	if n == 0 {
		return
	}
	r.jOver1000 += n - countOver(judged, 1000_000)
	r.jOver2000 += n - countOver(judged, 2000_000)
	r.failed += n
	r.hist = subtractHistogram(r.hist, judged)
}

// countOver is the number of values in h over us microseconds (by bucket: a bucket holding
// us counts as at or below).
func countOver(h *hdrhistogram.Histogram, us int64) int64 {
	var over int64
	for _, b := range h.Distribution() {
		if b.From > us {
			over += b.Count
		}
	}
	return over
}

// subtractHistogram is a − b, bucket by bucket, for b recorded from values also in a.
func subtractHistogram(a, b *hdrhistogram.Histogram) *hdrhistogram.Histogram {
	sa, sb := a.Export(), b.Export()
	for i := range sa.Counts {
		if i < len(sb.Counts) {
			sa.Counts[i] = max(sa.Counts[i]-sb.Counts[i], 0)
		}
	}
	return hdrhistogram.Import(sa)
}

// rampSteps reports each ramp step's requests and percentiles.
func (r *run) rampSteps() []RampStep {
	if r.sched == nil || r.cfg.Ramp == nil {
		return nil
	}
	out := make([]RampStep, 0, len(r.steps))
	for i, st := range r.steps {
		s := RampStep{Rate: r.sched.segs[i].rate, Requests: st.requests, Errors: st.errors, Judged: i == len(r.steps)-1}
		if st.hist != nil {
			s.LatencyMS = latencyOf(HistogramSample(st.hist), st.hist.Max())
		}
		out = append(out, s)
	}
	return out
}

// newClient is vegeta's default client without what a load run does not use: no transparent
// gzip (an Accept-Encoding header and a decompressing reader per response; the body is
// checked as sent), idle connections kept for every worker, and buffers that hold a whole
// order answer, so that one read usually brings it in.
func newClient(conns int) *http.Client {
	dialer := &net.Dialer{Timeout: vegeta.DefaultTimeout, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         dialer.DialContext,
		TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: conns,
		DisableCompression:  true,
		ReadBufferSize:      16 << 10,
		WriteBufferSize:     4 << 10,
	}}
}

// add records one result. Latency runs from the intended send time when the run is paced:
// the time the request waited for the generator is part of what its caller would have seen.
// Unthrottled runs have no intended time, and latency is vegeta's own, from the actual send.
func (r *run) add(res *vegeta.Result) {
	r.requests++
	r.secRequests++
	lat := res.Latency
	judged, step := true, -1
	if r.sched != nil {
		at := r.sched.hit(res.Seq)
		intended := r.start.Add(at)
		record(r.lag, max(res.Timestamp.Sub(intended), 0))
		lat = max(res.End().Sub(intended), 0)
		judged = at >= r.judgeFrom
		if r.steps != nil {
			step = r.sched.segmentIndex(at)
		}
	}
	kind, _ := classify(res)
	failed := kind != ""
	if failed || lat > 1000*time.Millisecond {
		r.over1000++
	}
	if failed || lat > 2000*time.Millisecond {
		r.over2000++
	}
	if step >= 0 {
		st := &r.steps[step]
		st.requests++
		if failed {
			st.errors++
		} else {
			if st.hist == nil {
				st.hist = hdrhistogram.New(histLowest, histHighest, 2)
			}
			record(st.hist, lat)
		}
	}
	if judged {
		r.judge(lat, failed)
	}
	if failed {
		r.errors++
		r.secErrors++
		r.byKind[kind]++
		return
	}
	record(r.sec, lat)
	if r.val != nil {
		r.sampleAcc += r.cfg.ValidateSample
		if r.sampleAcc >= 1 {
			r.sampleAcc--
			r.val.submit(job{body: res.Body, us: clampUS(lat), judged: judged})
		}
	}
}

// judge counts a request of the judged window. A failed request met no objective: it is over
// every threshold, and its latency (however fast the failure came) is not a latency.
func (r *run) judge(lat time.Duration, failed bool) {
	r.judged++
	r.batch.Requests++
	if failed {
		r.failed++
		r.jOver1000++
		r.jOver2000++
		r.batch.Failed++
		for i := range r.batch.Over {
			r.batch.Over[i]++
		}
		return
	}
	if lat > 1000*time.Millisecond {
		r.jOver1000++
	}
	if lat > 2000*time.Millisecond {
		r.jOver2000++
	}
	us := float64(lat) / float64(time.Microsecond)
	for i, t := range r.thresholds {
		if us > t {
			r.batch.Over[i]++
		}
	}
	record(r.hist, lat)
}

// flushBatch closes the current batch of the judged window.
func (r *run) flushBatch() {
	if r.batch.Requests == 0 {
		return
	}
	r.batches = append(r.batches, r.batch)
	r.batch = Batch{Over: make([]int64, len(r.thresholds))}
	if len(r.batches) > maxSeriesPoints {
		r.batches = mergeBatches(r.batches)
	}
}

// mergeBatches joins batches in pairs, as a long run's series is coarsened.
func mergeBatches(bs []Batch) []Batch {
	out := bs[:0]
	for i := 0; i < len(bs); i += 2 {
		b := bs[i]
		if i+1 < len(bs) {
			c := bs[i+1]
			b.Requests += c.Requests
			b.Failed += c.Failed
			for k := range b.Over {
				b.Over[k] += c.Over[k]
			}
		}
		out = append(out, b)
	}
	return out
}

// classify names a result's error kind ("" for a 2xx within bounds) and says whether an HTTP
// answer came at all.
func classify(res *vegeta.Result) (kind string, answered bool) {
	if res.Code == 0 {
		if isTimeout(res.Error) {
			return ErrorTimeout, false
		}
		return ErrorConnection, false
	}
	switch res.Code / 100 {
	case 2:
		if len(res.Body) > MaxBodyBytes {
			return ErrorBodyTooLarge, true
		}
		return "", true
	case 3:
		return ErrorStatus3xx, true
	case 4:
		return ErrorStatus4xx, true
	case 5:
		return ErrorStatus5xx, true
	}
	return ErrorStatusOther, true
}

func isTimeout(msg string) bool {
	return strings.Contains(msg, "Client.Timeout") || strings.Contains(msg, "deadline exceeded") ||
		strings.Contains(msg, "timeout")
}

// tick closes the current one-second interval and reports progress.
func (r *run) tick(now time.Duration) {
	r.flushSecond(now)
	r.flushBatch()
	if r.cfg.Progress == nil {
		return
	}
	p := Progress{Elapsed: now, Total: r.cfg.Duration, Requests: r.requests, Errors: r.errors}
	if r.val != nil {
		p.Errors += r.val.failed.Load()
	}
	if n := len(r.series); n > 0 {
		p.Rate = r.series[n-1].Rate
	}
	if r.sched != nil {
		p.Requested = r.sched.Rate(now)
	}
	if n := r.hist.TotalCount(); n > 0 {
		_, hi := HistogramSample(r.hist).Rank(quantileRank(0.99, n))
		p.P99 = time.Duration(hi * float64(time.Millisecond))
	} else if k := len(r.series); k > 0 {
		// Nothing judged yet (a ramp before its final hold, a warm-up): the last second's.
		p.P99 = time.Duration(r.series[k-1].P99MS * float64(time.Millisecond))
	}
	r.cfg.Progress(p)
}

// flushSecond appends the interval since the last flush to the series.
func (r *run) flushSecond(now time.Duration) {
	width := now - r.lastTick
	if width <= 0 || (r.secRequests == 0 && width < time.Second/2) {
		return
	}
	pt := Point{T: now.Seconds(), Width: width.Seconds(), Rate: float64(r.secRequests) / width.Seconds(), Errors: r.secErrors}
	if r.sched != nil {
		pt.Requested = r.sched.Rate(now - width/2)
	}
	if n := r.sec.TotalCount(); n > 0 {
		_, hi := HistogramSample(r.sec).Rank(quantileRank(0.99, n))
		pt.P99MS = roundMS(hi)
	}
	if n := len(r.series); n > 0 && width < time.Second/2 {
		// A sliver (the end of the run) joins the interval before it rather than plotting
		// as a spike of a rate measured over a few milliseconds.
		r.series = append(r.series[:n-1], mergePoints(r.series[n-1], pt))
	} else {
		r.series = append(r.series, pt)
	}
	r.sec.Reset()
	r.secRequests, r.secErrors, r.lastTick = 0, 0, now
	if len(r.series) > maxSeriesPoints {
		r.series = coarsen(r.series)
	}
}

// coarsen merges the series' points in pairs.
func coarsen(ps []Point) []Point {
	out := ps[:0]
	for i := 0; i < len(ps); i += 2 {
		if i+1 == len(ps) {
			out = append(out, ps[i])
			break
		}
		out = append(out, mergePoints(ps[i], ps[i+1]))
	}
	return out
}

// mergePoints joins two adjacent intervals; the p99 of the whole is not known from the
// halves', so it keeps the larger.
func mergePoints(a, b Point) Point {
	w := a.Width + b.Width
	return Point{T: b.T, Width: w, Requested: (a.Requested*a.Width + b.Requested*b.Width) / w,
		Rate: (a.Rate*a.Width + b.Rate*b.Width) / w, P99MS: math.Max(a.P99MS, b.P99MS), Errors: a.Errors + b.Errors}
}

// judgeGenerator says whether the generator kept its schedule (judgeLag).
func (r *run) judgeGenerator(g *Generator, rate Rate, window time.Duration) {
	dropped := max(r.sched.dueHere(window-r.cfg.LagLimit)-r.requests, 0)
	judgeLag(g, r.lag, dropped, rate, r.cfg.LagLimit)
}

// judgeLag fills g from the lag histogram and the sends never made: a send-lag or hiccup p99
// (g.HiccupP99MS, measured before) over the limit, a scheduled send never made, or an
// achieved rate under 95% of the requested one makes the run generator-limited. Its
// latencies then include the generator's delays: a pass stands (the target was fast enough
// even so), a fail is voided (Evaluate). A merge of shards judges the union the same way.
func judgeLag(g *Generator, lagHist *hdrhistogram.Histogram, dropped int64, rate Rate, lagLimit time.Duration) {
	if n := lagHist.TotalCount(); n > 0 {
		lag := HistogramSample(lagHist)
		_, p50 := lag.Rank(quantileRank(0.5, n))
		_, p99 := lag.Rank(quantileRank(0.99, n))
		g.LagP50MS, g.LagP99MS = roundMS(p50), roundMS(p99)
		g.LagMaxMS = roundMS(float64(lagHist.Max()) / 1000)
	}
	g.Dropped = dropped
	var why []string
	limit := durationMS(lagLimit)
	if g.LagP99MS > limit {
		why = append(why, fmt.Sprintf("generator lag p99 %.3g ms exceeds %.3g ms", g.LagP99MS, limit))
	}
	if g.HiccupP99MS > limit {
		why = append(why, fmt.Sprintf("generator hiccup p99 %.3g ms exceeds %.3g ms", g.HiccupP99MS, limit))
	}
	if g.Dropped > 0 {
		why = append(why, fmt.Sprintf("%d scheduled requests were never sent", g.Dropped))
	}
	if rate.Requested > 0 && rate.Achieved < 0.95*rate.Requested {
		why = append(why, fmt.Sprintf("achieved %.1f/s, under 95%% of the requested %.1f/s", rate.Achieved, rate.Requested))
	}
	if len(why) > 0 {
		g.Limited, g.LimitedReason = true, strings.Join(why, "; ")
	}
}

// noResults is a closed channel: the results of an attack never made.
var noResults = func() <-chan *vegeta.Result {
	ch := make(chan *vegeta.Result)
	close(ch)
	return ch
}()

// waitUntil sleeps until t; false when ctx ended first.
func waitUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
