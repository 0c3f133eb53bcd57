package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/suites"
)

// watchWebhooks is --webhooks-only: no spec runs and the target is not called; every delivery
// that arrives becomes a spec, judged by its event's contract, its auth and its order. An
// interrupt ends the watch early and still writes the report.
func watchWebhooks(ctx context.Context, st streams, o conformOpts, p *conformPlan, set *contracts.Set, hooks *receiver) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := suites.Watch(ctx, suites.WatchConfig{
		Target: o.target, Receiver: hooks.rcv, Set: set, Profile: p.profile,
		Count: o.webhookCount, Duration: o.webhookDuration,
	})
	if err != nil {
		return usageErr("--webhooks-only: %v", err)
	}
	run := runFromResult(res, p.profile)
	if err := writeConformOutputs(st, o, run); err != nil {
		return err
	}
	if run.Summary.Failed > 0 {
		return silentExit(exitFindings)
	}
	return nil
}
