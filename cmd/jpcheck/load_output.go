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
		if err := poolHistory(st.err, o.sh.history, o.sh.window, res, p.cfg.SLO, p.cfg.RequireConclusive); err != nil {
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
	return loadRunExit(res, o.maxErrorFraction)
}

// loadExit is the exit code of a run: interrupted is 130, an SLO not met (a failed check, a
// generator that fell behind, an inconclusive check under --require-conclusive) or errors
// over the budget are 1.
func loadExit(res *load.Result, maxErrorFraction float64) error {
	if res.Aborted {
		return errInterrupted("the run was aborted; the result covers the requests sent until then")
	}
	if over := errorBudgetExceeded(res, maxErrorFraction); over != "" {
		return &exitError{code: exitFindings, err: errors.New(over)}
	}
	if !res.SLO.Pass {
		return silentExit(exitFindings)
	}
	return nil
}

// errorBudgetExceeded says, when more requests failed than --max-error-fraction allows, by
// how much.
func errorBudgetExceeded(res *load.Result, maxFraction float64) string {
	if res.Requests == 0 || float64(res.Errors.Count) <= maxFraction*float64(res.Requests) {
		return ""
	}
	return fmt.Sprintf("%d of %d requests failed (%.3g%%), over the error budget of %.3g%% (--max-error-fraction)",
		res.Errors.Count, res.Requests, 100*float64(res.Errors.Count)/float64(res.Requests), 100*maxFraction)
}

// finishCapacity writes a capacity search: the search itself and the run at the capacity found.
func finishCapacity(st streams, o *loadOpts, p *loadPlan, c *load.CapacityResult) error {
	for _, s := range c.Steps {
		if s.Result != nil {
			scrubLoad(s.Result, p.cfg.APIKey)
		}
	}
	shown := reports.CapacityShownStep(c)
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
	case c.Capacity == 0:
		return &exitError{code: exitFindings, err: errors.New("no rate tried met the SLO")}
	}
	if shown != nil {
		if over := errorBudgetExceeded(shown.Result, o.maxErrorFraction); over != "" {
			return &exitError{code: exitFindings, err: fmt.Errorf("at %g/s %s", shown.Rate, over)}
		}
	}
	return nil
}
