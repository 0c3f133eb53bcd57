package suites

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
)

// WatchConfig says what Watch waits for (jpcheck conform --webhooks-only).
type WatchConfig struct {
	// Target names the implementation in the result; Watch sends it nothing.
	Target string
	// Receiver is already listening where the target sends its webhooks.
	Receiver *Receiver
	Set      *contracts.Set
	Profile  contracts.Profile
	// Count ends the watch once that many deliveries arrived (those before the call included);
	// Duration ends it after that long. At least one must be set; with both, the first wins.
	Count    int
	Duration time.Duration
}

// WatchCountSpec is the spec a watch fails when fewer webhooks than its count arrived, or none.
const WatchCountSpec = "webhook count"

// Watch receives whatever the implementation sends, without calling it, and judges each
// delivery: its event's contract, its auth and body, and its order against the others. Every
// delivery is one Spec, "webhook #<seq> <EVENT>"; fewer deliveries than Count, or none at all,
// is the failed spec WatchCountSpec. It returns when Count deliveries arrived,
// Duration passed or ctx ended; an ended ctx is not an error, only the end of the watch.
func Watch(ctx context.Context, cfg WatchConfig) (*Result, error) {
	switch {
	case cfg.Receiver == nil:
		return nil, errors.New("watch: no webhook receiver")
	case cfg.Set == nil:
		return nil, errors.New("watch: no contracts")
	case cfg.Count < 0 || cfg.Duration < 0:
		return nil, errors.New("watch: count and duration cannot be negative")
	case cfg.Count == 0 && cfg.Duration == 0:
		return nil, errors.New("watch: give a count of webhooks or a duration to wait, or both")
	}
	started := time.Now()
	waitCtx, cancel := ctx, context.CancelFunc(func() {})
	if cfg.Duration > 0 {
		waitCtx, cancel = context.WithTimeout(ctx, cfg.Duration)
	}
	defer cancel()
	if cfg.Count > 0 {
		cfg.Receiver.WaitCount(waitCtx, cfg.Count)
	} else {
		<-waitCtx.Done()
	}
	elapsed := time.Since(started)
	res := judgeDeliveries(cfg, cfg.Receiver.Deliveries())
	res.Target, res.Started, res.Duration = cfg.Target, started, elapsed
	// A watch that judged nothing must not pass: zero specs would read as zero failures.
	var msg string
	switch n := cfg.Receiver.Count(); {
	case cfg.Count > 0 && n < cfg.Count:
		msg = fmt.Sprintf("received %d of %d webhooks in %s", n, cfg.Count, elapsed.Round(time.Millisecond))
	case n == 0:
		msg = fmt.Sprintf("received no webhook in %s: nothing was judged (is the target's webhook URL this receiver?)", elapsed.Round(time.Millisecond))
	}
	if msg != "" {
		res.Specs = append(res.Specs, Spec{Name: WatchCountSpec, Labels: []string{LabelWebhooks}, State: StateFailed, Message: msg})
		res.Findings = append(res.Findings, Finding{Spec: WatchCountSpec, Rule: RuleAssertion, Severity: contracts.SeverityError, Message: msg})
	}
	return res, nil
}

// judgeDeliveries makes one Spec per delivery from its contract, receipt and order findings.
func judgeDeliveries(cfg WatchConfig, ds []Delivery) *Result {
	rec := newRecorder()
	chk := &checker{set: cfg.Set, profile: cfg.Profile, rec: rec}
	// Findings about a delivery are filed under its spec, whichever check found them.
	byRequest := map[string][]Finding{}
	for _, f := range append(receiptFindings(ds), deliveryOrder(ds)...) {
		byRequest[f.Request] = append(byRequest[f.Request], f)
	}
	res := &Result{}
	for _, d := range ds {
		spec := Spec{Name: watchSpecName(d), Labels: []string{LabelWebhooks}, State: StatePassed}
		fs, err := chk.check(spec.Name, d.Request(), contracts.KindWebhook, d.Body)
		var errs []string
		if err != nil {
			errs = append(errs, "validating: "+err.Error())
			rec.add(Finding{Spec: spec.Name, Rule: RuleAssertion, Severity: contracts.SeverityError, Request: d.Request(), Message: "validating: " + err.Error()})
		}
		for _, f := range byRequest[d.Request()] {
			f.Spec = spec.Name
			rec.add(f)
			fs = append(fs, f)
		}
		for _, f := range fs {
			if f.Severity == contracts.SeverityError {
				errs = append(errs, findingLine(f))
			}
		}
		if len(errs) > 0 {
			spec.State = StateFailed
			spec.Message = fmt.Sprintf("%d error finding(s):\n%s", len(errs), clipList(errs, 20))
		}
		res.Specs = append(res.Specs, spec)
	}
	res.Findings = rec.snapshot()
	res.Coverage = rec.coverage.Schemas()
	return res
}

func watchSpecName(d Delivery) string {
	event := d.EventName
	if strings.TrimSpace(event) == "" {
		event = "(no event_name)"
	}
	return fmt.Sprintf("webhook #%d %s", d.Seq, event)
}
