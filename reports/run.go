// Writers and their inputs, for the other files of this package and its callers:
//
//   - Every writer renders r.normalized(): arrays never null, the summary counted from the
//     specs, the verdict computed, and secrets (Authorization headers, API keys, webhook
//     passwords) scrubbed from every string. Secrets never reach any output.
//   - Customer data (email, phone, VPA, card fields but isin and last four digits) is masked
//     by Redact. WriteMarkdown redacts itself unless Options.NoRedact; WriteHTML(w, r) renders
//     the run it is given, so its callers (WriteDir, `jpcheck report`) pass Options.Shown(r),
//     which is Redact(r) unless Options.NoRedact.
//   - WriteDir(dir, r, Options) writes run.json (not redacted: it is the data a report is
//     rebuilt from), index.html and report.md (redacted unless Options.NoRedact).
package reports

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/load"
	"github.com/onsi/ginkgo/v2/types"
)

// Version is the run model's format version; a change that breaks a reader raises it.
const Version = 1

// Spec states. They are an interface (README § JSON output): never rename one.
const (
	StatePassed  = "passed"
	StateFailed  = "failed"
	StateSkipped = "skipped"
	// StateNotRun is a spec that could not run: the target was judged down (or unreachable)
	// before it started, or the run's budget was spent. It is never a pass, and not a skip.
	StateNotRun = "not_run"
)

// Verdicts of a run, in words: an interface like the spec states.
const (
	VerdictPass         = "pass"
	VerdictFail         = "fail"
	VerdictInconclusive = "inconclusive"
	// VerdictError is a run that could not judge the target: unreachable, judged down, or out
	// of budget. Run.Error (or the load run's error) says why.
	VerdictError = "error"
)

// Run is one conformance run, one load run, or both merged. Field names and tags are an
// interface: `jpcheck conform --format json` and run.json print them as they are, and
// docs/report-schema.json describes them; add fields, never rename one.
type Run struct {
	Version     int         `json:"version"`
	Target      string      `json:"target"`
	Profile     string      `json:"profile"`
	StartedAt   time.Time   `json:"started_at"`
	DurationMS  int64       `json:"duration_ms"`
	Environment Environment `json:"environment"`
	// Verdict is computed by every writer from the specs and the load run (see verdict).
	Verdict string `json:"verdict"`
	// Error, when set, is why the run could not judge the target; the verdict is then error.
	Error    string    `json:"error,omitempty"`
	Summary  Summary   `json:"summary"`
	Specs    []Spec    `json:"specs"`
	Findings []Finding `json:"findings"`
	Coverage Coverage  `json:"coverage"`
	// Consumers is each consumer contract's compliance (conform --consumer), when asked for.
	Consumers []Consumer `json:"consumers,omitempty"`
	// Errata are the places the Juspay documents depart from their own contract, so a reader
	// can tell a target's departure from the documents' own.
	Errata []Erratum `json:"errata"`
	// Load is the load run, when there was one (package load's Result: its histogram travels
	// in the JSON as histogram_hdr, and DecodeRun and ReadInput decode it).
	Load *load.Result `json:"load,omitempty"`
	// History is earlier runs against the same kind of target, oldest first, for a trend.
	History []HistoryPoint `json:"history,omitempty"`
	// Report is Ginkgo's own report of the run, for JUnit's timelines; empty when the run did
	// not come from Ginkgo (webhooks-only), and then JUnit is built from Specs.
	Report types.Report `json:"-"`
}

// Environment says what was checked, against which documents, by which jpcheck, and when.
type Environment struct {
	Target         string    `json:"target"`
	SpecVersion    string    `json:"spec_version"`
	SpecDigest     string    `json:"spec_digest"`
	JpcheckVersion string    `json:"jpcheck_version"`
	Time           time.Time `json:"time"`
	Profile        string    `json:"profile"`
}

// Erratum is one place the documents depart from their contract (contracts.ErratumEntry,
// copied so the report's format does not follow the engine's by accident).
type Erratum struct {
	// Kind is quirk, error, undeclared, spec, repaired or skipped (`jpcheck specs errata`).
	Kind     string   `json:"kind"`
	Document string   `json:"document"`
	Section  string   `json:"section"`
	Example  string   `json:"example,omitempty"`
	Pointer  string   `json:"pointer,omitempty"`
	Rule     string   `json:"rule,omitempty"`
	Message  string   `json:"message"`
	Repairs  []string `json:"repairs,omitempty"`
}

// ErrataOf converts the engine's errata into the report's.
func ErrataOf(entries []contracts.ErratumEntry) []Erratum {
	out := make([]Erratum, 0, len(entries))
	for _, e := range entries {
		section := e.Section
		if len(e.Places) > 1 {
			// One contradiction applying to several spec locations: the report names them all.
			section = strings.Join(e.Places, ", ")
		}
		out = append(out, Erratum{
			Kind: e.Kind, Document: e.Document, Section: section, Example: e.Example,
			Pointer: e.Pointer, Rule: string(e.Rule), Message: e.Message, Repairs: e.Repairs,
		})
	}
	return out
}

