package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/jwe"
)

// Defaults.
const (
	DefaultWorkers = 64
	// DefaultTimeout is the client timeout: the 2000 ms the document recommends at TP99.99.
	DefaultTimeout = 2000 * time.Millisecond
	// DefaultLagLimit is the generator lag (p99 of send lag or of hiccups) beyond which a run
	// is generator-limited and a failed check is voided. A 2-core machine running the
	// generator, the validators and the target at 1,000/s shows a few milliseconds at p99
	// (docs/load.md); 20 ms is one TP50 limit, well above that and small against every limit
	// a fail could be voided for.
	DefaultLagLimit = 20 * time.Millisecond
	// MaxBodyBytes bounds a response body read under load: an order is a few kilobytes, and
	// a larger body is counted as a body_too_large error rather than buffered.
	MaxBodyBytes = 1 << 20
	// MaxRampSteps bounds a ramp or a capacity search.
	MaxRampSteps = 1000
)

// Config is one load run.
type Config struct {
	// Target is the base URL, http(s)://host[:port][/prefix].
	Target     string
	APIKey     string // Basic auth (b64(key:)); none when empty
	MerchantID string // x-merchantid; none when empty
	// RoutingID, when set, is sent as x-routing-id on every request. When empty each request
	// sends its own order id: Juspay recommends the customer id, or for a guest "an Order ID
	// or Cart ID", and the same id on every call about one customer. A load run knows orders,
	// not customers, so the order id is the documented fallback; it also spreads the load over
	// routing keys as real traffic does, where one fixed id would pin it to one.
	RoutingID string
	// OrderIDs is the pool, used round-robin.
	OrderIDs []string
	// V4, when set, sends POST /v4/order-status, one body sealed per order id before the run
	// (Shape A, RSA-OAEP, JSON JWS: the Node SDK's form) and replayed, and opens every
	// validated response with these keys.
	V4 *jwe.Keys
	// Rate is requests per second; 0 is unthrottled: Workers connections send back to back.
	Rate float64
	// Workers is the number of connections when unthrottled and the initial pool otherwise
	// (more are started as the rate needs them); 0 is DefaultWorkers.
	Workers int
	// Duration bounds the run. With a Ramp it may be 0 (the ramp's length) and is otherwise
	// split evenly among the ramp's steps when the ramp has no StepDuration.
	Duration time.Duration
	// Warmup, for a constant rate, is sent before Duration and not judged: the connections,
	// caches and the target's pools settle first. FindCapacity gives each step one.
	Warmup time.Duration
	// Ramp, when set, overrides Rate.
	Ramp *Ramp
	// Timeout is the client timeout; 0 is DefaultTimeout.
	Timeout time.Duration
	// ValidateSample is the fraction of 2xx responses checked against the contract: 1 checks
	// every response, 0 none. The zero value is 0; callers set 1 for the default.
	ValidateSample float64
	Set            *contracts.Set
	Profile        contracts.Profile
	// SLO is DefaultSLO() when zero.
	SLO               SLO
	RequireConclusive bool
	// LagLimit is the generator lag (p99) beyond which the run is generator-limited; 0 is
	// DefaultLagLimit.
	LagLimit time.Duration
	// TuneGC lets the run set the process's garbage collector for its duration (see
	// tuneGC): for a caller that owns the process, as the CLI does. A library caller sharing
	// its process leaves it false.
	TuneGC bool
	// Shard, when its Count is over 1, makes this generator one of Count sharing the
	// schedule (see Shard); StartAt is then required.
	Shard Shard
	// StartAt, when set, is the instant the run waits for and anchors its schedule at.
	StartAt time.Time
	// RunID names the run in Result.Run; empty derives one (DeriveRunID).
	RunID string
	// Progress, when set, is called about once a second from one goroutine, the one that
	// drains results: it must return quickly.
	Progress func(Progress)
}

