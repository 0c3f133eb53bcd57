package load

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Sharding: N generators share one schedule. Shard I of N sends the global schedule's hits
// I, I+N, I+2N, … at their global intended times, so the N together send exactly what one
// generator would (ramps included) and never N at once. Every shard anchors the schedule at
// the same instant (StartAt); one that wakes late sends its overdue hits at once and the wait
// shows as lag. What a merge needs to check that results are one run travels in RunInfo.

// MaxShards bounds N in --shard I/N.
const MaxShards = 1000

// Shard is shard Index (0-based) of Count. The zero value is the whole run (0/1).
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// ParseShard reads I/N: 0 ≤ I < N ≤ MaxShards.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	index, err1 := strconv.Atoi(strings.TrimSpace(i))
	count, err2 := strconv.Atoi(strings.TrimSpace(n))
	switch {
	case !ok || err1 != nil || err2 != nil:
		return Shard{}, fmt.Errorf("shard %q: want I/N, as 0/4 (the first of four)", s)
	case count < 1 || count > MaxShards:
		return Shard{}, fmt.Errorf("shard %q: N must be from 1 to %d", s, MaxShards)
	case index < 0 || index >= count:
		return Shard{}, fmt.Errorf("shard %q: I must be from 0 to N-1 (%d)", s, count-1)
	}
	return Shard{Index: index, Count: count}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.count()) }

func (s Shard) count() int { return max(s.Count, 1) }

// RunInfo is what identifies a run and what a merge of its shards, or a pool of runs,
// needs beyond the Result's counts: Result.Run.
type RunInfo struct {
	// ID names the run: Config.RunID, else derived from the start instant and the schedule
	// (DeriveRunID), so that shards started with the same --start-at and flags agree on it.
	ID    string `json:"id"`
	Shard Shard  `json:"shard"`
	// StartAt is the instant the schedule is anchored at: Config.StartAt, else the run's own
	// start.
	StartAt  time.Time `json:"start_at"`
	Schedule Schedule  `json:"schedule"`
	SLO      SLO       `json:"slo"`
	// LagLimitMS is the generator lag p99 beyond which the run is generator-limited.
	LagLimitMS        float64 `json:"lag_limit_ms"`
	RequireConclusive bool    `json:"require_conclusive"`
	// Judged are the counts the verdict read (the judged window: after a warm-up, or a
	// ramp's final hold), which a merge or a pool sums.
	Judged JudgedCounts `json:"judged"`
	// LagHistogramHDR is the generator lag histogram (microseconds behind the intended send
	// time), encoded as HistogramHDR is; empty when unthrottled.
	LagHistogramHDR string `json:"lag_histogram_hdr,omitempty"`
}

// JudgedCounts are Counts in a Result: the requests the verdict judged.
type JudgedCounts struct {
	Requests int64 `json:"requests"`
	Failed   int64 `json:"failed"`
	Over1000 int64 `json:"over_1000ms"`
	Over2000 int64 `json:"over_2000ms"`
}

func (j JudgedCounts) counts() Counts {
	return Counts{Requests: j.Requests, Failed: j.Failed, Over1000: j.Over1000, Over2000: j.Over2000}
}

func (j *JudgedCounts) add(o JudgedCounts) {
	j.Requests += o.Requests
	j.Failed += o.Failed
	j.Over1000 += o.Over1000
	j.Over2000 += o.Over2000
}

// Schedule is the global schedule of a run: every shard of it has the same.
type Schedule struct {
	Mode       string  `json:"mode"` // "constant", "ramp" or "unthrottled"
	Rate       float64 `json:"rate"` // the constant rate; 0 for a ramp or unthrottled
	Ramp       *Ramp   `json:"ramp,omitempty"`
	DurationMS float64 `json:"duration_ms"`
}

