package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/mock"
	"github.com/jpcheck/jpcheck/reports"
	"github.com/jpcheck/jpcheck/specs"
	"github.com/jpcheck/jpcheck/suites"
	"github.com/spf13/cobra"
)

type conformOpts struct {
	target, apiKey, merchantID, fixtures string
	labelFilter                          string
	focus                                []string
	profile, format, reportDir, junit    string

	webhookListen, webhookUser, webhookPassword, webhookJournal string
	webhookTimeout                                              time.Duration
	webhooksOnly                                                bool
	webhookCount                                                int
	webhookDuration                                             time.Duration

	timeout, requestTimeout time.Duration
	verbose                 bool
	noRedact                bool

	consumerFiles []string
}

func newConformCmd(st streams) *cobra.Command {
	o := conformOpts{}
	cmd := &cobra.Command{
		Use:   "conform [flags]",
		Short: "Run the contract suites against a Juspay-compatible service",
		Long: `Conform runs jpcheck's contract suites (order status, V4, webhooks, offers, rewards, errors,
flows) in this process and reports every spec and every finding. Without --target it starts the
reference implementation on a loopback port, with a webhook receiver for it, and checks that.

Credentials come from --api-key and --merchant-id, else $JPCHECK_API_KEY and
$JPCHECK_MERCHANT_ID (keep keys out of process lists and CI logs), else the reference
implementation's test values. Fixtures (YAML) map scenarios to ids on the target; a scenario
without one is skipped with that reason, never counted as passed.

With --webhook-listen a receiver takes the target's webhooks (Basic auth --webhook-user and
--webhook-password, or $JPCHECK_WEBHOOK_PASSWORD), appending each to a journal on disk before
answering 200. --webhooks-only runs no spec: it validates whatever arrives, for
--webhook-count deliveries or --webhook-duration.

With --consumer FILE (repeatable), each consumer contract (a GraphQL query over the schema of
jpcheck graphql schema) is also judged against the responses and webhooks the specs checked:
every selected field must be supplied, of the right type, non-null where the schema says so.

Exit: 0 every spec passed (skips allowed) and no consumer lacks a field, 1 any spec failed or a
consumer's field was not supplied (or --webhooks-only received nothing), 2 usage or
configuration error (an invalid consumer file too), 3 target unreachable, 130 interrupted
(SIGINT or SIGTERM: the partial run is written first).

A broken target still gets its report: a request gets no more than --request-timeout, the
run no more than --timeout; after 3 requests in a row without an answer the target is judged
down and the specs left are not run (verdict error, exit 1). An unreachable target is exit 3,
with the run (every spec not run) printed and written first.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error { return runConform(c.Context(), st, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.target, "target", "", "base URL of the service (default: start the reference implementation on a loopback port)")
	f.StringVar(&o.apiKey, "api-key", "", "API key (default $JPCHECK_API_KEY, else "+mock.DefaultAPIKey+")")
	f.StringVar(&o.merchantID, "merchant-id", "", "merchant id sent as x-merchantid (default $JPCHECK_MERCHANT_ID, else "+mock.DefaultMerchantID+")")
	f.StringVar(&o.fixtures, "fixtures", "", "YAML file mapping scenarios to ids on the target (default: the reference implementation's seeded ids)")
	f.StringVar(&o.labelFilter, "label-filter", "", "run the specs whose labels match this Ginkgo label expression, e.g. 'order-status || v4'")
	f.StringArrayVar(&o.focus, "focus", nil, "run the specs whose full name matches this regular expression (repeatable)")
	f.StringVar(&o.profile, "profile", "compat", "compat (also accept Juspay's documented variants, as warnings) or strict")
	f.StringVar(&o.format, "format", "text", "text (Ginkgo's progress, then findings and a summary) or json (only the run, on stdout)")
	f.StringVar(&o.reportDir, "report-dir", "", "write the run (run.json), the page (index.html) and the webhook journal to DIR")
	f.StringVar(&o.junit, "junit", "", "write JUnit XML to FILE")
	f.StringVar(&o.webhookListen, "webhook-listen", "", "HOST:PORT where the webhook receiver listens (with --target: no receiver without it)")
	f.StringVar(&o.webhookUser, "webhook-user", "", "Basic-auth username every webhook must carry")
	f.StringVar(&o.webhookPassword, "webhook-password", "", "Basic-auth password every webhook must carry (default $JPCHECK_WEBHOOK_PASSWORD)")
	f.StringVar(&o.webhookJournal, "webhook-journal", "", "append every delivery to FILE (default DIR/webhooks.jsonl with --report-dir, else a new temporary file)")
	f.DurationVar(&o.webhookTimeout, "webhook-timeout", suites.DefaultWebhookTimeout, "how long a spec waits for a webhook it caused")
	f.BoolVar(&o.webhooksOnly, "webhooks-only", false, "run no spec: receive and validate webhooks (needs --webhook-listen and --webhook-count or --webhook-duration)")
	f.IntVar(&o.webhookCount, "webhook-count", 0, "with --webhooks-only, stop after N deliveries")
	f.DurationVar(&o.webhookDuration, "webhook-duration", 0, "with --webhooks-only, stop after this long")
	f.DurationVar(&o.timeout, "timeout", 10*time.Minute, "budget of the whole run: at its end every spec left is marked not run and the report is written")
	f.DurationVar(&o.requestTimeout, "request-timeout", suites.DefaultRequestTimeout, "bound on one request to the target, its whole answer included")
	f.BoolVar(&o.noRedact, "no-redact", false, "show customer email, phone, VPA and card fields in the text, the JSON on stdout, JUnit, index.html and report.md (run.json and the webhook journal always keep them)")
	f.StringArrayVar(&o.consumerFiles, "consumer", nil, "a consumer contract: GraphQL query document over the derived schema (repeatable)")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "Ginkgo's verbose progress: every spec as it runs (to stderr with --format json)")
	return cmd
}

// conformPlan is what the flags resolve to before anything starts.
type conformPlan struct {
	profile                   contracts.Profile
	fixtures                  *suites.Fixtures
	apiKey, merchantID        string
	hookUser, hookPassword    string
	journal                   string
	journalTemp, freshJournal bool
}

// plan checks every flag and input file, so a mistake is exit 2 before a server starts or a
// spec runs (Ginkgo itself would exit the process on a bad label filter).
func (o conformOpts) plan() (*conformPlan, error) {
	if o.format != "text" && o.format != "json" {
		return nil, usageErr("unknown format %q (want text or json)", o.format)
	}
	profile, err := contracts.ParseProfile(o.profile)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	if err := suites.CheckSelection(o.labelFilter, o.focus); err != nil {
		return nil, usageErr("%v", err)
	}
	if o.timeout <= 0 || o.webhookTimeout <= 0 || o.requestTimeout <= 0 {
		return nil, usageErr("--timeout, --request-timeout and --webhook-timeout must be positive")
	}
	if err := o.checkWebhooksOnly(); err != nil {
		return nil, err
	}
	if u, err := url.Parse(o.target); o.target != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		return nil, usageErr("--target %q is not an http(s) URL", o.target)
	}
	p := &conformPlan{
		profile:      profile,
		apiKey:       firstNonEmpty(o.apiKey, os.Getenv("JPCHECK_API_KEY"), mock.DefaultAPIKey),
		merchantID:   firstNonEmpty(o.merchantID, os.Getenv("JPCHECK_MERCHANT_ID"), mock.DefaultMerchantID),
		hookUser:     o.webhookUser,
		hookPassword: envOr(o.webhookPassword, "JPCHECK_WEBHOOK_PASSWORD"),
	}
	if o.fixtures != "" && !o.webhooksOnly {
		if p.fixtures, err = suites.LoadFixtures(o.fixtures); err != nil {
			return nil, usageErr("--fixtures: %v", err)
		}
	}
	if o.reportDir != "" {
		if err := checkWritableDir(o.reportDir); err != nil {
			return nil, usageErr("--report-dir: %v", err)
		}
	}
	if o.junit != "" {
		if err := checkWritableDir(filepath.Dir(o.junit)); err != nil {
			return nil, usageErr("--junit: %v", err)
		}
	}
	switch {
	case o.webhookJournal != "":
		p.journal = o.webhookJournal
	case o.reportDir != "":
		// The report directory holds one run: its journal starts empty, like run.json.
		p.journal, p.freshJournal = filepath.Join(o.reportDir, "webhooks.jsonl"), true
	default:
		p.journalTemp = true
	}
	return p, nil
}

func (o conformOpts) checkWebhooksOnly() error {
	if !o.webhooksOnly {
		if o.webhookCount != 0 || o.webhookDuration != 0 {
			return usageErr("--webhook-count and --webhook-duration need --webhooks-only")
		}
		return nil
	}
	switch {
	case o.webhookListen == "":
		return usageErr("--webhooks-only needs --webhook-listen HOST:PORT")
	case o.webhookCount < 0 || o.webhookDuration < 0:
		return usageErr("--webhook-count and --webhook-duration must not be negative")
	case o.webhookCount == 0 && o.webhookDuration == 0:
		return usageErr("--webhooks-only needs --webhook-count N or --webhook-duration D (or both)")
	case o.labelFilter != "" || len(o.focus) > 0 || o.fixtures != "":
		return usageErr("--webhooks-only runs no spec: --label-filter, --focus and --fixtures do not apply")
	}
	return nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// checkWritableDir creates dir if needed and proves a file can be written there, so an
// unwritable report path is a usage error before the run, not a lost report after it.
func checkWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return unwrapPathErr(err)
	}
	f, err := os.CreateTemp(dir, ".jpcheck-write-check-*")
	if err != nil {
		return fmt.Errorf("%s: %w", dir, unwrapPathErr(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

func runConform(ctx context.Context, st streams, o conformOpts) error {
	p, err := o.plan()
	if err != nil {
		return err
	}
	set, err := contracts.Load(specs.FS())
	if err != nil {
		return err
	}
	if o.webhooksOnly && len(o.consumerFiles) > 0 {
		return usageErr("--consumer needs a spec run: it does not apply to --webhooks-only")
	}
	cons, err := loadConsumers(set, o.consumerFiles)
	if err != nil {
		return err
	}
	// SIGINT (or SIGTERM) stops the run: Ginkgo, which sees the signal too, interrupts the spec
	// running and skips the rest; the partial run is written as usual, and the exit is 130.
	sigCtx, stop := notifyInterrupt(ctx)
	defer stop()
	ctx, cancel := context.WithTimeout(sigCtx, o.timeout)
	defer cancel()

	embedded := o.target == "" && !o.webhooksOnly
	var hooks *receiver
	if o.webhookListen != "" || embedded {
		if embedded && p.hookUser == "" && p.hookPassword == "" {
			// The embedded run checks that webhooks carry the auth configured: make it unguessable.
			p.hookUser, p.hookPassword = "jpcheck", randomToken()
		}
		if hooks, err = startReceiver(st, o, p); err != nil {
			return err
		}
		defer hooks.stop()
	}
	if o.webhooksOnly {
		return watchWebhooks(ctx, sigCtx, st, o, p, set, hooks)
	}

	target, fixtures := o.target, p.fixtures
	if fixtures == nil {
		fixtures = suites.DefaultFixtures()
	}
	if embedded {
		ref, err := startEmbedded(mock.Config{
			APIKey: p.apiKey, MerchantID: p.merchantID,
			WebhookURL: hooks.url, WebhookUser: p.hookUser, WebhookPassword: p.hookPassword,
		})
		if err != nil {
			return err
		}
		defer ref.stop()
		target = ref.url
		if fixtures.V4 == nil {
			// V4 keys in a fixtures file are the target's; the embedded one made its own.
			fixtures.V4 = &suites.V4Keys{KeyID: ref.v4.KeyID, MerchantPrivatePEM: ref.v4.MerchantPrivatePEM, JuspayPublicPEM: ref.v4.JuspayPublicPEM}
		}
	}
	// An unreachable target still gets its run document: every spec not run, with the reason.
	unreachable := ""
	if err := suites.Probe(ctx, target, nil, o.requestTimeout); err != nil {
		switch {
		case sigCtx.Err() != nil:
			return errInterrupted("before the run started")
		case errors.Is(err, suites.ErrUnreachable):
			unreachable = err.Error()
		case !errors.Is(err, suites.ErrNoAnswer):
			return usageErr("--target: %v", err)
		}
		// A target that accepts connections but does not answer is judged by the specs, which
		// judge it down after suites.DownAfter requests without an answer.
	}
	cfg := suites.Config{
		Target: target, APIKey: p.apiKey, MerchantID: p.merchantID,
		Set: set, Profile: p.profile, Fixtures: fixtures,
		LabelFilter: o.labelFilter, Focus: o.focus,
		WebhookTimeout: o.webhookTimeout, Timeout: o.timeout, RequestTimeout: o.requestTimeout,
		Output: progressOutput(st, o), Verbose: o.verbose, TargetDown: unreachable,
	}
	if hooks != nil {
		cfg.Receiver = hooks.rcv
	}
	res, err := suites.Run(ctx, cfg)
	if err != nil {
		return err
	}
	run := runFromResult(res, p.profile)
	run.Error = res.TargetDown
	run.Consumers = judgeConsumers(cons, res.Payloads)
	if o.format == "text" {
		fmt.Fprintln(st.out) // after Ginkgo's progress
	}
	if err := writeConformOutputs(st, o, run); err != nil {
		return err
	}
	if sigCtx.Err() != nil {
		return errInterrupted("the specs run until then are reported")
	}
	if run.Summary.Specs == 0 {
		return usageErr("no spec matches --label-filter %q and --focus %q", o.labelFilter, strings.Join(o.focus, " "))
	}
	if o.format == "text" {
		writeConsumersText(st.out, run.Consumers)
	}
	switch {
	case unreachable != "":
		return &exitError{code: exitUnreachable, err: errors.New(unreachable)}
	case run.Error != "":
		return &exitError{code: exitFindings, err: errors.New(run.Error)}
	}
	if run.Summary.Failed > 0 || reports.ConsumersFailed(run.Consumers) > 0 {
		return silentExit(exitFindings)
	}
	return nil
}

// progressOutput is where Ginkgo's progress goes: the terminal for text; nowhere for json,
// whose stdout holds only the document, unless --verbose asks for it on stderr.
func progressOutput(st streams, o conformOpts) io.Writer {
	switch {
	case o.format == "text":
		return st.out
	case o.verbose:
		return st.err
	}
	return nil
}

// runFromResult is the report model of a suites result.
func runFromResult(res *suites.Result, profile contracts.Profile) *reports.Run {
	run := &reports.Run{
		Version: reports.Version, Target: res.Target, Profile: string(profile),
		StartedAt: res.Started.UTC(), DurationMS: reports.Millis(res.Duration),
		Specs: make([]reports.Spec, 0, len(res.Specs)), Findings: make([]reports.Finding, 0, len(res.Findings)),
		Coverage: reports.NewCoverage(res.Coverage), Report: res.Report,
	}
	for _, s := range res.Specs {
		run.Specs = append(run.Specs, reports.Spec{
			Name: s.Name, Labels: s.Labels, State: s.State, DurationMS: reports.Millis(s.Duration), Message: s.Message,
		})
	}
	for _, f := range res.Findings {
		run.Findings = append(run.Findings, reports.Finding{
			Spec: f.Spec, Pointer: f.Pointer, Rule: f.Rule, Severity: f.Severity, Message: f.Message,
			Request: f.Request, RelatedRequest: f.RelatedRequest, RelatedPointer: f.RelatedPointer,
			Expected: f.Expected, Actual: f.Actual,
		})
	}
	run.Summary = reports.Tally(run.Specs)
	return run
}

// describeRun says what the run checked against: the environment and the documents' errata,
// and removes the credentials conform holds from anything a target echoed back.
func describeRun(run *reports.Run, o conformOpts) error {
	set, err := contracts.Load(specs.FS())
	if err != nil {
		return err
	}
	errata, err := contracts.Errata(set)
	if err != nil {
		return err
	}
	run.Environment = reports.Environment{
		Target: run.Target, SpecVersion: set.Version(), SpecDigest: set.Digest(),
		JpcheckVersion: version, Time: run.StartedAt, Profile: run.Profile,
	}
	run.Errata = reports.ErrataOf(errata)
	run.Forget(firstNonEmpty(o.apiKey, os.Getenv("JPCHECK_API_KEY")), envOr(o.webhookPassword, "JPCHECK_WEBHOOK_PASSWORD"))
	return nil
}

// writeConformOutputs writes the report directory and JUnit, then the run on stdout. Whatever
// lands in a CI log (the text, the JSON on stdout, JUnit) has customer data masked unless
// --no-redact; run.json keeps it, as the data reports are rebuilt from.
func writeConformOutputs(st streams, o conformOpts, run *reports.Run) error {
	if err := describeRun(run, o); err != nil {
		return err
	}
	opts := reports.Options{NoRedact: o.noRedact}
	shown := opts.Shown(run)
	if o.reportDir != "" {
		if err := reports.WriteDir(o.reportDir, run, opts); err != nil {
			return usageErr("--report-dir: %v", err)
		}
	}
	if o.junit != "" {
		if err := reports.WriteJUnit(o.junit, shown); err != nil {
			return usageErr("--junit: %v", err)
		}
	}
	if o.format == "json" {
		return reports.WriteJSON(st.out, shown)
	}
	if err := reports.WriteText(st.out, shown); err != nil {
		return err
	}
	if o.reportDir != "" {
		fmt.Fprintf(st.out, "report: %s (run: %s)\n", filepath.Join(o.reportDir, reports.HTMLFile), filepath.Join(o.reportDir, reports.RunFile))
	}
	if o.junit != "" {
		fmt.Fprintf(st.out, "junit: %s\n", o.junit)
	}
	return nil
}
