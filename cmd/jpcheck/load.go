package main

import (
	"context"
	"errors"
	"math"
	"net"
	"net/url"
	"os"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/jwe"
	"github.com/jpcheck/jpcheck/load"
	"github.com/jpcheck/jpcheck/mock"
	"github.com/jpcheck/jpcheck/reports"
	"github.com/jpcheck/jpcheck/specs"
	"github.com/jpcheck/jpcheck/suites"
	"github.com/spf13/cobra"
)

// Defaults of jpcheck load that the README and --help name.
const (
	defaultLoadRate         = 100
	defaultLoadDuration     = 30 * time.Second
	defaultMaxRate          = 5000
	defaultMaxDuration      = time.Hour
	defaultMaxErrorFraction = load.DefaultErrorsMaxFraction
	maxLoadWorkers          = 10_000
)

type loadOpts struct {
	target, apiKey, merchantID, routingID string
	orderIDs                              orderIDsFlag
	orderIDsFile, fixtures                string
	v4                                    bool

	rate         float64
	workers      int
	duration     time.Duration
	ramp         rampFlag
	findCapacity bool
	timeout      time.Duration
	maxLag       time.Duration

	validateSample    float64
	profile, sloFile  string
	requireConclusive bool
	maxErrorFraction  float64
	// maxErrorFractionSet says --max-error-fraction was given: it then wins over the --slo
	// file's errors_max_fraction.
	maxErrorFractionSet bool

	format, out string
	noRedact    bool

	allowProduction bool
	maxRate         float64
	maxDuration     time.Duration
	mockLatency     string

	sh loadShardOpts
}

