package main

import (
	"context"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/suites"
)

// watchWebhooks is --webhooks-only: no spec runs and the target is not called; every delivery
// that arrives becomes a spec, judged by its event's contract, its auth and its order. An
// interrupt (sigCtx ended) ends the watch early, still writes the report, and exits 130.
func watchWebhooks(ctx, sigCtx context.Context, st streams, o conformOpts, p *conformPlan, set *contracts.Set, hooks *receiver) error {
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
	if sigCtx.Err() != nil {
		return errInterrupted("the webhooks received until then are judged and reported")
	}
	if run.Summary.Failed > 0 {
		return silentExit(exitFindings)
	}
	return nil
}
