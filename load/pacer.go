package load

import (
	"math"
	"runtime"

	"sort"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// schedule is an open-model pacer whose every send time is computable: hit n (0-based) is due
// when the schedule's cumulative count, the integral of its rate, reaches n, counted from
// startOffset. That time is the request's intended send time, the origin of its latency, so
// a generator that falls behind cannot hide the wait (coordinated omission). The rate is
// piecewise constant: one segment for a constant rate, one per step for a ramp, the last
// lasting forever.
type schedule struct {
	segs []segment
	// A shard (see Shard) sends the global hits offset, offset+stride, …: its local hit n is
	// global hit offset+n·stride. A whole run has offset 0 and stride 0 or 1.
	offset, stride uint64
	// late is how far behind the schedule's anchor the attack started (a shard waiting for
	// --start-at wakes a little after it): vegeta's elapsed time plus late is the schedule's.
	late time.Duration
}

type segment struct {
	start time.Duration // when the segment begins
	rate  float64       // hits per second
	hits  float64       // hits due before start
}

// startOffset delays the first send a little: vegeta starts its workers and its pacing loop
// as the attack begins, and a first send due at once would be late by that start-up alone.
const startOffset = 5 * time.Millisecond

var _ vegeta.Pacer = (*schedule)(nil)

// constantSchedule paces rate hits per second, the first at once.
func constantSchedule(rate float64) *schedule {
	return &schedule{segs: []segment{{start: startOffset, rate: rate}}}
}

// rampSchedule holds each of r's rates for r.StepDuration, then stays at the last.
func rampSchedule(r Ramp) *schedule {
	s := &schedule{}
	t := startOffset
	hits := 0.0
	for _, rate := range r.Rates() {
		s.segs = append(s.segs, segment{start: t, rate: rate, hits: hits})
		hits += rate * r.StepDuration.Seconds()
		t += r.StepDuration
	}
	return s
}

// at is the intended send time of hit n, from the start of the attack.
func (s *schedule) at(n uint64) time.Duration {
	k := float64(n)
	i := sort.Search(len(s.segs), func(i int) bool { return s.segs[i].hits > k }) - 1
	seg := s.segs[max(i, 0)]
	return seg.start + time.Duration((k-seg.hits)/seg.rate*float64(time.Second))
}

// segmentIndex is the index of the segment in force at t.
func (s *schedule) segmentIndex(t time.Duration) int {
	return max(sort.Search(len(s.segs), func(i int) bool { return s.segs[i].start > t })-1, 0)
}

// segmentAt is the segment in force at t.
func (s *schedule) segmentAt(t time.Duration) segment {
	i := sort.Search(len(s.segs), func(i int) bool { return s.segs[i].start > t }) - 1
	return s.segs[max(i, 0)]
}

// due is the number of hits whose send time is before t.
func (s *schedule) due(t time.Duration) int64 {
	if t <= s.segs[0].start {
		return 0
	}
	seg := s.segmentAt(t)
	return int64(math.Ceil(seg.hits + (t-seg.start).Seconds()*seg.rate - 1e-9))
}

// time.Sleep wakes up to a millisecond late when the process is idle (the runtime's poller
// waits in whole milliseconds), which alone would put the generator's lag p99 at the 1 ms
// that marks a run generator-limited. So at low rates, where the process idles between sends,
// Pace sleeps all but the last spinWindow and yields in a loop until the send is due: sends
// go out within tens of microseconds of their time, for at most half a core. At higher rates
// the process is busy, the runtime checks its timers often, and a plain sleep is precise
// enough; yielding in a loop there would queue the pacer behind the workers.
const (
	spinWindow  = time.Millisecond
	maxSpinRate = 500 // hits per second: an interval of 2 spin windows
)

// Pace implements vegeta.Pacer: it waits until hit number hits is due, or returns the wait
// for vegeta to sleep; it never stops (the attack's duration ends the run).
func (s *schedule) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	at := s.hit(hits)
	wait := at - (elapsed + s.late)
	if wait <= 0 {
		return 0, false
	}
	if s.segmentAt(at).rate > maxSpinRate {
		return wait, false
	}
	deadline := time.Now().Add(wait)
	if wait > spinWindow {
		time.Sleep(wait - spinWindow)
	}
	for time.Now().Before(deadline) {
		runtime.Gosched()
	}
	return 0, false
}

// Rate implements vegeta.Pacer: the rate this generator sends (a shard's share).
func (s *schedule) Rate(elapsed time.Duration) float64 {
	return s.segmentAt(elapsed).rate / float64(max(s.stride, 1))
}
