package reports

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/jpcheck/jpcheck/contracts"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// htmlTemplate is parsed on each call: a page per run costs nothing worth caching, and no
// package state is kept.
func htmlTemplate() (*template.Template, error) {
	return template.New("page.html.tmpl").Funcs(template.FuncMap{
		"root":    orRoot,
		"seconds": func(ms int64) string { return fmt.Sprintf("%.1f s", float64(ms)/1000) },
		"millis": func(ms int64) string {
			if ms == 0 {
				return "<1 ms" // durations are kept in whole milliseconds
			}
			return fmt.Sprintf("%d ms", ms)
		},
		"percent": func(n, of int) string {
			if of == 0 {
				return "no schema reached"
			}
			return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(of))
		},
		"upper":   strings.ToUpper,
		"ms":      formatMS,
		"plural":  plural,
		"anchor":  anchor,
		"long":    longMessage,
		"first":   firstLine,
		"verdict": verdictClass,
		"pct":     pct,
		"count":   groupDigits,
		"brk":     breakable,
		"mul100":  func(f float64) float64 { return 100 * f },
	}).ParseFS(templateFS, "templates/*.tmpl")
}

// WriteHTML writes the run as one self-contained page: inline CSS and SVG, no script and
// nothing fetched, so it can be attached to a release or opened from a CI artefact offline.
// It renders the run it is given; callers show customer data only as Options.Shown(r) allows.
func WriteHTML(w io.Writer, r *Run) error {
	t, err := htmlTemplate()
	if err != nil {
		return fmt.Errorf("html template: %w", err)
	}
	return t.Execute(w, newHTMLPage(r.normalized()))
}

// htmlPage is the run arranged for reading: what the template needs and nothing it must
// compute.
type htmlPage struct {
	*Run
	Reasons  []string
	Digest   string
	Areas    []htmlArea
	Findings []Finding
	Schemas  []htmlSchema
	Latency  *htmlLatency
	Errata   []htmlErrata
	Trend    *htmlTrend
}

// areaTitles names the documented areas; the suites' labels are their keys.
var areaTitles = map[string]string{
	"order-status": "Order status", "v4": "V4 (encrypted order status)", "webhooks": "Webhooks",
	"offers": "Offers", "rewards": "Rewards", "errors": "Errors", "flows": "Flows", "other": "Other specs",
}

type htmlArea struct {
	Label, Title string
	Summary
	Rows []htmlSpec
}

// htmlSpec is a spec's row in one area's table. A spec with two areas has a row in each;
// Again marks the second, and Also names the other areas.
type htmlSpec struct {
	Spec
	Again bool
	Also  []string
}

type htmlSchema struct {
	contracts.SchemaCoverage
	Seen, Checked, Failed int
	Fields                []htmlField
}

type htmlField struct {
	contracts.FieldCoverage
	Findings []Finding
	More     int
}

type htmlErrata struct {
	Kind, Title, Intro string
	Entries            []Erratum
}

type htmlTrend struct {
	Points []HistoryPoint
	Last   int // the index of this run
	Plot   template.HTML
	Checks *htmlTrendChecks
}

func newHTMLPage(r *Run) *htmlPage {
	p := &htmlPage{Run: r, Digest: shortDigest(r.Environment.SpecDigest)}
	p.Reasons = verdictReasons(r)
	p.Areas = htmlAreas(r)
	p.Findings = slices.Clone(r.Findings)
	slices.SortStableFunc(p.Findings, func(a, b Finding) int { return severityRank(a.Severity) - severityRank(b.Severity) })
	p.Schemas = htmlSchemas(r)
	p.Latency = newHTMLLatency(r)
	p.Errata = htmlErrataGroups(r.Errata)
	if len(r.History) > 0 {
		points := append(slices.Clone(r.History), PointOf(r))
		p.Trend = &htmlTrend{Points: points, Last: len(points) - 1, Plot: trendSVG(points), Checks: trendChecks(points)}
	}
	return p
}

// verdictReasons say in words why the verdict is what it is: the specs' part, then the load
// run's.
func verdictReasons(r *Run) []string {
	var out []string
	if e := r.ErrorReason(); e != "" {
		out = append(out, e)
	}
	s := r.Summary
	if s.NotRun > 0 {
		out = append(out, fmt.Sprintf("%s could not run", plural(s.NotRun, "spec")))
	}
	switch {
	case s.Failed > 0:
		out = append(out, fmt.Sprintf("%s of %d failed", plural(s.Failed, "spec"), s.Specs))
	case s.Passed > 0:
		msg := fmt.Sprintf("%s passed", plural(s.Passed, "spec"))
		if s.Skipped > 0 {
			msg += fmt.Sprintf(", %d skipped (a skip is never a pass)", s.Skipped)
		}
		out = append(out, msg)
	case s.Specs > 0:
		out = append(out, "every spec was skipped: a skip is never a pass")
	case r.Load == nil:
		out = append(out, "no spec ran")
	}
	return append(out, loadVerdictReasons(r)...)
}

func severityRank(s contracts.Severity) int {
	if s == contracts.SeverityError {
		return 0
	}
	return 1
}

func stateRank(state string) int {
	switch state {
	case StateFailed:
		return 0
	case StateSkipped:
		return 1
	}
	return 2
}

