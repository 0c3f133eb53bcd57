package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/jpcheck/jpcheck/load"
)

// progressLine is the live progress of a load run on stderr, so stdout holds only the result
// (JSON or OpenMetrics stay clean when piped). On a terminal one line is rewritten in place
// with \r every second; anywhere else (a CI log) a plain line is printed every
// progressLogInterval, so a long run shows it is alive without flooding the log.
type progressLine struct {
	w     io.Writer
	tty   bool
	shown bool
	next  time.Time // when the next plain line is due (wall time: a capacity search's runs restart Elapsed)
	now   func() time.Time
}

// progressLogInterval is how often a run not on a terminal prints its progress.
const progressLogInterval = 10 * time.Second

func newProgressLine(w io.Writer) *progressLine {
	pl := &progressLine{w: w, tty: isTerminal(w), now: time.Now}
	pl.next = pl.now().Add(progressLogInterval)
	return pl
}

// isTerminal says whether w is a character device: a terminal, not a file or a pipe.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (pl *progressLine) update(p load.Progress) {
	if !pl.tty {
		// Progress comes about once a second: half a second early is on time.
		if now := pl.now(); !now.Add(time.Second / 2).Before(pl.next) {
			fmt.Fprintln(pl.w, progressText(p))
			pl.next = now.Add(progressLogInterval)
		}
		return
	}
	fmt.Fprintf(pl.w, "\r\x1b[K%s", progressText(p))
	pl.shown = true
}

// clear removes the line before the result is printed.
func (pl *progressLine) clear() {
	if pl.shown {
		fmt.Fprint(pl.w, "\r\x1b[K")
		pl.shown = false
	}
}

// progressText is one state of the run: elapsed/total, the rate (and the schedule's), the p99
// so far and the errors.
func progressText(p load.Progress) string {
	var b strings.Builder
	fmt.Fprintf(&b, "jpcheck load: %s/%s  %d requests  %.1f/s", p.Elapsed.Round(time.Second), p.Total.Round(time.Second), p.Requests, p.Rate)
	if p.Requested > 0 {
		fmt.Fprintf(&b, " (target %.1f/s)", p.Requested)
	}
	fmt.Fprintf(&b, "  p99 %.1f ms  %d errors", float64(p.P99)/float64(time.Millisecond), p.Errors)
	return b.String()
}

// scrubLoad removes the API key, raw or as Basic credentials, from the text a target's answers
// put in a result (finding messages quote payloads), so no output carries it.
func scrubLoad(res *load.Result, apiKey string) {
	if res == nil || len(apiKey) < 4 {
		return
	}
	r := strings.NewReplacer(
		base64.StdEncoding.EncodeToString([]byte(apiKey+":")), "[redacted]",
		base64.StdEncoding.EncodeToString([]byte(apiKey)), "[redacted]",
		apiKey, "[redacted]",
	)
	for i := range res.Validation.Findings {
		res.Validation.Findings[i].Message = r.Replace(res.Validation.Findings[i].Message)
	}
}
