package main

import (
	"errors"
	"time"

	"github.com/jpcheck/jpcheck/load"
)

// finishUnreachable ends a load run whose target accepts no connection: exit 3, as before,
// but with its result printed and written like any other run's, verdict error and the
// reason, so a CI job's artifact shows why it failed.
func finishUnreachable(st streams, o *loadOpts, p *loadPlan, cause error) error {
	res := &load.Result{
		Version: load.ResultVersion, Target: p.cfg.Target, Endpoint: load.EndpointOrderStatus,
		Mode: "constant", StartedAt: time.Now().UTC(), Workers: p.cfg.Workers,
		TimeoutMS: float64(p.cfg.Timeout) / float64(time.Millisecond), Ramp: p.cfg.Ramp,
		Error: cause.Error(), Validation: load.Validation{Sample: p.cfg.ValidateSample},
	}
	if p.cfg.V4 != nil || p.v4 {
		res.Endpoint = load.EndpointV4OrderStatus
	}
	switch {
	case p.cfg.Ramp != nil:
		res.Mode = "ramp"
	case p.cfg.Rate == 0:
		res.Mode = "unthrottled"
	default:
		res.Rate.Requested = p.cfg.Rate
	}
	err := finishLoad(st, o, p, res)
	var ee *exitError
	if err != nil && !(errors.As(err, &ee) && ee.code == exitFindings) {
		return err // the result could not be written: that is the error to report
	}
	return &exitError{code: exitUnreachable, err: cause}
}
