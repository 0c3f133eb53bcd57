package load

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Capacity is a capacity search: constant-rate runs of StepDuration at From, From+Step, …, up
// to Max, stopping at the first that does not meet the SLO.
type Capacity struct {
	From, Step, Max float64
	StepDuration    time.Duration
}

// CapacityResult is a capacity search's outcome.
type CapacityResult struct {
	Version int `json:"version"`
	// Capacity is the highest rate whose run met the SLO (no check failed, not
	// generator-limited; with RequireConclusive, no check inconclusive), 0 if none did.
	Capacity float64 `json:"capacity"`
	// StoppedBy says why the search ended: "slo" (a check failed), "generator" (the generator
	// could not pace the next rate, so the target's capacity is at least Capacity and may be
	// more), "max" (every rate up to Max met the SLO) or "aborted".
	StoppedBy string         `json:"stopped_by"`
	Steps     []CapacityStep `json:"steps"`
	Aborted   bool           `json:"aborted"`
}

// The reasons a capacity search ends.
const (
	StoppedBySLO       = "slo"
	StoppedByGenerator = "generator"
	StoppedByMax       = "max"
	StoppedByAborted   = "aborted"
)

// CapacityStep is one rate tried.
type CapacityStep struct {
	Rate   float64 `json:"rate"`
	Pass   bool    `json:"pass"`
	Result *Result `json:"result"`
}

// FindCapacity steps the rate up until the SLO fails (or the generator cannot keep up) and
// reports the highest rate that met it, with each step's Result. cfg's Rate, Ramp and
// Duration are replaced by the steps'; V4 bodies are sealed once for all steps.
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
	}
	cfg.Ramp, cfg.Rate, cfg.Duration = nil, c.From, c.StepDuration
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	v4, p, err := prepare(ctx, cfg)
	if err != nil {
		return nil, err
	}
	out := &CapacityResult{Version: ResultVersion, StoppedBy: StoppedByMax, Steps: []CapacityStep{}}
	for i := 0; ; i++ {
		rate := c.From + float64(i)*c.Step
		if rate > c.Max*(1+1e-9) {
			break
		}
		rate = math.Min(rate, c.Max)
		step := cfg
		step.Rate = rate
		res := attack(ctx, step, v4, p)
		out.Steps = append(out.Steps, CapacityStep{Rate: rate, Pass: res.SLO.Pass, Result: res})
		switch {
		case res.Aborted:
			out.StoppedBy, out.Aborted = StoppedByAborted, true
		case res.SLO.GeneratorLimited:
			out.StoppedBy = StoppedByGenerator
		case !res.SLO.Pass:
			out.StoppedBy = StoppedBySLO
		default:
			out.Capacity = rate
			continue
		}
		break
	}
	return out, nil
}
