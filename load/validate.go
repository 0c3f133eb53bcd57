package load

import (
	"runtime"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"sync"
	"sync/atomic"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/jwe"
)

// Checking a body costs tens of microseconds (milliseconds for a V4 body: an RSA decryption),
// far more than recording a latency, so it happens off the results loop: the loop hands
// bodies to a few validating goroutines through a bounded queue and never waits for them.
// When they fall behind a body is skipped and counted (Validation.Skipped), so the check can
// never throttle the generator or skew its latencies.
//
// A target answers the same bytes for the same order again and again, and a payload's
// findings are a pure function of its bytes, so each validator remembers the findings of the
// payloads it has seen (bounded) and looks them up instead of validating them again.

const (
	validateQueue      = 1024     // bodies waiting
	validateQueueBytes = 16 << 20 // bytes waiting
	cacheEntries       = 256
	cacheBodyBytes     = 64 << 10
	cacheBytes         = 4 << 20
	findingSamples     = 20
)

type validators struct {
	set     *contracts.Set
	profile contracts.Profile
	v4      *jwe.Client
	jobs    chan job
	queued  atomic.Int64 // bytes in jobs
	failed  atomic.Int64 // for Progress while running
	skipped int64        // owned by the results loop
	wg      sync.WaitGroup
	workers []*validator
}

// job is one body to check and what its request measured: a body that fails the check makes
// its request a failed one, which the verdict must see.
type job struct {
	body   []byte
	us     int64 // the request's latency in microseconds
	judged bool  // the request is in the window the verdict judges
}

type validator struct {
	// failedAll and failedJudged hold the latencies of the requests whose bodies failed: the
	// results loop recorded them as successes, and the run takes them back out.
	failedAll, failedJudged *hdrhistogram.Histogram
	cache                   map[string]*checked
	cacheBytes              int
	validated               int64
	failed                  int64
	byKind                  map[string]int64
	findings                findingSet
}

// checked is what validating one payload found.
type checked struct {
	errors   int
	findings []contracts.Finding
}

func startValidators(set *contracts.Set, profile contracts.Profile, v4 *jwe.Client) *validators {
	vs := &validators{set: set, profile: profile, v4: v4, jobs: make(chan job, validateQueue)}
	// One core is left to the generator: a validator busy on a cold or huge body must not
	// hold back the pacing loop until the scheduler preempts it.
	for range max(1, runtime.GOMAXPROCS(0)-1) {
		w := &validator{cache: map[string]*checked{}, byKind: map[string]int64{}, failedAll: newHistogram(), failedJudged: newHistogram()}
		vs.workers = append(vs.workers, w)
		vs.wg.Add(1)
		go func() {
			defer vs.wg.Done()
			for j := range vs.jobs {
				vs.queued.Add(-int64(len(j.body)))
				if !w.check(vs, j.body) {
					_ = w.failedAll.RecordValue(j.us)
					if j.judged {
						_ = w.failedJudged.RecordValue(j.us)
					}
				}
			}
		}()
	}
	return vs
}

// submit queues body for checking, or counts it skipped when the validators are behind.
func (vs *validators) submit(j job) {
	if vs.queued.Load()+int64(len(j.body)) > validateQueueBytes {
		vs.skipped++
		return
	}
	select {
	case vs.jobs <- j:
		vs.queued.Add(int64(len(j.body)))
	default:
		vs.skipped++
	}
}

// finish waits for the queue to drain and merges what the validators found.
func (vs *validators) finish() Validation {
	close(vs.jobs)
	vs.wg.Wait()
	out := Validation{Skipped: vs.skipped}
	var all findingSet
	for _, w := range vs.workers {
		out.Validated += w.validated
		out.Failed += w.failed
		all.merge(&w.findings)
	}
	out.Findings = all.list()
	return out
}

// failedLatencies merges the latencies of the requests whose bodies failed: all of them, and
// those in the judged window. Call after finish.
func (vs *validators) failedLatencies() (all, judged *hdrhistogram.Histogram) {
	all, judged = newHistogram(), newHistogram()
	for _, w := range vs.workers {
		all.Merge(w.failedAll)
		judged.Merge(w.failedJudged)
	}
	return all, judged
}

// byKind sums the validators' error kinds.
func (vs *validators) byKind() map[string]int64 {
	m := map[string]int64{}
	for _, w := range vs.workers {
		for k, n := range w.byKind {
			m[k] += n
		}
	}
	return m
}

// check validates one body and says whether it passed.
func (w *validator) check(vs *validators, body []byte) bool {
	w.validated++
	payload := body
	if vs.v4 != nil {
		opened, err := vs.v4.Open(body)
		if err != nil {
			w.fail(vs, ErrorV4Open)
			w.findings.add(FindingSample{Rule: "v4", Severity: string(contracts.SeverityError), Message: oneLine(err.Error())})
			return false
		}
		payload = opened.Payload
	}
	c, ok := w.cache[string(payload)]
	if !ok {
		res, err := vs.set.Validate(contracts.KindOrderStatus, payload, contracts.Options{Profile: vs.profile})
		if err != nil {
			// Only an unknown kind errors, and order-status is always known.
			res = contracts.Result{Findings: []contracts.Finding{{Rule: "kind", Severity: contracts.SeverityError, Message: oneLine(err.Error())}}}
		}
		c = &checked{errors: res.Errors(), findings: res.Findings}
		if len(payload) <= cacheBodyBytes && len(w.cache) < cacheEntries && w.cacheBytes+len(payload) <= cacheBytes {
			w.cache[string(payload)] = c
			w.cacheBytes += len(payload)
		}
	}
	if c.errors > 0 {
		w.fail(vs, ErrorContract)
	}
	for _, f := range c.findings {
		w.findings.add(FindingSample{Pointer: f.Pointer, Rule: string(f.Rule), Severity: string(f.Severity), Message: f.Message})
	}
	return c.errors == 0
}

func (w *validator) fail(vs *validators, kind string) {
	w.failed++
	w.byKind[kind]++
	vs.failed.Add(1)
}

// findingSet keeps the first findingSamples distinct findings and counts each.
type findingSet struct {
	order []FindingSample
	index map[FindingSample]int // keyed with Count 0
}

func (s *findingSet) add(f FindingSample) {
	s.addN(f, 1)
}

func (s *findingSet) addN(f FindingSample, n int64) {
	f.Count = 0
	if i, ok := s.index[f]; ok {
		s.order[i].Count += n
		return
	}
	if len(s.order) >= findingSamples {
		return
	}
	if s.index == nil {
		s.index = map[FindingSample]int{}
	}
	s.index[f] = len(s.order)
	f.Count = n
	s.order = append(s.order, f)
}

func (s *findingSet) merge(o *findingSet) {
	for _, f := range o.order {
		s.addN(f, f.Count)
	}
}

func (s *findingSet) list() []FindingSample {
	return append([]FindingSample{}, s.order...)
}
