package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/jpcheck/jpcheck/reports"
	"github.com/spf13/cobra"
)

type reportOpts struct {
	in       []string
	out      string
	history  string
	format   string
	noRedact bool
}

func newReportCmd(st streams) *cobra.Command {
	o := reportOpts{}
	cmd := &cobra.Command{
		Use:   "report --in DIR... [--out DIR] [flags]",
		Short: "Merge saved runs (conform, load) into one report: HTML, JSON, Markdown, JUnit",
		Long: `Report reads saved runs and writes one report of them. Each --in is a directory written by
conform --report-dir, load --out or an earlier report --out (it may hold a conformance run, a
load run or both), or a run.json file. Conform runs are concatenated (their coverage summed),
the load run is joined to them, and the environment and errata come from the first run.
Rebuilding a report from saved JSON is report --in OLD --out NEW.

--out DIR receives index.html (the page to read), run.json (the merged run, from which the
report can be rebuilt), report.md (a summary for $GITHUB_STEP_SUMMARY or a pull-request
comment) and junit.xml. Without --out, --format html (the default) writes them next to the
first --in (that directory, or the directory of that file): jpcheck report --in out rebuilds
out/index.html; --format markdown and json only print. --history DIR adds a trend from the earlier runs it holds (run JSON
files, or report and load directories).

Customer email, phone, VPA and card fields other than card_isin and last_four_digits are
masked in index.html, report.md, junit.xml and the JSON on stdout unless --no-redact; run.json
keeps them. Credentials never appear in any output.

--format says what goes to stdout: html (the page's path), markdown (the summary itself:
jpcheck report --in out --format markdown >> "$GITHUB_STEP_SUMMARY") or json (the merged run).

Exit: 0 the report was written, whatever its verdict (the verdict is in the report; conform
and load exit 1 on failure), 2 usage error or unreadable input.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error { return runReport(st, o) },
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.in, "in", nil, "a saved run: a report, conform or load directory, or a run.json file (repeatable)")
	f.StringVar(&o.out, "out", "", "write index.html, run.json, report.md and junit.xml to DIR (default with --format html: the first --in's directory)")
	f.StringVar(&o.history, "history", "", "a directory of earlier runs (run JSON files or report directories) to draw a trend from")
	f.StringVar(&o.format, "format", "html", "what to print on stdout: html (the page's path), markdown or json")
	f.BoolVar(&o.noRedact, "no-redact", false, "show customer email, phone, VPA and card fields in index.html, report.md, junit.xml and the JSON on stdout (run.json always keeps them)")
	return cmd
}

func (o reportOpts) check() error {
	switch {
	case len(o.in) == 0:
		return usageErr("report needs at least one --in DIR (see --help)")
	case o.format != "html" && o.format != "markdown" && o.format != "json":
		return usageErr("unknown format %q (want html, markdown or json)", o.format)
	}
	if o.out != "" {
		if err := checkWritableDir(o.out); err != nil {
			return usageErr("--out: %v", err)
		}
	}
	return nil
}

// defaultOut is where --format html writes without --out: next to the first input, which must
// exist (a missing one is not created).
func (o reportOpts) defaultOut() (string, error) {
	fi, err := os.Stat(o.in[0])
	if err != nil {
		return "", usageErr("--in %v", unwrapPathErr(err))
	}
	if !fi.IsDir() {
		return filepath.Dir(o.in[0]), nil
	}
	return o.in[0], nil
}

func runReport(st streams, o reportOpts) error {
	if o.format == "html" && o.out == "" && len(o.in) > 0 {
		out, err := o.defaultOut()
		if err != nil {
			return err
		}
		o.out = out
	}
	if err := o.check(); err != nil {
		return err
	}
	run, err := readReportInputs(o.in)
	if err != nil {
		return usageErr("--in %v", err)
	}
	if o.history != "" {
		points, err := reports.ReadHistory(o.history)
		if err != nil {
			return usageErr("--history %v", err)
		}
		run = reports.WithHistory(run, points)
	}
	opts := reports.Options{NoRedact: o.noRedact}
	if o.out != "" {
		if err := writeReportDir(o.out, run, opts); err != nil {
			return usageErr("--out: %v", err)
		}
	}
	switch o.format {
	case "markdown":
		return reports.WriteMarkdown(st.out, run, opts)
	case "json":
		return reports.WriteJSON(st.out, opts.Shown(run))
	}
	fmt.Fprintln(st.out, reports.VerdictLine(run))
	fmt.Fprintf(st.out, "report: %s\n", filepath.Join(o.out, reports.HTMLFile))
	return nil
}

// readReportInputs reads and merges every --in, in order.
func readReportInputs(paths []string) (*reports.Run, error) {
	runs := make([]*reports.Run, 0, len(paths))
	for _, p := range paths {
		r, err := reports.ReadInput(p)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return reports.Merge(runs...)
}

// writeReportDir writes the report directory: the page, the run, the summary and JUnit.
func writeReportDir(dir string, run *reports.Run, opts reports.Options) error {
	if err := reports.WriteDir(dir, run, opts); err != nil {
		return err
	}
	return reports.WriteJUnit(filepath.Join(dir, reports.JUnitFile), opts.Shown(run))
}
