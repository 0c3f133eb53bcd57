package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/jpcheck/jpcheck/load"
)

// Files of a `jpcheck load --out DIR` directory. They are an interface (README § Latency SLO):
// `jpcheck report` reads them back.
const (
	// LoadJSONFile is the load run, as --format json prints it.
	LoadJSONFile = "load.json"
	// LoadHistogramFile is the run's latency histogram (microseconds) in HdrHistogram's V2
	// compressed base64 encoding: any HdrHistogram library reads it, and histograms of several
	// runs merge into the distribution of all of them.
	LoadHistogramFile = "load.hdr"
)

// WriteLoadJSON writes a load run as one indented JSON document with load.Result's fields:
// {"version":1,"target","requests","rate","latency_ms","errors","timeouts","slo",...}.
func WriteLoadJSON(w io.Writer, r *load.Result) error {
	return writeIndentedJSON(w, normalizedLoad(r))
}

// WriteLoadCapacityJSON writes a capacity search as one indented JSON document.
func WriteLoadCapacityJSON(w io.Writer, c *load.CapacityResult) error {
	return writeIndentedJSON(w, normalizedCapacity(c))
}

func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Finding messages quote payloads; keep <, > and & readable.
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// WriteLoadDir writes a load run to dir: LoadJSONFile and, when the run has a histogram,
// LoadHistogramFile. Each file is written whole or not at all.
func WriteLoadDir(dir string, r *load.Result) error {
	if r == nil {
		return errors.New("no load run to write")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, LoadJSONFile), func(w io.Writer) error { return WriteLoadJSON(w, r) }); err != nil {
		return err
	}
	hist, err := loadHistogram(r)
	if err != nil || hist == nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, LoadHistogramFile), func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "%s\n", hist)
		return err
	})
}

// loadHistogram is the run's encoded histogram: the copy its JSON carries, else its Histogram
// encoded; nil when it has neither.
func loadHistogram(r *load.Result) ([]byte, error) {
	if r.HistogramHDR != "" {
		return []byte(r.HistogramHDR), nil
	}
	if r.Histogram != nil {
		b, err := r.EncodeHistogram()
		if err != nil {
			return nil, fmt.Errorf("encode the histogram: %w", err)
		}
		return b, nil
	}
	return nil, nil
}

// normalizedLoad returns a copy a writer can print: version set, maps and arrays never null,
// and no credentials in the target URL.
func normalizedLoad(r *load.Result) *load.Result {
	if r == nil {
		r = &load.Result{}
	}
	n := *r
	if n.Version == 0 {
		n.Version = load.ResultVersion
	}
	n.Target = redactURL(n.Target)
	if n.Verdict == "" {
		n.Verdict = LoadVerdict(&n)
	}
	if n.HistogramHDR == "" && n.Histogram != nil {
		// The JSON carries the distribution, so a saved run renders and merges like a live one.
		if enc, err := n.EncodeHistogram(); err == nil {
			n.HistogramHDR = string(enc)
		}
	}
	if n.Errors.ByKind == nil {
		n.Errors.ByKind = map[string]int64{}
	}
	if n.SLO.Checks == nil {
		n.SLO.Checks = []load.Check{}
	}
	normalizeVerdict(&n.SLO, n.Requests)
	if n.Window != nil {
		w := *n.Window
		w.SLO.Checks = append([]load.Check{}, w.SLO.Checks...)
		normalizeVerdict(&w.SLO, w.Requests)
		n.Window = &w
	}
	if n.Batches == nil {
		n.Batches = []load.Batch{}
	}
	if n.Series == nil {
		n.Series = []load.Point{}
	}
	if n.Validation.Findings == nil {
		n.Validation.Findings = []load.FindingSample{}
	}
	return &n
}

