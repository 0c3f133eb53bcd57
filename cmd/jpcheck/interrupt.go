package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// exitInterrupted is the exit code of a run stopped by SIGINT or SIGTERM, after it wrote its
// partial result: 128 + SIGINT, the shell's convention, so a script tells "stopped" from
// "failed" (1) and "unreachable" (3).
const exitInterrupted = 130

// errInterrupted ends a command that was interrupted; what says what was kept.
func errInterrupted(what string) error {
	return &exitError{code: exitInterrupted, err: errors.New("interrupted: " + what)}
}

// notifyInterrupt returns a context canceled by the first SIGINT or SIGTERM. After that first
// signal the default handling is restored, so a second one ends the process at once (unless
// another handler, such as Ginkgo's during a spec run, still listens). stop releases the signals.
func notifyInterrupt(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	go func() { <-ctx.Done(); stop() }()
	return ctx, stop
}