func newLoadCmd(st streams) *cobra.Command {
	o := loadOpts{}
	cmd := &cobra.Command{
		Use:   "load [flags]",
		Short: "Check order-status latency against the documented percentile table and timeouts",
		Long: `Load sends GET /orders/{order_id} (or, with --v4, the encrypted POST /v4/order-status) over a
pool of order ids at an open-model rate, checks the answers against the order-status contract,
and judges the latencies against the Order Status document's SLO (TP50 19.8 ms, TP90 55.71 ms,
TP99 351.85 ms, TP99.9 594.42 ms, TP99.99 1431.42 ms; at most 0.1% over 1000 ms and 0.01% over
2000 ms) with 95% confidence intervals. The document prints TP50 as 0.0198 under a "(ms)"
header while defining the percentiles in seconds: 0.0198 s is the only reading consistent
with TP90 = 55.71 ms. --slo FILE overrides any limit.

Without --target it starts the reference implementation on a loopback port, with the
documented latency distribution (--mock-latency), and requests its seeded orders. With
--target the pool comes from --order-id, --order-ids FILE or --fixtures FILE.

Credentials come from --api-key and --merchant-id, else $JPCHECK_API_KEY and
$JPCHECK_MERCHANT_ID, else the reference implementation's test values. The key is never
printed. Production Juspay hosts are refused unless --allow-production.

A failed request (transport error, timeout, non-2xx, a body that breaks the contract) met no
objective: every percentile check ranks it slower than its limit, it counts against both
timeout budgets, and the errors check holds the failures to --max-error-fraction.

A check whose interval straddles its limit is inconclusive: it does not fail the run (unless
--require-conclusive) and the output says how many requests would decide it. Generator lag
(send lag or process hiccups over --max-lag, sends never made, under 95% of the rate) only
adds to latencies: a pass stands, a fail becomes inconclusive. --rate 0 is not judged.

Beyond one machine, --shard I/N --start-at T makes this generator shard I of N of one
schedule; jpcheck load merge judges the shards as one run (a shard exits 0 once written).
--history DIR --window D keeps each run and judges the window's runs pooled as one: the
verdict a periodic alert should use, and then the exit code. The OpenMetrics (--format
openmetrics, and load.prom in --out) are written even when the target is unreachable
(jpcheck_load_up 0), with --label K=V on every sample.

Exit: 0 SLO met; 1 SLO not met (a check failed, or an inconclusive check under
--require-conclusive); 2 usage; 3 target unreachable; 4 not judged (a failed check voided by
generator lag, or an unthrottled run; with --find-capacity, no rate met the SLO and the
generator could not tell); 130 interrupted (SIGINT or SIGTERM: the partial result is still
printed and written first).`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			o.maxErrorFractionSet = c.Flags().Changed("max-error-fraction")
			return runLoad(c.Context(), st, &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.target, "target", "", "base `URL` of the service (default: start the reference implementation on a loopback port)")
	f.StringVar(&o.apiKey, "api-key", "", "API `KEY`, the Basic-auth username (default $JPCHECK_API_KEY, else "+mock.DefaultAPIKey+")")
	f.StringVar(&o.merchantID, "merchant-id", "", "merchant id sent as x-merchantid (default $JPCHECK_MERCHANT_ID, else "+mock.DefaultMerchantID+")")
	f.StringVar(&o.routingID, "routing-id", "", "x-routing-id on every request (default: each request's order id)")
	f.Var(&o.orderIDs, "order-id", "an order id of the pool (repeatable)")
	f.StringVar(&o.orderIDsFile, "order-ids", "", "read the pool from `FILE`: one order id per line, # comments")
	f.StringVar(&o.fixtures, "fixtures", "", "a conform fixtures `FILE` (YAML): every order_id in it joins the pool; its v4 section gives --v4 its keys")
	f.BoolVar(&o.v4, "v4", false, "send the encrypted POST /v4/order-status (keys from --fixtures, or the embedded reference implementation's)")
	f.Float64Var(&o.rate, "rate", defaultLoadRate, "`N` requests per second (open model); 0 sends unthrottled over --workers connections")
	f.IntVar(&o.workers, "workers", load.DefaultWorkers, "connections when unthrottled; the initial pool when paced")
	f.DurationVar(&o.duration, "duration", defaultLoadDuration, "how long to send; with --find-capacity, each rate's run")
	f.Var(&o.ramp, "ramp", "step the rate from FROM to TO requests per second by STEP, each step D long (default: --duration split among the steps), then hold TO")
	f.BoolVar(&o.findCapacity, "find-capacity", false, "climb the rate (--ramp, else from --rate by --rate up to --max-rate) until the SLO fails, bisect to the knee, confirm; report the highest rate that met it")
	f.DurationVar(&o.timeout, "timeout", load.DefaultTimeout, "client timeout of each request: at least 2000ms and every SLO limit, so no judged latency is cut off")
	f.DurationVar(&o.maxLag, "max-lag", load.DefaultLagLimit, "generator lag (p99 of sends behind the schedule, or of process hiccups) beyond which a failed check is voided (inconclusive, exit 4)")
	f.Float64Var(&o.validateSample, "validate-sample", 1, "fraction of 2xx responses checked against the order-status contract (0 to 1)")
	f.StringVar(&o.profile, "profile", "compat", "contract profile of the check: compat or strict")
	f.StringVar(&o.sloFile, "slo", "", "YAML `FILE` overriding SLO limits (tp50_ms … tp99_99_ms, over_1000ms_max_fraction, over_2000ms_max_fraction, errors_max_fraction, confidence)")
	f.BoolVar(&o.requireConclusive, "require-conclusive", false, "an inconclusive check fails the run")
	f.Float64Var(&o.maxErrorFraction, "max-error-fraction", defaultMaxErrorFraction, "limit of the errors check: the largest fraction of requests that may fail (any error kind); wins over the --slo file's errors_max_fraction")
	f.StringVar(&o.format, "format", "text", "text, json (the run on stdout) or openmetrics (for a Pushgateway or textfile collector)")
	f.BoolVar(&o.noRedact, "no-redact", false, "show customer data the contract findings quote in the text and JSON on stdout (load.json always keeps it)")
	f.StringVar(&o.out, "out", "", "write "+reports.LoadJSONFile+" (the JSON) and "+reports.LoadHistogramFile+" (the mergeable HDR histogram) to `DIR`")
	f.BoolVar(&o.allowProduction, "allow-production", false, "allow a production Juspay host (api.juspay.in and the other documented ones)")
	f.Float64Var(&o.maxRate, "max-rate", defaultMaxRate, "refuse a rate above this many requests per second (0: no cap; also needed for --rate 0 against a non-loopback target)")
	f.DurationVar(&o.maxDuration, "max-duration", defaultMaxDuration, "refuse a run (or a capacity search) planned longer than this (0: no cap)")
	f.StringVar(&o.mockLatency, "mock-latency", "juspay", "latency `SPEC` of the embedded reference implementation: juspay (the documented table), a duration (25ms), p50=20ms,p99=350ms, or none")
	addLoadShardFlags(f, &o.sh)
	cmd.AddCommand(newLoadMergeCmd(st))
	return cmd
}

// loadPlan is what the flags resolve to before anything starts.
type loadPlan struct {
	cfg      load.Config
	capacity *load.Capacity
	embedded bool
	v4       bool          // --v4; the embedded run fills cfg.V4 once its keys exist
	latency  *mock.Latency // the embedded reference implementation's
}

// plan checks every flag and input file, so a mistake is exit 2 before a server starts or a
// request is sent.
func (o *loadOpts) plan() (*loadPlan, error) {
	switch o.format {
	case "text", "json", "openmetrics":
	default:
		return nil, usageErr("unknown format %q (want text, json or openmetrics)", o.format)
	}
	profile, err := contracts.ParseProfile(o.profile)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	p := &loadPlan{embedded: o.target == ""}
	p.cfg = load.Config{
		Target:            o.target,
		APIKey:            firstNonEmpty(o.apiKey, os.Getenv("JPCHECK_API_KEY"), mock.DefaultAPIKey),
		MerchantID:        firstNonEmpty(o.merchantID, os.Getenv("JPCHECK_MERCHANT_ID"), mock.DefaultMerchantID),
		RoutingID:         o.routingID,
		Rate:              o.rate,
		Workers:           o.workers,
		Duration:          o.duration,
		Ramp:              o.ramp.ramp,
		Timeout:           o.timeout,
		LagLimit:          o.maxLag,
		ValidateSample:    o.validateSample,
		Profile:           profile,
		SLO:               load.DefaultSLO(),
		RequireConclusive: o.requireConclusive,
		TuneGC:            true, // the CLI owns its process
	}
	if err := o.checkTarget(p); err != nil {
		return nil, err
	}
	if err := o.checkPacing(); err != nil {
		return nil, err
	}
	if err := o.checkCaps(p); err != nil {
		return nil, err
	}
	if o.sloFile != "" {
		f, err := os.Open(o.sloFile)
		if err != nil {
			return nil, usageErr("--slo: %v", unwrapPathErr(err))
		}
		p.cfg.SLO, err = load.ParseSLO(f)
		f.Close()
		if err != nil {
			return nil, usageErr("--slo %s: %v", o.sloFile, err)
		}
	}
	if o.maxErrorFractionSet {
		p.cfg.SLO.ErrorsMaxFraction = o.maxErrorFraction
	}
	if err := load.CheckTimeout(o.timeout, p.cfg.SLO); err != nil {
		return nil, usageErr("--timeout: %v", err)
	}
	if err := o.resolvePool(p); err != nil {
		return nil, err
	}
	if o.out != "" {
		if err := checkWritableDir(o.out); err != nil {
			return nil, usageErr("--out: %v", err)
		}
	}
	if err := o.planShard(p); err != nil {
		return nil, err
	}
	return p, nil
}

func (o *loadOpts) checkTarget(p *loadPlan) error {
	if p.embedded {
		if o.mockLatency != "none" {
			lat, err := mock.ParseLatency(o.mockLatency)
			if err != nil {
				return usageErr("--mock-latency: %v", err)
			}
			p.latency = lat
		}
		return nil
	}
	u, err := url.Parse(o.target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageErr("--target %q is not an http(s) URL", o.target)
	}
	if load.ProductionHost(u.Host) && !o.allowProduction {
		return usageErr("refusing to load-test %s, a production Juspay host: pass --allow-production if you mean it", u.Hostname())
	}
	if o.mockLatency != "juspay" {
		return usageErr("--mock-latency applies to the embedded reference implementation, not to --target")
	}
	return nil
}

func (o *loadOpts) checkPacing() error {
	switch {
	case !(o.rate >= 0) || math.IsInf(o.rate, 0):
		return usageErr("--rate must be a non-negative number of requests per second, got %v", o.rate)
	case o.workers <= 0 || o.workers > maxLoadWorkers:
		return usageErr("--workers must be between 1 and %d, got %d", maxLoadWorkers, o.workers)
	case o.timeout <= 0:
		return usageErr("--timeout must be positive, got %s", o.timeout)
	case o.maxLag <= 0:
		return usageErr("--max-lag must be positive, got %s", o.maxLag)
	case o.duration <= 0:
		return usageErr("--duration must be positive, got %s", o.duration)
	case !(o.validateSample >= 0 && o.validateSample <= 1):
		return usageErr("--validate-sample must be a fraction from 0 to 1, got %v", o.validateSample)
	case !(o.maxErrorFraction >= 0 && o.maxErrorFraction <= 1):
		return usageErr("--max-error-fraction must be a fraction from 0 to 1, got %v", o.maxErrorFraction)
	case o.findCapacity && o.ramp.ramp == nil && o.rate == 0:
		return usageErr("--find-capacity needs a starting rate: --rate N (N > 0) or --ramp FROM:TO:STEP")
	}
	return nil
}

// checkCaps enforces --max-rate and --max-duration, and builds the capacity search.
func (o *loadOpts) checkCaps(p *loadPlan) error {
	if !(o.maxRate >= 0) || math.IsInf(o.maxRate, 0) || o.maxDuration < 0 {
		return usageErr("--max-rate and --max-duration must not be negative")
	}
	capped := func(rate float64, flag string) error {
		if o.maxRate > 0 && rate > o.maxRate {
			return usageErr("%s asks for %g requests/s, over --max-rate %g: raise --max-rate if the target's owner agrees", flag, rate, o.maxRate)
		}
		return nil
	}
	longest := o.duration
	if r := o.ramp.ramp; r != nil {
		if err := capped(r.To, "--ramp"); err != nil {
			return err
		}
		_, longest = rampSteps(*r, o.duration)
	} else if err := capped(o.rate, "--rate"); err != nil {
		return err
	}
	if o.rate == 0 && o.ramp.ramp == nil && o.maxRate > 0 && !p.embedded && !loopbackTarget(o.target) {
		return usageErr("--rate 0 sends unthrottled, which --max-rate cannot bound: against a non-loopback target pass --max-rate 0 to lift the cap")
	}
	if o.findCapacity {
		c := load.Capacity{From: o.rate, Step: o.rate, Max: o.maxRate, StepDuration: o.duration}
		if r := o.ramp.ramp; r != nil {
			c = load.Capacity{From: r.From, Step: r.Step, Max: r.To, StepDuration: r.StepDuration}
			if c.StepDuration == 0 {
				c.StepDuration = o.duration
			}
		} else if o.maxRate == 0 {
			return usageErr("--find-capacity without --ramp steps up to --max-rate: give --ramp FROM:TO:STEP or a --max-rate")
		}
		steps := math.Floor((c.Max-c.From)/c.Step+1e-9) + 1
		if steps > load.MaxRampSteps {
			return usageErr("--find-capacity would try %.0f rates, more than %d: give --ramp FROM:TO:STEP with a larger STEP", steps, load.MaxRampSteps)
		}
		p.capacity = &c
		p.cfg.Ramp = nil
		if worst := time.Duration(steps) * c.StepDuration; o.maxDuration > 0 && worst > o.maxDuration {
			return usageErr("the capacity search could last %s (%.0f rates of %s each), over --max-duration %s: narrow it with --ramp FROM:TO:STEP[:D] or raise --max-duration",
				worst, steps, c.StepDuration, o.maxDuration)
		}
		return nil
	}
	if o.maxDuration > 0 && longest > o.maxDuration {
		return usageErr("the run is planned to last %s, over --max-duration %s: shorten it or raise --max-duration", longest, o.maxDuration)
	}
	return nil
}

// loopbackTarget says whether the target's host is this machine, where no cap protects
// anyone.
func loopbackTarget(target string) bool {
	u, err := url.Parse(target)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// resolvePool gathers the order ids: --order-id, --order-ids and --fixtures together, else (for
// the embedded run) the reference implementation's seeded orders.
func (o *loadOpts) resolvePool(p *loadPlan) error {
	ids := append([]string(nil), o.orderIDs.ids...)
	if o.orderIDsFile != "" {
		more, err := readOrderIDs(o.orderIDsFile)
		if err != nil {
			return usageErr("--order-ids %s: %v", o.orderIDsFile, err)
		}
		ids = append(ids, more...)
	}
	var fx *suites.Fixtures
	if o.fixtures != "" {
		var err error
		if fx, err = suites.LoadFixtures(o.fixtures); err != nil {
			return usageErr("--fixtures: %v", err)
		}
		ids = append(ids, fixtureOrderIDs(fx)...)
	}
	if len(ids) == 0 && p.embedded {
		ids = fixtureOrderIDs(suites.DefaultFixtures())
	}
	if len(ids) == 0 {
		return usageErr("no order ids to request: give --order-id ID, --order-ids FILE or --fixtures FILE")
	}
	if len(ids) > maxOrderIDs {
		return usageErr("more than %d order ids", maxOrderIDs)
	}
	p.cfg.OrderIDs = dedupe(ids)
	p.v4 = o.v4
	if o.v4 {
		switch {
		case fx != nil && fx.V4 != nil:
			p.cfg.V4 = &jwe.Keys{KeyID: fx.V4.KeyID, MerchantPrivatePEM: fx.V4.MerchantPrivatePEM, JuspayPublicPEM: fx.V4.JuspayPublicPEM}
		case p.embedded:
			// The embedded reference implementation's keys are made when it starts.
		default:
			return usageErr("--v4 needs the target's V4 keys: a --fixtures file with a v4 section")
		}
	}
	return nil
}

// fixtureOrderIDs lists the order ids of fx's scenarios, in scenario order, but the not-found
// scenario's, which names an order that must not exist.
func fixtureOrderIDs(fx *suites.Fixtures) []string {
	var ids []string
	for _, name := range suites.Scenarios() {
		if name == suites.ScenarioNotFound {
			continue
		}
		if s, ok := fx.Scenario(name); ok && s.OrderID != "" {
			ids = append(ids, s.OrderID)
		}
	}
	return dedupe(ids)
}

func runLoad(ctx context.Context, st streams, o *loadOpts) error {
	p, err := o.plan()
	if err != nil {
		return err
	}
	if p.cfg.ValidateSample > 0 {
		if p.cfg.Set, err = contracts.Load(specs.FS()); err != nil {
			return err
		}
	}
	// SIGINT stops sending; the requests in flight finish, the result is still written, and the
	// exit is 130. A second SIGINT, once the first has been seen, ends the process at once.
	ctx, stop := notifyInterrupt(ctx)
	defer stop()

	if p.embedded {
		ref, err := startLoadReference(p)
		if err != nil {
			return err
		}
		defer ref.stop()
	}
	if err := suites.Probe(ctx, p.cfg.Target, nil, p.cfg.Timeout); err != nil {
		switch {
		case ctx.Err() != nil:
			writeDownMetrics(st, o, p.cfg.Target, reports.UpReasonAborted)
			return errInterrupted("before the run started")
		case errors.Is(err, suites.ErrUnreachable):
			return finishUnreachable(st, o, p, err)
		case !errors.Is(err, suites.ErrNoAnswer):
			return usageErr("--target: %v", err)
		}
		// Connections are accepted but not answered: the run judges the target down soon.
	}
	prog := newProgressLine(st.err)
	p.cfg.Progress = prog.update
	if p.capacity != nil {
		c, err := load.FindCapacity(ctx, p.cfg, *p.capacity)
		prog.clear()
		if err != nil {
			return usageErr("%v", err)
		}
		return finishCapacity(st, o, p, c)
	}
	res, err := load.Run(ctx, p.cfg)
	prog.clear()
	if err != nil {
		return usageErr("%v", err)
	}
	return finishLoad(st, o, p, res)
}

// startLoadReference serves the reference implementation for an embedded run, with the
// documented latency unless --mock-latency says otherwise, and points the run at it.
func startLoadReference(p *loadPlan) (*reference, error) {
	ref, err := startEmbedded(mock.Config{APIKey: p.cfg.APIKey, MerchantID: p.cfg.MerchantID, Latency: p.latency})
	if err != nil {
		return nil, err
	}
	p.cfg.Target = ref.url
	if p.cfg.V4 == nil && p.v4 {
		keys := ref.v4
		p.cfg.V4 = &keys
	}
	return ref, nil
}
