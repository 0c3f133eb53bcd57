package suites

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"
)

// Config says what Run checks and how.
type Config struct {
	// Target is the implementation's base URL.
	Target             string
	APIKey, MerchantID string
	// Set holds the contracts; Profile is compat or strict.
	Set     *contracts.Set
	Profile contracts.Profile
	// Fixtures map scenarios to the target's data; nil is DefaultFixtures.
	Fixtures *Fixtures
	// LabelFilter and Focus select specs as Ginkgo's --label-filter and --focus do.
	LabelFilter string
	Focus       []string
	// Receiver gets the target's webhooks; nil skips the specs that need them.
	Receiver *Receiver
	// WebhookTimeout is how long a spec waits for an event it caused (DefaultWebhookTimeout).
	WebhookTimeout time.Duration
	// RequestTimeout bounds one request (DefaultRequestTimeout); Timeout the whole run.
	RequestTimeout, Timeout time.Duration
	HTTPClient              *http.Client
	// TargetDown, when set, is why the target cannot be checked (it was unreachable): every
	// selected spec is then recorded as not run with this reason, none waits on the target.
	TargetDown string
	// Output receives Ginkgo's progress report; nil discards it.
	Output  io.Writer
	Verbose bool
}

// Spec states in a Result.
const (
	StatePassed  = "passed"
	StateFailed  = "failed"
	StateSkipped = "skipped"
	// StateNotRun is a spec the run could not run: see Result.TargetDown.
	StateNotRun = "not_run"
)

// Spec is one spec's outcome.
type Spec struct {
	Name     string        `json:"name"`
	Labels   []string      `json:"labels"`
	State    string        `json:"state"`
	Duration time.Duration `json:"-"`
	// Message is the failure or the reason for the skip.
	Message  string `json:"message,omitempty"`
	Location string `json:"location,omitempty"`
}