// DeriveRunID names a run by its start instant and schedule (and the number of shards):
// twelve hex digits.
func DeriveRunID(startAt time.Time, sc Schedule, shards int) string {
	ramp := ""
	if sc.Ramp != nil {
		r := *sc.Ramp
		ramp = fmt.Sprintf("%g:%g:%g:%d", r.From, r.To, r.Step, r.StepDuration)
	}
	h := sha256.Sum256(fmt.Appendf(nil, "%s|%s|%g|%s|%g|%d", startAt.UTC().Format(time.RFC3339Nano), sc.Mode, sc.Rate, ramp, sc.DurationMS, max(shards, 1)))
	return hex.EncodeToString(h[:6])
}

// MaxRunIDBytes bounds --run-id.
const MaxRunIDBytes = 64

// CheckRunID accepts an id made of letters, digits, '.', '_' and '-': it names files and
// directories.
func CheckRunID(id string) error {
	if id == "" || len(id) > MaxRunIDBytes {
		return fmt.Errorf("run id must be 1 to %d characters", MaxRunIDBytes)
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("run id %q: only letters, digits, '.', '_' and '-'", id)
		}
	}
	if id[0] == '.' {
		return fmt.Errorf("run id %q must not start with '.'", id)
	}
	return nil
}

// checkShard validates the sharding fields of a Config.
func (cfg Config) checkShard() error {
	if cfg.Shard.Count < 0 || cfg.Shard.Count > MaxShards || cfg.Shard.Index < 0 || cfg.Shard.Index >= cfg.Shard.count() {
		return fmt.Errorf("shard %d/%d: want 0 ≤ I < N ≤ %d", cfg.Shard.Index, cfg.Shard.Count, MaxShards)
	}
	if cfg.Shard.count() > 1 {
		if cfg.Rate == 0 && cfg.Ramp == nil {
			return errors.New("shards split a schedule: an unthrottled run (rate 0) has none to split")
		}
		if cfg.StartAt.IsZero() {
			return errors.New("shards need a common start instant (--start-at) to share one schedule")
		}
	}
	if cfg.RunID != "" {
		if err := CheckRunID(cfg.RunID); err != nil {
			return err
		}
	}
	return nil
}

// shardSchedule makes s the schedule of cfg's shard.
func shardSchedule(s *schedule, sh Shard) {
	s.offset, s.stride = uint64(sh.Index), uint64(sh.count())
}

// hit is the intended send time of this generator's hit n (its n-th send, 0-based).
func (s *schedule) hit(n uint64) time.Duration {
	return s.at(s.offset + n*max(s.stride, 1))
}

// dueHere is the number of this generator's hits whose send time is before t.
func (s *schedule) dueHere(t time.Duration) int64 {
	g := s.due(t)
	stride := int64(max(s.stride, 1))
	off := int64(s.offset)
	if g <= off {
		return 0
	}
	return (g - off + stride - 1) / stride
}

// scheduleOf is cfg's global schedule.
func scheduleOf(cfg Config) Schedule {
	sc := Schedule{Mode: "unthrottled", DurationMS: durationMS(cfg.Duration)}
	switch {
	case cfg.Ramp != nil:
		sc.Mode, sc.Ramp = "ramp", cfg.Ramp
	case cfg.Rate > 0:
		sc.Mode, sc.Rate = "constant", cfg.Rate
	}
	return sc
}

// runInfo is the RunInfo of a run of cfg anchored at start.
func runInfo(cfg Config, start time.Time) *RunInfo {
	ri := &RunInfo{ID: cfg.RunID, Shard: Shard{Index: cfg.Shard.Index, Count: cfg.Shard.count()}, StartAt: start.UTC(),
		Schedule: scheduleOf(cfg), SLO: cfg.SLO, LagLimitMS: durationMS(cfg.LagLimit), RequireConclusive: cfg.RequireConclusive}
	if ri.ID == "" {
		ri.ID = DeriveRunID(ri.StartAt, ri.Schedule, ri.Shard.Count)
	}
	return ri
}
