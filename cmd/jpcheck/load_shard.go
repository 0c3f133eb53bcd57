package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jpcheck/jpcheck/load"
	"github.com/jpcheck/jpcheck/reports"
	"github.com/spf13/pflag"
)

// The flags of jpcheck load beyond one machine and one run: shards of one schedule
// (--shard, --start-at, --run-id), periodic checks that pool a window of runs (--history,
// --window) and the labels of the OpenMetrics output (--label).

// maxStartAhead bounds --start-at: a shard waiting a day is a typo, not a plan.
const maxStartAhead = 24 * time.Hour

type loadShardOpts struct {
	shard   shardFlag
	startAt timeFlag
	runID   string
	history string
	window  time.Duration
	labels  labelsFlag
}

func addLoadShardFlags(f *pflag.FlagSet, o *loadShardOpts) {
	f.Var(&o.shard, "shard", "send shard I of N of the schedule (hits I, I+N, …; 0-based); needs --start-at when N > 1")
	f.Var(&o.startAt, "start-at", "wait until this RFC 3339 instant and anchor the schedule there (every shard of a run gets the same)")
	f.StringVar(&o.runID, "run-id", "", "name the run in the result (default: derived from --start-at and the schedule)")
	f.StringVar(&o.history, "history", "", "keep each run in `DIR` and judge the runs of --window pooled as one (window in the JSON)")
	f.DurationVar(&o.window, "window", 0, "with --history: pool the runs that started within this long before the run's end, and prune older ones")
	f.Var(&o.labels, "label", "add a label to every OpenMetrics sample, as environment=staging (repeatable)")
}

// planShard checks the flags above and sets them on the plan.
func (o *loadOpts) planShard(p *loadPlan) error {
	s := &o.sh
	sh := s.shard.shard
	if sh.Count > 1 && s.startAt.t.IsZero() {
		return usageErr("--shard %s needs --start-at: the shards of a run share one start instant", sh)
	}
	if sh.Count > 1 && o.rate == 0 && o.ramp.ramp == nil {
		return usageErr("--shard splits a schedule: --rate 0 (unthrottled) has none")
	}
	if o.findCapacity && (sh.Count > 1 || s.history != "") {
		return usageErr("--find-capacity does not combine with --shard or --history")
	}
	if t := s.startAt.t; !t.IsZero() {
		now := time.Now()
		if t.Sub(now) > maxStartAhead {
			return usageErr("--start-at %s is more than %s ahead", t.Format(time.RFC3339), maxStartAhead)
		}
		if end := t.Add(p.cfg.Duration); !end.After(now) {
			return usageErr("--start-at %s has passed: the run would have ended at %s", t.Format(time.RFC3339), end.Format(time.RFC3339))
		}
	}
	if s.runID != "" {
		if err := load.CheckRunID(s.runID); err != nil {
			return usageErr("--run-id: %v", err)
		}
	}
	switch {
	case s.history != "" && s.window <= 0:
		return usageErr("--history needs a --window (as 2h): the runs to pool")
	case s.history == "" && s.window != 0:
		return usageErr("--window needs --history DIR, where the runs are kept")
	case s.history != "" && sh.Count > 1:
		return usageErr("--history pools whole runs: keep the merged run (jpcheck load merge --history) rather than each shard")
	}
	if s.history != "" {
		if err := checkWritableDir(s.history); err != nil {
			return usageErr("--history: %v", err)
		}
	}
	p.cfg.Shard, p.cfg.StartAt, p.cfg.RunID = sh, s.startAt.t, s.runID
	return nil
}

// shardFlag is --shard I/N.
type shardFlag struct{ shard load.Shard }

func (f *shardFlag) Type() string { return "I/N" }
func (f *shardFlag) String() string {
	if f.shard.Count == 0 {
		return ""
	}
	return f.shard.String()
}
func (f *shardFlag) Set(s string) error {
	sh, err := load.ParseShard(s)
	if err != nil {
		return err
	}
	f.shard = sh
	return nil
}

// timeFlag is an RFC 3339 instant.
type timeFlag struct{ t time.Time }

func (f *timeFlag) Type() string { return "RFC3339" }
func (f *timeFlag) String() string {
	if f.t.IsZero() {
		return ""
	}
	return f.t.Format(time.RFC3339Nano)
}
func (f *timeFlag) Set(s string) error {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%q is not an RFC 3339 instant such as 2026-01-02T15:04:05Z", s)
	}
	f.t = t
	return nil
}

// labelsFlag is --label k=v, repeatable, in order.
type labelsFlag struct{ kv []string }

// maxLabels bounds --label: every sample carries them.
const maxLabels = 16

func (f *labelsFlag) Type() string { return "K=V" }
func (f *labelsFlag) String() string {
	var parts []string
	for i := 0; i+1 < len(f.kv); i += 2 {
		parts = append(parts, f.kv[i]+"="+f.kv[i+1])
	}
	return strings.Join(parts, ",")
}
func (f *labelsFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("%q: want NAME=VALUE", s)
	}
	if err := reports.CheckMetricLabel(k); err != nil {
		return err
	}
	for i := 0; i < len(f.kv); i += 2 {
		if f.kv[i] == k {
			return fmt.Errorf("label %s given twice", k)
		}
	}
	if len(f.kv)/2 >= maxLabels {
		return fmt.Errorf("more than %d labels", maxLabels)
	}
	f.kv = append(f.kv, k, v)
	return nil
}

// metricsOptions are the OpenMetrics options of the flags.
func (s *loadShardOpts) metricsOptions() reports.MetricsOptions {
	return reports.MetricsOptions{Labels: s.labels.kv}
}

// poolHistory keeps res in the history directory and pools the window, setting res.Window.
// An earlier entry that does not read is skipped with a warning on stderr: one bad file
// must not stop every later periodic check.
func poolHistory(errw io.Writer, dir string, window time.Duration, res *load.Result) error {
	if res.Run == nil {
		return usageErr("--history: the run has no run section")
	}
	runs, warnings, err := reports.AppendLoadHistory(dir, res, window)
	for _, w := range warnings {
		fmt.Fprintf(errw, "jpcheck: --history: %s\n", w)
	}
	if err != nil {
		return usageErr("--history: %v", err)
	}
	// The pool is judged against the SLO this run was judged against, as it recorded it.
	win, err := load.PoolWindow(res.Run.SLO, res.Run.RequireConclusive, runs)
	if err != nil {
		return usageErr("--history: %v", err)
	}
	res.Window = win
	return nil
}

// writeDownMetrics writes the OpenMetrics of a run that measured nothing (target unreachable,
// stopped before it started): on stdout with --format openmetrics, and into --out.
func writeDownMetrics(st streams, o *loadOpts, target, reason string) {
	opts := o.sh.metricsOptions()
	now := time.Now()
	if o.format == "openmetrics" {
		_ = reports.WriteLoadDownMetrics(st.out, target, reason, now, opts)
	}
	if o.out != "" {
		if err := os.MkdirAll(o.out, 0o755); err == nil {
			_ = writeFileAtomic(filepath.Join(o.out, reports.LoadMetricsFile), func(w io.Writer) error {
				return reports.WriteLoadDownMetrics(w, target, reason, now, opts)
			})
		}
	}
}

// writeFileAtomic writes path through a temporary file renamed into place, so a textfile
// collector never reads half a file.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