// Progress is a run's state, reported about once a second.
type Progress struct {
	Elapsed, Total time.Duration
	Requests       int64   // answered or failed so far
	Errors         int64   // of those, errors (contract errors as validation catches up)
	Rate           float64 // responses per second over the last interval
	Requested      float64 // the schedule's rate now; 0 when unthrottled
	P99            time.Duration
}

// Ramp steps the rate from From to To by Step, each rate held for StepDuration. The last step
// is To even when Step does not divide To−From. After the last step the rate stays at To
// until the run's Duration ends.
type Ramp struct {
	From, To, Step float64
	// StepDuration 0 splits Config.Duration evenly among the steps.
	StepDuration time.Duration
}

// rampJSON is a Ramp in a Result: rates per second, the step duration in milliseconds.
type rampJSON struct {
	From           float64 `json:"from"`
	To             float64 `json:"to"`
	Step           float64 `json:"step"`
	StepDurationMS float64 `json:"step_duration_ms"`
}

// MarshalJSON writes the ramp as {"from","to","step","step_duration_ms"}.
func (r Ramp) MarshalJSON() ([]byte, error) {
	return json.Marshal(rampJSON{From: r.From, To: r.To, Step: r.Step, StepDurationMS: durationMS(r.StepDuration)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *Ramp) UnmarshalJSON(b []byte) error {
	var j rampJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Ramp{From: j.From, To: j.To, Step: j.Step, StepDuration: time.Duration(j.StepDurationMS * float64(time.Millisecond))}
	return nil
}

// ParseRamp reads the --ramp flag: FROM:TO:STEP, rates in requests per second and STEP the
// increment, optionally followed by :DURATION (a Go duration, "10s") for each step, as in
// "50:500:50" or "50:500:50:10s". Without a duration each step lasts the run's --duration
// divided by the number of steps.
func ParseRamp(s string) (Ramp, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 && len(parts) != 4 {
		return Ramp{}, fmt.Errorf("ramp %q: want FROM:TO:STEP or FROM:TO:STEP:DURATION", s)
	}
	var v [3]float64
	for i, name := range []string{"FROM", "TO", "STEP"} {
		f, err := strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
		if err != nil {
			return Ramp{}, fmt.Errorf("ramp %q: %s is not a number", s, name)
		}
		v[i] = f
	}
	r := Ramp{From: v[0], To: v[1], Step: v[2]}
	if len(parts) == 4 {
		d, err := time.ParseDuration(strings.TrimSpace(parts[3]))
		if err != nil || d <= 0 {
			return Ramp{}, fmt.Errorf("ramp %q: DURATION is not a positive duration such as 10s", s)
		}
		r.StepDuration = d
	}
	if err := r.check(); err != nil {
		return Ramp{}, fmt.Errorf("ramp %q: %w", s, err)
	}
	return r, nil
}

func (r Ramp) check() error {
	switch {
	case !finitePositive(r.From) || !finitePositive(r.To):
		return errors.New("FROM and TO must be positive rates")
	case !finitePositive(r.Step):
		return errors.New("STEP must be a positive rate increment")
	case r.From > r.To:
		return errors.New("FROM must not exceed TO")
	case r.StepDuration < 0:
		return errors.New("the step duration must not be negative")
	case (r.To-r.From)/r.Step+1 > MaxRampSteps:
		return fmt.Errorf("more than %d steps", MaxRampSteps)
	}
	return nil
}

// Rates lists the ramp's step rates.
func (r Ramp) Rates() []float64 {
	var out []float64
	for i := 0; ; i++ {
		v := r.From + float64(i)*r.Step
		if v > r.To*(1+1e-9) || len(out) >= MaxRampSteps {
			break
		}
		out = append(out, v)
	}
	if len(out) == 0 || out[len(out)-1] < r.To*(1-1e-9) {
		out = append(out, r.To)
	}
	return out
}

func finitePositive(v float64) bool { return v > 0 && !math.IsInf(v, 0) }

// MinTimeout is the shortest client timeout a run accepts: the 2000 ms budget must be
// observable, or every request between the timeout and 2000 ms would be censored.
const MinTimeout = 2000 * time.Millisecond

// CheckTimeout refuses a client timeout that would censor what slo judges: below MinTimeout
// or below any percentile limit (a request cut off there was never measured).
func CheckTimeout(timeout time.Duration, slo SLO) error {
	need := MinTimeout
	for _, l := range slo.Thresholds() {
		need = max(need, time.Duration(math.Ceil(l*float64(time.Millisecond))))
	}
	if timeout < need {
		return fmt.Errorf("timeout %s is below %s: requests slower than the timeout could not be told from the SLO's limits (%s is the least that judges every one)", timeout, need, need)
	}
	return nil
}

// normalize fills defaults and checks cfg; the error reads as a usage error.
func (cfg Config) normalize() (Config, error) {
	u, err := url.Parse(cfg.Target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cfg, fmt.Errorf("target %q is not an http(s) URL", cfg.Target)
	}
	if len(cfg.OrderIDs) == 0 {
		return cfg, errors.New("no order ids to request")
	}
	for _, id := range cfg.OrderIDs {
		if strings.TrimSpace(id) == "" {
			return cfg, errors.New("an order id is empty")
		}
	}
	if cfg.Workers == 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Workers < 0 {
		return cfg, fmt.Errorf("workers must be positive, got %d", cfg.Workers)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Timeout < 0 {
		return cfg, fmt.Errorf("timeout must be positive, got %s", cfg.Timeout)
	}
	if cfg.Warmup < 0 {
		return cfg, fmt.Errorf("warm-up must not be negative, got %s", cfg.Warmup)
	}
	if cfg.LagLimit == 0 {
		cfg.LagLimit = DefaultLagLimit
	}
	if !(cfg.Rate >= 0) || math.IsInf(cfg.Rate, 0) {
		return cfg, fmt.Errorf("rate must be a non-negative number, got %v", cfg.Rate)
	}
	if cfg.Duration < 0 {
		return cfg, fmt.Errorf("duration must not be negative, got %s", cfg.Duration)
	}
	if cfg.Ramp != nil {
		r := *cfg.Ramp
		if err := r.check(); err != nil {
			return cfg, fmt.Errorf("ramp: %w", err)
		}
		if r.StepDuration == 0 {
			if cfg.Duration == 0 {
				return cfg, errors.New("ramp: give each step a duration (FROM:TO:STEP:DURATION) or the run a duration")
			}
			r.StepDuration = cfg.Duration / time.Duration(len(r.Rates()))
			if r.StepDuration <= 0 {
				return cfg, errors.New("ramp: the duration is too short for its steps")
			}
		}
		if cfg.Duration == 0 {
			cfg.Duration = r.StepDuration * time.Duration(len(r.Rates()))
		}
		cfg.Ramp = &r
	} else if cfg.Duration == 0 {
		return cfg, errors.New("duration must be positive")
	}
	if !(cfg.ValidateSample >= 0 && cfg.ValidateSample <= 1) {
		return cfg, fmt.Errorf("validate sample must be a fraction in [0, 1], got %v", cfg.ValidateSample)
	}
	if cfg.ValidateSample > 0 && cfg.Set == nil {
		return cfg, errors.New("validating responses needs a contracts set")
	}
	if cfg.Profile == "" {
		cfg.Profile = contracts.ProfileStrict
	}
	if cfg.SLO == (SLO{}) {
		cfg.SLO = DefaultSLO()
	}
	if err := cfg.SLO.Validate(); err != nil {
		return cfg, err
	}
	if err := CheckTimeout(cfg.Timeout, cfg.SLO); err != nil {
		return cfg, err
	}
	if err := cfg.checkShard(); err != nil {
		return cfg, err
	}
	return cfg, nil
}
