package load

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jpcheck/jpcheck/jwe"
)

// Capacity is a capacity search: constant-rate runs of StepDuration at From, From+Step, …, up
// to Max, until one does not meet the SLO; then bisection between the last rate that met it
// and the first that did not, down to Resolution; then the best rate once more, to confirm.
// Each run starts with a warm-up that is not judged.
type Capacity struct {
	From, Step, Max float64
	StepDuration    time.Duration
	// Resolution is the bisection's stopping width in requests per second; 0 is
	// DefaultResolution(Step, From).
	Resolution float64
	// Warmup precedes every run; 0 is DefaultWarmup(StepDuration), negative none.
	Warmup time.Duration
}

// DefaultResolution is the bisection's stopping width: an eighth of the step, and no finer
// than 2% of the starting rate (runs closer than that differ less than a shared machine's
// noise).
func DefaultResolution(step, from float64) float64 {
	return math.Max(step/8, from/50)
}

// DefaultWarmup is a fifth of a step's judged duration, at most 5 s: enough for connections,
// pools and caches to settle at the new rate.
func DefaultWarmup(step time.Duration) time.Duration {
	return min(step/5, 5*time.Second)
}

// CapacityResult is a capacity search's outcome.
type CapacityResult struct {
	Version int `json:"version"`
	// Capacity is the highest rate whose run met the SLO (its verdict pass or, without
	// RequireConclusive, inconclusive checks but none failed) and was confirmed; 0 if none.
	Capacity float64 `json:"capacity"`
	// StoppedBy says why the search did not go higher: "slo" (a check failed), "generator"
	// (a check failed while the generator was behind: the target's capacity is at least
	// Capacity and may be more), "inconclusive" (a check undecided and a conclusive verdict
	// required), "max" (every rate up to Max met the SLO) or "aborted".
	StoppedBy string `json:"stopped_by"`
	// Reason is why the next rate above the capacity did not count as met: its verdict's
	// reasons.
	Reason string `json:"reason,omitempty"`
	// Resolution is the bisection's stopping width, requests per second.
	Resolution float64 `json:"resolution"`
	// WarmupMS is each run's warm-up.
	WarmupMS float64        `json:"warmup_ms"`
	Steps    []CapacityStep `json:"steps"`
	Aborted  bool           `json:"aborted"`
}

// The reasons a capacity search ends.
const (
	StoppedBySLO          = "slo"
	StoppedByGenerator    = "generator"
	StoppedByInconclusive = "inconclusive"
	StoppedByMax          = "max"
	StoppedByAborted      = "aborted"
)

// The phases of a capacity step.
const (
	PhaseClimb   = "climb"
	PhaseBisect  = "bisect"
	PhaseConfirm = "confirm"
)

// CapacityStep is one rate tried.
type CapacityStep struct {
	Rate  float64 `json:"rate"`
	Phase string  `json:"phase"`
	// Met says the run counts as meeting the SLO.
	Met bool `json:"met"`
	// Pass is the run's verdict was pass (kept for readers of version 1).
	Pass bool `json:"pass"`
	// Verdict is the run's verdict (pass, fail, inconclusive), Requests the requests judged.
	Verdict  string `json:"verdict"`
	Requests int64  `json:"requests"`
	// Failed names the checks that failed; Reason is the verdict's reasons.
	Failed []string `json:"failed_checks"`
	Reason string   `json:"reason,omitempty"`
	Result *Result  `json:"result"`
}

// FindCapacity searches for the highest rate that meets the SLO (see Capacity) and reports
// every run. cfg's Rate, Ramp, Warmup and Duration are replaced by the steps'; V4 bodies are
// sealed once for all steps.
func FindCapacity(ctx context.Context, cfg Config, c Capacity) (*CapacityResult, error) {
	switch {
	case !finitePositive(c.From) || !finitePositive(c.Step) || !finitePositive(c.Max):
		return nil, errors.New("capacity: from, step and max must be positive rates")
	case c.From > c.Max:
		return nil, errors.New("capacity: from must not exceed max")
	case c.StepDuration <= 0:
		return nil, errors.New("capacity: each step needs a positive duration")
	case (c.Max-c.From)/c.Step+1 > MaxRampSteps:
		return nil, fmt.Errorf("capacity: more than %d steps", MaxRampSteps)
	case c.Resolution < 0 || math.IsNaN(c.Resolution) || math.IsInf(c.Resolution, 0):
		return nil, errors.New("capacity: the resolution must be a non-negative rate")
	}
	if c.Resolution == 0 {
		c.Resolution = DefaultResolution(c.Step, c.From)
	}
	switch {
	case c.Warmup == 0:
		c.Warmup = DefaultWarmup(c.StepDuration)
	case c.Warmup < 0:
		c.Warmup = 0
	}
	cfg.Ramp, cfg.Rate, cfg.Duration, cfg.Warmup = nil, c.From, c.StepDuration, c.Warmup
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
	s := &search{ctx: ctx, cfg: cfg, v4: v4, p: p, out: &CapacityResult{Version: ResultVersion, StoppedBy: StoppedByMax,
		Resolution: c.Resolution, WarmupMS: durationMS(c.Warmup), Steps: []CapacityStep{}}}
	s.run(c)
	return s.out, nil
}