// htmlAreas is a table per documented area (empty ones too, so a reader sees what was not
// run), then any other label, failed specs first in each.
func htmlAreas(r *Run) []htmlArea {
	by := map[string]*htmlArea{}
	var order []string
	area := func(label string) *htmlArea {
		a, ok := by[label]
		if !ok {
			a = &htmlArea{Label: label, Title: areaTitles[label]}
			if a.Title == "" {
				a.Title = label
			}
			by[label] = a
			order = append(order, label)
		}
		return a
	}
	for _, l := range areaOrder {
		area(l)
	}
	for _, s := range r.Specs {
		labels := s.Labels
		if len(labels) == 0 {
			labels = []string{"other"}
		}
		for i, l := range labels {
			var also []string
			for _, o := range labels {
				if o != l {
					also = append(also, o)
				}
			}
			a := area(l)
			a.Rows = append(a.Rows, htmlSpec{Spec: s, Again: i > 0, Also: also})
		}
	}
	out := make([]htmlArea, 0, len(order))
	for _, l := range order {
		a := by[l]
		slices.SortStableFunc(a.Rows, func(x, y htmlSpec) int { return stateRank(x.State) - stateRank(y.State) })
		specs := make([]Spec, len(a.Rows))
		for i, s := range a.Rows {
			specs[i] = s.Spec
		}
		a.Summary = Tally(specs)
		out = append(out, *a)
	}
	return out
}

// maxFieldFindings bounds the findings listed in one row of the matrix; the findings table
// has them all.
const maxFieldFindings = 3

// htmlSchemas is the compliance matrix: every declared field of every schema reached, with
// the findings at that field name. Schemas with failed fields come first.
func htmlSchemas(r *Run) []htmlSchema {
	byField := map[string][]Finding{}
	for _, f := range r.Findings {
		if name := fieldOf(f.Pointer); name != "" {
			byField[name] = append(byField[name], f)
		}
	}
	out := make([]htmlSchema, 0, len(r.Coverage.Schemas))
	for _, sc := range r.Coverage.Schemas {
		s := htmlSchema{SchemaCoverage: sc, Fields: make([]htmlField, 0, len(sc.Fields))}
		for _, f := range sc.Fields {
			hf := htmlField{FieldCoverage: f}
			if f.Seen > 0 {
				s.Seen++
			}
			if f.Checked > 0 {
				s.Checked++
			}
			if f.Failed > 0 {
				s.Failed++
			}
			fs := byField[f.Field]
			if len(fs) > maxFieldFindings {
				hf.More = len(fs) - maxFieldFindings
				fs = fs[:maxFieldFindings]
			}
			hf.Findings = fs
			s.Fields = append(s.Fields, hf)
		}
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b htmlSchema) int {
		return boolRank(a.Failed > 0) - boolRank(b.Failed > 0)
	})
	return out
}

func boolRank(b bool) int {
	if b {
		return 0
	}
	return 1
}

// fieldOf is the field a pointer ends at, array indices skipped: /txn_list/0 is txn_list.
func fieldOf(pointer string) string {
	segs := strings.Split(pointer, "/")
	for i := len(segs) - 1; i > 0; i-- {
		if _, err := strconv.Atoi(segs[i]); err != nil {
			return strings.NewReplacer("~1", "/", "~0", "~").Replace(segs[i])
		}
	}
	return ""
}

// errataKinds order and name the errata groups as `jpcheck specs errata --format markdown`.
var errataKinds = []struct{ kind, title, intro string }{
	{"error", "Samples that break the documents' own rules", "Error findings on documented samples under the compat profile."},
	{"spec", "Field tables that disagree with the samples", "The specs follow the samples."},
	{"quirk", "Variants the samples show (quirks)", "Accepted by the compat profile as warnings; errors under strict."},
	{"undeclared", "Fields the samples show that the specs do not declare", ""},
	{"repaired", "Samples that are not valid JSON", "Repaired in specs/examples; each repair is listed."},
	{"skipped", "Samples that are not payloads", ""},
}

func htmlErrataGroups(list []Erratum) []htmlErrata {
	var out []htmlErrata
	known := map[string]bool{}
	for _, k := range errataKinds {
		known[k.kind] = true
		g := htmlErrata{Kind: k.kind, Title: k.title, Intro: k.intro}
		for _, e := range list {
			if e.Kind == k.kind {
				g.Entries = append(g.Entries, e)
			}
		}
		if len(g.Entries) > 0 {
			out = append(out, g)
		}
	}
	g := htmlErrata{Kind: "other", Title: "Other notes"}
	for _, e := range list {
		if !known[e.Kind] {
			g.Entries = append(g.Entries, e)
		}
	}
	if len(g.Entries) > 0 {
		out = append(out, g)
	}
	return out
}

// anchor makes an id from a label: lower case letters, digits and dashes.
func anchor(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
			b.WriteByte('-')
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// longMessage is true for a message worth folding behind its first line.
func longMessage(s string) bool { return strings.Count(s, "\n") >= 6 || len(s) > 600 }

// breakable escapes a pointer, rule or file name and lets the browser wrap it after a slash,
// underscore, question mark or ampersand (and at a hyphen, as it does anyway), so a long one
// wraps where a person would split it rather than widening its column or breaking mid-word.
func breakable(s string) template.HTML {
	return template.HTML(wrapPoints.Replace(template.HTMLEscapeString(s)))
}

// wrapPoints follow characters that escaping leaves alone (and &amp;, whole).
var wrapPoints = strings.NewReplacer("/", "/<wbr>", "?", "?<wbr>", "&amp;", "&amp;<wbr>", "_", "_<wbr>")

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if r := []rune(s); len(r) > 160 {
		s = string(r[:160]) + "…"
	}
	return s
}
