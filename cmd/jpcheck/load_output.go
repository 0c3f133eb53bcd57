package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jpcheck/jpcheck/load"
	"github.com/jpcheck/jpcheck/reports"
)

// finishLoad writes the run and turns its verdict into the exit code.
func finishLoad(st streams, o *loadOpts, p *loadPlan, res *load.Result) error {
	scrubLoad(res, p.cfg.APIKey)
	if o.sh.history != "" && !res.Aborted {
		if err := poolHistory(st.err, o.sh.history, o.sh.window, res); err != nil {
			return err
		}
	}
	if o.out != "" {
		if err := writeLoadOut(o.out, res, o.sh.metricsOptions()); err != nil {
			return usageErr("--out: %v", err)
		}
		// The directory holds one run: an earlier capacity search there is not this run's.
		if err := os.Remove(filepath.Join(o.out, reports.LoadCapacityFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return usageErr("--out: %v", err)
		}
	}
	shown := res
	if !o.noRedact {
		shown = reports.RedactLoad(res) // stdout lands in CI logs; load.json keeps the data
	}
	var err error
	switch o.format {
	case "json":
		err = reports.WriteLoadJSON(st.out, shown)
	case "openmetrics":
		err = reports.WriteLoadMetrics(st.out, shown, o.sh.metricsOptions())
	default:
		err = reports.WriteLoadText(st.out, shown)
		if err == nil && o.out != "" {
			fmt.Fprintf(st.out, "result: %s (histogram: %s)\n", filepath.Join(o.out, reports.LoadJSONFile), filepath.Join(o.out, reports.LoadHistogramFile))
		}
	}
	if err != nil {
		return err
	}
	return loadRunExit(res, o.format)
}

// exitNotJudged is a run whose verdict could not be reached: a failed check voided by generator
// lag, or an unthrottled run. A cron job tells it from an SLO failure (1) and does not page.
const exitNotJudged = 4

// loadExit is the exit code of a run, from the verdict load reached: interrupted is 130, fail
// 1, inconclusive (a fail voided by the generator) or not judged 4, pass 0. Outside the text
// format (which prints the verdict line) the reasons go to stderr on one line.
func loadExit(res *load.Result, format string) error {
	if res.Aborted {
		return errInterrupted("the run was aborted; the result covers the requests sent until then")
	}
	if res.Error != "" {
		return &exitError{code: exitFindings, err: errors.New(res.Error)}
	}
	code := exitOK
	switch res.SLO.Outcome {
	case load.OutcomePass:
		return nil
	case load.OutcomeFail:
		code = exitFindings
	default:
		code = exitNotJudged
	}
	if format == "text" {
		return silentExit(code)
	}
	return &exitError{code: code, err: errors.New(reports.LoadVerdictLine(res))}
}

// finishCapacity writes a capacity search: the search itself and the run at the capacity found.
func finishCapacity(st streams, o *loadOpts, p *loadPlan, c *load.CapacityResult) error {
	for _, s := range c.Steps {
		if s.Result != nil {
			scrubLoad(s.Result, p.cfg.APIKey)
		}
	}
	if o.out != "" {
		if err := reports.WriteLoadCapacityDir(o.out, c); err != nil {
			return usageErr("--out: %v", err)
		}
	}
	shownC := c
	if !o.noRedact {
		shownC = reports.RedactCapacity(c)
	}
	var err error
	switch o.format {
	case "json":
		err = reports.WriteLoadCapacityJSON(st.out, shownC)
	case "openmetrics":
		err = reports.WriteLoadCapacityOpenMetrics(st.out, shownC)
	default:
		err = reports.WriteLoadCapacityText(st.out, shownC)
		if err == nil && o.out != "" {
			fmt.Fprintf(st.out, "result: %s (the run at the capacity: %s)\n", filepath.Join(o.out, reports.LoadCapacityFile), filepath.Join(o.out, reports.LoadJSONFile))
		}
	}
	if err != nil {
		return err
	}
	switch {
	case c.Aborted:
		return errInterrupted("the capacity search was aborted; the result covers the rates tried until then")
	case c.Capacity > 0:
		return nil
	case c.StoppedBy == load.StoppedBySLO:
		return &exitError{code: exitFindings, err: fmt.Errorf("no rate tried met the SLO (%s)", c.Reason)}
	}
	return &exitError{code: exitNotJudged, err: fmt.Errorf("no rate tried met the SLO, and the first could not be judged (%s)", c.Reason)}
}
