package load

import (
	"fmt"
	"math"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// A load run against a target that stops answering ends early with its evidence: once the
// target is judged down, sending more only piles up requests that each wait out the client
// timeout. The run stops, keeps what it measured, and says why in Result.Error.

// MinDownAfter is the fewest requests in a row without an HTTP answer that judge the target
// down; at higher rates the threshold is one second's worth of requests (see downAfter).
const MinDownAfter = 10

// downDetector counts requests in a row that got no HTTP answer.
type downDetector struct {
	after  int64
	misses int64
	last   string
}

// newDownDetector sets the threshold: one second's worth of requests at the run's peak rate
// (the worker count when unthrottled), and at least MinDownAfter, so a short blip at a high
// rate is not mistaken for a target that is gone.
func newDownDetector(cfg Config) *downDetector {
	perSecond := cfg.Rate
	if cfg.Ramp != nil {
		perSecond = math.Max(cfg.Ramp.From, cfg.Ramp.To)
	}
	if perSecond <= 0 {
		perSecond = float64(cfg.Workers)
	}
	return &downDetector{after: max(MinDownAfter, int64(math.Ceil(perSecond)))}
}

// observe records one result and returns the reason the target is judged down, once it is.
func (d *downDetector) observe(res *vegeta.Result) string {
	if res.Code != 0 {
		d.misses = 0
		return ""
	}
	d.misses++
	d.last = oneLine(res.Error)
	if d.misses < d.after {
		return ""
	}
	return fmt.Sprintf("target judged down after %d requests in a row without an answer (last: %s)", d.misses, d.last)
}
