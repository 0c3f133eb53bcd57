package mock

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The test clock (docs/mock.md § Test clock): like Stripe's test clocks, POST /_mock/clock moves the
// mock's time forward, so what happens with time (a mandate's end date, a scheduled pause or
// resume) happens at once instead of after months. Only forward: time that went back would let
// an EXPIRED mandate be active again. Webhook dates, order and refund times and the mandates'
// dates all read this clock; delivery retries and latency use real timers.

// maxClockAdvance bounds one move, so a typo cannot push the mock past any date it can print.
const maxClockAdvance = 100 * 365 * 24 * time.Hour

// testClock is Config.Clock plus the offset the test clock endpoint added.
type testClock struct {
	base   func() time.Time
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	o := c.offset
	c.mu.Unlock()
	return c.base().Add(o)
}

// advanceTo moves the clock to t, or by d when t is zero; it refuses to go back.
func (c *testClock) advance(t time.Time, d time.Duration) (time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.base().Add(c.offset)
	if !t.IsZero() {
		d = t.Sub(now)
	}
	switch {
	case d < 0:
		return now, fmt.Errorf("the test clock only moves forward: %s is before its time %s", now.Add(d).UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case d > maxClockAdvance:
		return now, fmt.Errorf("one move of the test clock is at most %s", maxClockAdvance)
	}
	c.offset += d
	return now.Add(d), nil
}

func (c *testClock) state() map[string]any {
	c.mu.Lock()
	o := c.offset
	c.mu.Unlock()
	now := c.base().Add(o)
	return map[string]any{"now": now.UTC().Format(time.RFC3339), "now_epoch": now.Unix(), "offset_seconds": int64(o / time.Second)}
}

// handleClock serves GET /_mock/clock (the mock's time) and POST /_mock/clock with advance=D
// (a Go duration, 720h) or to=T (RFC 3339 or epoch seconds): the clock moves, then every
// mandate whose end date, pause start or pause end has come is moved on, with its webhook.
func (s *Server) handleClock(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		p, err := params(r)
		if err != nil {
			badRequest(w, "Invalid request body")
			return
		}
		var to time.Time
		var by time.Duration
		switch {
		case p["to"] != "" && p["advance"] != "":
			invalidInput(w, "advance")
			return
		case p["to"] != "":
			if to, err = parseClockTime(p["to"]); err != nil {
				invalidInput(w, "to")
				return
			}
		case p["advance"] != "":
			if by, err = time.ParseDuration(p["advance"]); err != nil {
				invalidInput(w, "advance")
				return
			}
		default:
			badRequest(w, "advance or to is missing")
			return
		}
		if _, err := s.clock.advance(to, by); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"status": "ERROR", "error_code": "invalid_request", "error_message": err.Error()})
			return
		}
	}
	changed := s.sweepMandates()
	out := s.clock.state()
	out["mandates_changed"] = changed
	writeJSON(w, http.StatusOK, out)
}

// parseClockTime reads RFC 3339 or epoch seconds.
func parseClockTime(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	return time.Parse(time.RFC3339, v)
}
