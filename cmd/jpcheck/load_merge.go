package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/jpcheck/jpcheck/load"
	"github.com/jpcheck/jpcheck/reports"
	"github.com/spf13/cobra"
)

type loadMergeOpts struct {
	wait        time.Duration
	out, report string
	format      string
	noRedact    bool
	history     string
	window      time.Duration
	labels      labelsFlag
}

// mergePollInterval is how often --wait looks for the shards still missing.
const mergePollInterval = 2 * time.Second

func newLoadMergeCmd(st streams) *cobra.Command {
	o := loadMergeOpts{}
	cmd := &cobra.Command{
		Use:   "merge DIR... [flags]",
		Short: "Merge the shards of one sharded load run (load --shard I/N --out DIR) and judge them as one run",
		Long: `Merge reads the --out directories of the shards of one run (jpcheck load --shard I/N
--start-at T --out DIR) and judges their union as one run: the latency and lag histograms
merge exactly, every count is summed, generator-limited and aborted are ORed, and the SLO is
judged by the same code as a single run. A DIR that holds no load.json stands for the shard
directories directly inside it.

The inputs must be one run: the same run id, every shard exactly once, the same SLO,
timeout, endpoint and schedule; anything else is exit 2 naming what differs or is missing.
--wait D waits up to D for shards not written yet (a merge step started with the shards).

The outputs are load's: --format text|json|openmetrics on stdout, --out DIR (load.json,
load.hdr, load.prom); --report DIR also writes the HTML report of the merged run.

The SLO, its errors check included, is the one the shards ran with (their run section).

Exit: 0 SLO met; 1 a check failed; 2 usage, or inputs that are not the shards of one run; 4
not judged (a failed check voided because a shard's generator fell behind its schedule); 130
a shard was interrupted.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return runLoadMerge(c.Context(), st, &o, args) },
	}
	f := cmd.Flags()
	f.DurationVar(&o.wait, "wait", 0, "wait up to this long for shards not written yet (0: merge what is there now)")
	f.StringVar(&o.out, "out", "", "write "+reports.LoadJSONFile+", "+reports.LoadHistogramFile+" and "+reports.LoadMetricsFile+" of the merged run to `DIR`")
	f.StringVar(&o.report, "report", "", "also write the HTML report of the merged run to `DIR` (as jpcheck report --out)")
	f.StringVar(&o.format, "format", "text", "text, json (the merged run on stdout) or openmetrics")
	f.BoolVar(&o.noRedact, "no-redact", false, "show customer data the contract findings quote in the text and JSON on stdout")
	f.StringVar(&o.history, "history", "", "keep the merged run in `DIR` and judge the runs of --window pooled as one")
	f.DurationVar(&o.window, "window", 0, "with --history: pool the runs that started within this long before the run's end")
	f.Var(&o.labels, "label", "add a label to every OpenMetrics sample, as environment=staging (repeatable)")
	return cmd
}

func (o *loadMergeOpts) check() error {
	switch {
	case o.format != "text" && o.format != "json" && o.format != "openmetrics":
		return usageErr("unknown format %q (want text, json or openmetrics)", o.format)
	case o.wait < 0:
		return usageErr("--wait must not be negative")
	case o.history != "" && o.window <= 0:
		return usageErr("--history needs a --window (as 2h): the runs to pool")
	case o.history == "" && o.window != 0:
		return usageErr("--window needs --history DIR, where the runs are kept")
	}
	for flag, dir := range map[string]string{"--out": o.out, "--report": o.report, "--history": o.history} {
		if dir != "" {
			if err := checkWritableDir(dir); err != nil {
				return usageErr("%s: %v", flag, err)
			}
		}
	}
	return nil
}

func runLoadMerge(ctx context.Context, st streams, o *loadMergeOpts, dirs []string) error {
	if err := o.check(); err != nil {
		return err
	}
	ctx, stop := notifyInterrupt(ctx)
	defer stop()
	res, err := mergeShardDirs(ctx, dirs, o.wait)
	if err != nil {
		return err
	}
	if o.history != "" && !res.Aborted {
		if err := poolHistory(st.err, o.history, o.window, res); err != nil {
			return err
		}
	}
	mopts := reports.MetricsOptions{Labels: o.labels.kv}
	if o.out != "" {
		if err := writeLoadOut(o.out, res, mopts); err != nil {
			return usageErr("--out: %v", err)
		}
	}
	if o.report != "" {
		if err := writeReportDir(o.report, reports.FromLoad(res), reports.Options{NoRedact: o.noRedact}); err != nil {
			return usageErr("--report: %v", err)
		}
	}
	shown := res
	if !o.noRedact {
		shown = reports.RedactLoad(res)
	}
	switch o.format {
	case "json":
		err = reports.WriteLoadJSON(st.out, shown)
	case "openmetrics":
		err = reports.WriteLoadMetrics(st.out, shown, mopts)
	default:
		err = reports.WriteLoadText(st.out, shown)
		if err == nil && o.out != "" {
			fmt.Fprintf(st.out, "result: %s\n", filepath.Join(o.out, reports.LoadJSONFile))
		}
		if err == nil && o.report != "" {
			fmt.Fprintf(st.out, "report: %s\n", filepath.Join(o.report, reports.HTMLFile))
		}
	}
	if err != nil {
		return err
	}
	return loadRunExit(res, o.format)
}

// mergeShardDirs reads the shards in dirs and merges them, waiting up to wait for shards
// not written yet.
func mergeShardDirs(ctx context.Context, dirs []string, wait time.Duration) (*load.Result, error) {
	deadline := time.Now().Add(wait)
	for {
		names, shards, err := reports.ReadLoadShards(dirs)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		missing := shardsMissing(shards)
		if missing == "" || !time.Now().Before(deadline) {
			res, err := load.Merge(names, shards)
			var me *load.MergeError
			switch {
			case len(shards) == 0:
				return nil, usageErr("no load result (%s) in %s", reports.LoadJSONFile, strings.Join(dirs, ", "))
			case errors.As(err, &me):
				return nil, usageErr("%v", err)
			case err != nil:
				return nil, err
			}
			return res, nil
		}
		t := time.NewTimer(min(mergePollInterval, time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, errInterrupted("while waiting for shards " + missing)
		case <-t.C:
		}
	}
}

// shardsMissing lists the shards of the run not among shards ("" when none is, or when the
// shards are not of one run: the merge says so); all of them when there are none yet.
func shardsMissing(shards []*load.Result) string {
	if len(shards) == 0 {
		return "(none written yet)"
	}
	if shards[0].Run == nil {
		return ""
	}
	n := max(shards[0].Run.Shard.Count, 1)
	if n > load.MaxShards {
		return "" // the merge refuses it
	}
	have := make([]bool, n)
	for _, s := range shards {
		if s.Run == nil || s.Run.ID != shards[0].Run.ID || s.Run.Shard.Count != n || s.Run.Shard.Index < 0 || s.Run.Shard.Index >= n {
			return ""
		}
		have[s.Run.Shard.Index] = true
	}
	var out []string
	for i, ok := range have {
		if !ok {
			out = append(out, fmt.Sprintf("%d/%d", i, n))
		}
	}
	return strings.Join(out, ", ")
}

// writeLoadOut writes a run's --out directory: load.json, load.hdr and load.prom.
func writeLoadOut(dir string, res *load.Result, mopts reports.MetricsOptions) error {
	if err := reports.WriteLoadDir(dir, res); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, reports.LoadMetricsFile), func(w io.Writer) error {
		return reports.WriteLoadMetrics(w, res, mopts)
	})
}

// loadRunExit is the exit code of a run or a merge. A shard of several is a part whose
// verdict is the merge's: once written it exits 0 (130 if interrupted), so an Indexed Job
// completes when every shard has run. With a history window the pooled verdict decides, as
// a periodic check's alert should.
func loadRunExit(res *load.Result, format string) error {
	if res.Run != nil && res.Run.Shard.Count > 1 && !res.Aborted {
		return nil
	}
	if res.Window != nil && !res.Aborted {
		if res.Window.SLO.Outcome == load.OutcomePass {
			return nil
		}
		code := exitNotJudged
		if res.Window.SLO.Outcome == load.OutcomeFail {
			code = exitFindings
		}
		if format == "text" {
			return silentExit(code)
		}
		return &exitError{code: code, err: errors.New(reports.LoadWindowLine(res.Window))}
	}
	return loadExit(res, format)
}