// Summary counts specs by outcome.
type Summary struct {
	Specs   int `json:"specs"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

// Result is one run: every spec, every finding, the fields the payloads covered, and
// Ginkgo's own report (for JUnit).
type Result struct {
	Target   string
	Started  time.Time
	Duration time.Duration
	Specs    []Spec
	Findings []Finding
	Coverage []contracts.SchemaCoverage
	// Payloads are the bodies the specs checked (at most 50 per kind, per webhook event), for
	// judging consumer contracts.
	Payloads []Payload
	Report   types.Report
	// TargetDown, when set, is why the run could not check the target to the end: it was
	// unreachable or judged down, or the run's budget was spent or it was interrupted. The
	// specs it kept from running have state StateNotRun.
	TargetDown string
}

// Summary counts the specs.
func (r *Result) Summary() Summary {
	s := Summary{Specs: len(r.Specs)}
	for _, sp := range r.Specs {
		switch sp.State {
		case StatePassed:
			s.Passed++
		case StateFailed:
			s.Failed++
		default:
			s.Skipped++
		}
	}
	return s
}

// ErrRanTwice is returned by a second Run in one process: Ginkgo runs one suite per process
// and would exit the process instead.
var ErrRanTwice = errors.New("suites: Run was already called in this process (Ginkgo runs one suite per process)")

// ran is the one piece of package state: it mirrors Ginkgo's own once-per-process rule, so a
// second call returns an error rather than exiting the process.
var ran atomic.Bool

// CheckSelection reports a label filter or focus expression Ginkgo would refuse (Ginkgo itself
// exits the process on one).
func CheckSelection(labelFilter string, focus []string) error {
	if labelFilter != "" {
		if _, err := types.ParseLabelFilter(labelFilter); err != nil {
			return fmt.Errorf("label filter %q: %s", labelFilter, oneLine(err.Error()))
		}
	}
	for _, f := range focus {
		if _, err := regexp.Compile(f); err != nil {
			return fmt.Errorf("focus %q: %s", f, oneLine(err.Error()))
		}
	}
	return nil
}

// Run runs the suites against cfg.Target in this process. It can be called once per process.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Set == nil {
		return nil, errors.New("suites: no contracts")
	}
	if err := CheckSelection(cfg.LabelFilter, cfg.Focus); err != nil {
		return nil, err
	}
	e, err := newEnv(cfg)
	if err != nil {
		return nil, err
	}
	if !ran.CompareAndSwap(false, true) {
		return nil, ErrRanTwice
	}
	RegisterFailHandler(Fail)
	register(e)
	var report types.Report
	ReportAfterSuite("jpcheck result", func(r Report) { report = r })

	suiteCfg, repCfg := GinkgoConfiguration()
	suiteCfg.LabelFilter = cfg.LabelFilter
	suiteCfg.FocusStrings = cfg.Focus
	// The run's budget ends every request and wait (the run's context) and marks the specs
	// left as not run; Ginkgo's own suite timeout is only a backstop behind it, since the specs
	// Ginkgo skips at its deadline say nothing about why.
	left, bounded := cfg.Timeout, cfg.Timeout > 0
	if d, ok := ctx.Deadline(); ok && (!bounded || time.Until(d) < left) {
		left, bounded = max(time.Until(d), 0), true
	}
	if bounded {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, left)
		defer cancel()
		suiteCfg.Timeout = left + suiteBackstop
	}
	e.ctx = ctx
	e.health.ctx, e.health.budget = ctx, cfg.Timeout // the budget as the user gave it
	if cfg.Timeout <= 0 {
		e.health.budget = left
	}
	repCfg.NoColor = true
	repCfg.Verbose = cfg.Verbose
	out := cfg.Output
	if out == nil {
		out = io.Discard
	}
	// Ginkgo's default reporter writes to this package variable, set to os.Stdout at init; the
	// caller decides where progress goes (stdout must stay clean for --format json).
	saved := formatter.ColorableStdOut
	formatter.ColorableStdOut = out
	defer func() { formatter.ColorableStdOut = saved }()

	started := time.Now()
	RunSpecs(failRecorder{}, suiteDescription, suiteCfg, repCfg)
	e.client.http.CloseIdleConnections()
	res := buildResult(cfg.Target, started, report, e)
	res.TargetDown = e.health.down()
	return res, nil
}

// suiteBackstop is how long after the run's budget Ginkgo's own suite timeout strikes: a
// spec that ignores the run's context is stopped there.
const suiteBackstop = 30 * time.Second

// suiteDescription is the suite's name in Ginkgo's output and JUnit.
const suiteDescription = "jpcheck conformance"

// failRecorder is the GinkgoTestingT of an in-process run: the outcome is read from the
// report, so a failure needs no further action here.
type failRecorder struct{}

func (failRecorder) Fail() {}

// register adds every area's specs to Ginkgo's tree. The go test entry calls it too.
func register(e *env) {
	guardSpecs(e)
	orderStatusSpecs(e)
	v4Specs(e)
	webhookSpecs(e)
	offerSpecs(e)
	rewardSpecs(e)
	errorSpecs(e)
	flowSpecs(e)
}

// buildResult turns Ginkgo's report and the recorded findings into a Result. A failed spec
// that recorded no error finding gets one (rule assertion) so every failure is a finding.
func buildResult(target string, started time.Time, report types.Report, e *env) *Result {
	res := &Result{Target: target, Started: started, Duration: report.RunTime, Report: report}
	if res.Duration == 0 {
		res.Duration = time.Since(started)
	}
	findings := e.check.rec.snapshot()
	for _, sr := range report.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			continue
		}
		sp := Spec{
			Name: sr.FullText(), Labels: sr.Labels(), Duration: sr.RunTime,
			Location: sr.LeafNodeLocation.String(),
		}
		switch why := e.health.notRunReason(sp.Name); {
		case why != "":
			sp.State, sp.Message = StateNotRun, "not run: "+why
		case sr.State == types.SpecStatePassed:
			sp.State = StatePassed
		case sr.State == types.SpecStateSkipped || sr.State == types.SpecStatePending:
			sp.State = StateSkipped
			sp.Message = sr.Failure.Message
			if sp.Message == "" {
				continue // filtered out by --label-filter or --focus: not part of this run
			}
		default:
			sp.State = StateFailed
			sp.Message = sr.Failure.Message
			if sp.Message == "" {
				sp.Message = sr.State.String()
			}
			if !e.check.rec.specHasErrors(sp.Name) {
				findings = append(findings, Finding{
					Spec: sp.Name, Rule: RuleAssertion, Severity: contracts.SeverityError,
					Message: firstLine(sp.Message), Request: e.request(sp.Name),
				})
			}
		}
		res.Specs = append(res.Specs, sp)
	}
	sort.SliceStable(res.Specs, func(i, j int) bool { return res.Specs[i].Name < res.Specs[j].Name })
	sort.SliceStable(findings, func(i, j int) bool {
		if findings[i].Spec != findings[j].Spec {
			return findings[i].Spec < findings[j].Spec
		}
		return findings[i].Request < findings[j].Request
	})
	res.Findings = findings
	res.Coverage = e.check.rec.coverage.Schemas()
	res.Payloads = e.check.rec.recordedPayloads()
	return res
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