// HistoryPoint is one earlier run, reduced to what a trend shows. P99MS is nil for a run
// without load.
type HistoryPoint struct {
	StartedAt time.Time `json:"started_at"`
	Verdict   string    `json:"verdict"`
	Specs     int       `json:"specs"`
	Passed    int       `json:"passed"`
	Failed    int       `json:"failed"`
	Skipped   int       `json:"skipped"`
	P99MS     *float64  `json:"p99_ms"`
	Target    string    `json:"target"`
	// Checks are the load run's SLO checks, so a trend shows every one, not only p99.
	Checks []HistoryCheck `json:"checks,omitempty"`
	// ErrorRate is the load run's failed requests over all requests; nil without one.
	ErrorRate *float64 `json:"error_rate,omitempty"`
}

// Summary counts specs by state.
type Summary struct {
	Specs   int `json:"specs"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	NotRun  int `json:"not_run,omitempty"`
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

// Tally counts specs by state; any state but passed, failed and not_run counts as skipped.
func Tally(specs []Spec) Summary {
	s := Summary{Specs: len(specs)}
	for _, sp := range specs {
		switch sp.State {
		case StatePassed:
			s.Passed++
		case StateFailed:
			s.Failed++
		case StateNotRun:
			s.NotRun++
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
	if n.Load != nil {
		n.Load = normalizedLoad(n.Load) // a verdict from before outcomes existed gets one
	}
	if n.Errata == nil {
		n.Errata = []Erratum{}
	}
	n.Consumers = normalizedConsumers(n.Consumers)
	// A run built before environments existed still says what it checked and when.
	if n.Environment.Target == "" {
		n.Environment.Target = n.Target
	}
	if n.Environment.Profile == "" {
		n.Environment.Profile = n.Profile
	}
	if n.Environment.Time.IsZero() {
		n.Environment.Time = n.StartedAt
	}
	if n.Load != nil && n.Load.Verdict == "" {
		l := *n.Load
		l.Verdict = LoadVerdict(&l)
		n.Load = &l
	}
	n.Verdict = n.verdict()
	scrubSecrets(&n)
	return &n
}

// verdict is fail when a spec failed (or a load SLO did), inconclusive when nothing was
// checked (no spec passed and no load run) or a load run could not tell (too few samples, or
// the generator could not keep its rate), else pass.
func (r *Run) verdict() string {
	if r.ErrorReason() != "" {
		return VerdictError
	}
	if r.Summary.Failed > 0 || ConsumersFailed(r.Consumers) > 0 {
		return VerdictFail
	}
	return loadVerdict(r, r.Summary.Passed > 0)
}

// Area labels, in the order the README documents them (the suites' labels; this package does
// not import the suites).
var areaOrder = []string{"order-status", "v4", "webhooks", "offers", "rewards", "errors", "flows"}

// AreaSummary counts the specs of one area. A spec with two area labels counts in both;
// Label "other" holds specs with no label.
type AreaSummary struct {
	Label string
	Summary
}

// Areas counts r's specs per area: the documented areas first, in their order, then any other
// label, then "other". An area without specs is left out.
func Areas(r *Run) []AreaSummary {
	by := map[string]*AreaSummary{}
	var extra []string
	add := func(label string, s Spec) {
		a, ok := by[label]
		if !ok {
			a = &AreaSummary{Label: label}
			by[label] = a
			if !slices.Contains(areaOrder, label) && label != "other" {
				extra = append(extra, label)
			}
		}
		t := Tally([]Spec{s})
		a.Specs, a.Passed, a.Failed, a.Skipped = a.Specs+1, a.Passed+t.Passed, a.Failed+t.Failed, a.Skipped+t.Skipped
	}
	for _, s := range r.Specs {
		if len(s.Labels) == 0 {
			add("other", s)
		}
		for _, l := range s.Labels {
			add(l, s)
		}
	}
	sort.Strings(extra)
	var out []AreaSummary
	for _, l := range append(append(append([]string{}, areaOrder...), extra...), "other") {
		if a, ok := by[l]; ok {
			out = append(out, *a)
		}
	}
	return out
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

// Files of a report directory. WriteDir writes RunFile, HTMLFile and MarkdownFile; `jpcheck
// report` adds JUnitFile.
const (
	RunFile      = "run.json"
	HTMLFile     = "index.html"
	MarkdownFile = "report.md"
	JUnitFile    = "junit.xml"
)

// Options are the choices a person makes about a rendering.
type Options struct {
	// NoRedact shows customer data (email, phone, VPA, card fields) in HTML and Markdown.
	// Secrets are removed regardless.
	NoRedact bool
}

// Shown is the run as HTML and Markdown may show it: Redact(r) unless NoRedact.
func (o Options) Shown(r *Run) *Run {
	if o.NoRedact {
		return r
	}
	return Redact(r)
}

// WriteDir writes the run as RunFile, HTMLFile and MarkdownFile in dir, creating dir when
// needed. Customer data is masked in the page and the summary unless opts.NoRedact; run.json
// keeps it, since a report is rebuilt from it.
func WriteDir(dir string, r *Run, opts Options) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report directory: %w", err)
	}
	shown := opts.Shown(r)
	return errors.Join(
		writeFile(filepath.Join(dir, RunFile), r, WriteJSON),
		writeFile(filepath.Join(dir, HTMLFile), shown, WriteHTML),
		writeFile(filepath.Join(dir, MarkdownFile), shown, func(w io.Writer, r *Run) error {
			return WriteMarkdown(w, r, Options{NoRedact: true}) // already shown as opts asks
		}),
	)
}
