package reports

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/onsi/ginkgo/v2/types"
)

// Version is the run model's format version; a change that breaks a reader raises it.
const Version = 1

// Spec states. They are an interface (README § JSON output): never rename one.
const (
	StatePassed  = "passed"
	StateFailed  = "failed"
	StateSkipped = "skipped"
)

// Run is one conformance run. Field names and tags are an interface: `jpcheck conform
// --format json` and run.json print them as they are.
type Run struct {
	Version    int       `json:"version"`
	Target     string    `json:"target"`
	Profile    string    `json:"profile"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS int64     `json:"duration_ms"`
	Summary    Summary   `json:"summary"`
	Specs      []Spec    `json:"specs"`
	Findings   []Finding `json:"findings"`
	Coverage   Coverage  `json:"coverage"`
	// Report is Ginkgo's own report of the run, for JUnit's timelines; empty when the run did
	// not come from Ginkgo (webhooks-only), and then JUnit is built from Specs.
	Report types.Report `json:"-"`
}

// Summary counts specs by state.
type Summary struct {
	Specs   int `json:"specs"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

// Spec is one spec's outcome. Message is the failure, or the reason for a skip.
type Spec struct {
	Name       string   `json:"name"`
	Labels     []string `json:"labels"`
	State      string   `json:"state"`
	DurationMS int64    `json:"duration_ms"`
	Message    string   `json:"message"`
}

// Finding is one departure from the documents a spec found. Pointer is from the payload root
// (for a webhook, from the envelope); Request names what produced the payload.
type Finding struct {
	Spec           string             `json:"spec"`
	Pointer        string             `json:"pointer"`
	Rule           contracts.Rule     `json:"rule"`
	Severity       contracts.Severity `json:"severity"`
	Message        string             `json:"message"`
	Request        string             `json:"request"`
	RelatedRequest string             `json:"related_request,omitempty"`
	RelatedPointer string             `json:"related_pointer,omitempty"`
	Expected       string             `json:"expected,omitempty"`
	Actual         string             `json:"actual,omitempty"`
}

// Coverage says which declared fields the checked payloads carried: a pass means little for a
// field no payload had.
type Coverage struct {
	FieldsDeclared int                        `json:"fields_declared"`
	FieldsSeen     int                        `json:"fields_seen"`
	Schemas        []contracts.SchemaCoverage `json:"schemas"`
}

// Tally counts specs by state; any state but passed and failed counts as skipped.
func Tally(specs []Spec) Summary {
	s := Summary{Specs: len(specs)}
	for _, sp := range specs {
		switch sp.State {
		case StatePassed:
			s.Passed++
		case StateFailed:
			s.Failed++
		default:
			s.Skipped++
		}
	}
	return s
}

// NewCoverage totals the fields of the schemas the payloads reached.
func NewCoverage(schemas []contracts.SchemaCoverage) Coverage {
	c := Coverage{Schemas: schemas}
	for _, s := range schemas {
		c.FieldsDeclared += len(s.Fields)
		for _, f := range s.Fields {
			if f.Seen > 0 {
				c.FieldsSeen++
			}
		}
	}
	return c
}

// Millis is d in whole milliseconds, as the model stores durations.
func Millis(d time.Duration) int64 { return d.Milliseconds() }

// Duration is the run's duration.
func (r *Run) Duration() time.Duration { return time.Duration(r.DurationMS) * time.Millisecond }

// normalized returns a copy a writer can print: version set, arrays never null, summary
// counted from the specs so the two cannot disagree.
func (r *Run) normalized() *Run {
	n := *r
	if n.Version == 0 {
		n.Version = Version
	}
	if n.Specs == nil {
		n.Specs = []Spec{}
	}
	if n.Findings == nil {
		n.Findings = []Finding{}
	}
	if n.Coverage.Schemas == nil {
		n.Coverage.Schemas = []contracts.SchemaCoverage{}
	}
	specs := make([]Spec, len(n.Specs))
	for i, s := range n.Specs {
		if s.Labels == nil {
			s.Labels = []string{}
		}
		specs[i] = s
	}
	n.Specs = specs
	n.Summary = Tally(n.Specs)
	return &n
}

// findingsOf returns the findings of spec, in the run's order.
func (r *Run) findingsOf(spec string) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Spec == spec {
			out = append(out, f)
		}
	}
	return out
}

// Files WriteDir writes in a report directory.
const (
	RunFile  = "run.json"
	HTMLFile = "index.html"
)

// WriteDir writes the run as RunFile and HTMLFile in dir, creating dir when needed.
func WriteDir(dir string, r *Run) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report directory: %w", err)
	}
	return errors.Join(
		writeFile(filepath.Join(dir, RunFile), r, WriteJSON),
		writeFile(filepath.Join(dir, HTMLFile), r, WriteHTML),
	)
}