// normalizeVerdict fills what a result written before the verdict had an outcome lacks: the
// outcome from pass and generator_limited (then a generator-limited run never passed), each
// check's result from its pass, and the requests judged.
func normalizeVerdict(v *load.Verdict, requests int64) {
	if v.Outcome == "" {
		switch {
		case v.Pass:
			v.Outcome = load.OutcomePass
		case v.GeneratorLimited:
			v.Outcome = load.OutcomeInconclusive
		default:
			v.Outcome = load.OutcomeFail
		}
	}
	if v.Requests == 0 {
		v.Requests = requests
	}
	checks := make([]load.Check, len(v.Checks))
	for i, c := range v.Checks {
		if c.Result == "" {
			switch {
			case c.Pass == nil:
				c.Result = load.OutcomeInconclusive
			case *c.Pass:
				c.Result = load.OutcomePass
			default:
				c.Result = load.OutcomeFail
			}
		}
		checks[i] = c
	}
	v.Checks = checks
}

// redactURL drops a password from a URL's user info: a target given as
// https://user:secret@host must not print its secret.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// normalizedCapacity returns a copy of a capacity search a writer can print.
func normalizedCapacity(c *load.CapacityResult) *load.CapacityResult {
	if c == nil {
		c = &load.CapacityResult{}
	}
	n := *c
	if n.Version == 0 {
		n.Version = load.ResultVersion
	}
	n.Steps = make([]load.CapacityStep, len(c.Steps))
	for i, s := range c.Steps {
		if s.Result != nil {
			s.Result = normalizedLoad(s.Result)
		}
		if s.Phase == "" {
			// A search written before bisection: every step climbed, and met meant passed.
			s.Phase, s.Met = load.PhaseClimb, s.Pass
		}
		if s.Verdict == "" && s.Result != nil {
			s.Verdict, s.Requests = s.Result.SLO.Outcome, s.Result.SLO.Requests
		}
		if s.Failed == nil {
			s.Failed = []string{}
			if s.Result != nil {
				for _, ch := range s.Result.SLO.Checks {
					if ch.Result == load.OutcomeFail {
						s.Failed = append(s.Failed, ch.Name)
					}
				}
			}
		}
		if !s.Met && s.Reason == "" && s.Result != nil {
			s.Reason = strings.Join(s.Result.SLO.Reasons, "; ")
		}
		n.Steps[i] = s
	}
	if n.Reason == "" && n.StoppedBy != load.StoppedByMax {
		for _, s := range n.Steps {
			if !s.Met && s.Rate > n.Capacity {
				n.Reason = fmt.Sprintf("at %g/s: %s", s.Rate, s.Reason)
				break
			}
		}
	}
	return &n
}

// CapacityShownStep is the run a capacity search is summed up by: the one at the capacity
// found (the highest rate that met the SLO), or the first when none met it; nil when no run
// was made.
func CapacityShownStep(c *load.CapacityResult) *load.CapacityStep {
	if c == nil {
		return nil
	}
	var shown *load.CapacityStep
	for i := range c.Steps {
		s := &c.Steps[i]
		if s.Result == nil {
			continue
		}
		if shown == nil || (c.Capacity > 0 && s.Met && s.Rate == c.Capacity) {
			shown = s
		}
	}
	return shown
}

// LoadCapacityFile is the capacity search in a `jpcheck load --find-capacity --out DIR`
// directory; LoadJSONFile and LoadHistogramFile beside it hold the run at the capacity found.
const LoadCapacityFile = "capacity.json"

// WriteLoadCapacityDir writes a capacity search to dir: LoadCapacityFile, and the run
// CapacityShownStep picks as WriteLoadDir writes it.
func WriteLoadCapacityDir(dir string, c *load.CapacityResult) error {
	if c == nil {
		return errors.New("no capacity search to write")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, LoadCapacityFile), func(w io.Writer) error { return WriteLoadCapacityJSON(w, c) }); err != nil {
		return err
	}
	if shown := CapacityShownStep(c); shown != nil {
		return WriteLoadDir(dir, shown.Result)
	}
	return nil
}