type search struct {
	ctx context.Context
	cfg Config
	v4  *jwe.Client
	p   *pool
	out *CapacityResult
}

// try runs one rate and records it; ok says it met the SLO, and false with aborted set ends
// the search.
func (s *search) try(rate float64, phase string) (ok bool) {
	step := s.cfg
	step.Rate = rate
	res := attack(s.ctx, step, s.v4, s.p)
	st := CapacityStep{Rate: rate, Phase: phase, Pass: res.SLO.Pass, Verdict: res.SLO.Outcome,
		Requests: res.SLO.Requests, Failed: []string{}, Result: res}
	for _, ch := range res.SLO.Checks {
		if ch.Result == OutcomeFail {
			st.Failed = append(st.Failed, ch.Name)
		}
	}
	st.Met = met(res.SLO, s.cfg.RequireConclusive) && !res.Aborted
	if !st.Met {
		st.Reason = strings.Join(res.SLO.Reasons, "; ")
	}
	s.out.Steps = append(s.out.Steps, st)
	if res.Aborted {
		s.out.Aborted, s.out.StoppedBy = true, StoppedByAborted
	}
	return st.Met
}

// met says whether a verdict counts as meeting the SLO in a capacity search: a pass, or
// (unless a conclusive verdict is required) undecided checks with none failed. A voided run
// had a failed check: it does not count.
func met(v Verdict, requireConclusive bool) bool {
	if v.Outcome == OutcomePass {
		return true
	}
	if requireConclusive || v.Outcome != OutcomeInconclusive || v.Requests == 0 {
		return false
	}
	for _, ch := range v.Checks {
		if ch.Result == OutcomeFail {
			return false
		}
	}
	return true
}

// stopReason classifies the first rate that did not meet the SLO.
func stopReason(st CapacityStep) string {
	switch {
	case st.Result != nil && st.Result.Aborted:
		return StoppedByAborted
	case st.Verdict == OutcomeInconclusive && len(st.Failed) > 0:
		return StoppedByGenerator
	case len(st.Failed) > 0:
		return StoppedBySLO
	}
	return StoppedByInconclusive
}

func (s *search) run(c Capacity) {
	good, bad := 0.0, 0.0
	var badStep CapacityStep
	for i := 0; ; i++ {
		rate := c.From + float64(i)*c.Step
		if rate > c.Max*(1+1e-9) {
			break
		}
		rate = math.Min(rate, c.Max)
		if s.try(rate, PhaseClimb) {
			good = rate
			continue
		}
		if s.out.Aborted {
			return
		}
		bad, badStep = rate, s.out.Steps[len(s.out.Steps)-1]
		break
	}
	if bad > 0 && good > 0 {
		for bad-good > c.Resolution {
			mid := roundRate((good+bad)/2, c.Resolution)
			if mid <= good || mid >= bad {
				break
			}
			if s.try(mid, PhaseBisect) {
				good = mid
				continue
			}
			if s.out.Aborted {
				return
			}
			bad, badStep = mid, s.out.Steps[len(s.out.Steps)-1]
		}
	}
	if good > 0 {
		// One good run may have been luck: the capacity reported is one that held twice.
		if !s.try(good, PhaseConfirm) {
			if s.out.Aborted {
				return
			}
			bad, badStep = good, s.out.Steps[len(s.out.Steps)-1]
			good = 0
			for _, st := range s.out.Steps {
				if st.Met && st.Rate < bad {
					good = math.Max(good, st.Rate)
				}
			}
		}
	}
	s.out.Capacity = good
	if bad > 0 {
		s.out.StoppedBy = stopReason(badStep)
		s.out.Reason = fmt.Sprintf("at %g/s: %s", bad, badStep.Reason)
	}
}

// roundRate rounds a bisection midpoint to a tenth of the resolution, so the rates read well.
func roundRate(v, resolution float64) float64 {
	unit := math.Pow(10, math.Floor(math.Log10(math.Max(resolution/10, 1e-3))))
	return math.Round(v/unit) * unit
}
