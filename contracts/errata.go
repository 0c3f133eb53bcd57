package contracts

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	yaml "github.com/pb33f/go-yaml"

	"github.com/jpcheck/jpcheck/specs"
)

// ErratumEntry is one place where Juspay's own documents depart from their contract: a quirk or
// an error finding on a documented sample, a field table that contradicts the samples, or a
// sample that is not a payload at all.
type ErratumEntry struct {
	// Kind is "quirk" (a variant compat accepts), "error" (a documented sample breaks a rule),
	// "official" (an official sample payload of juspay/juspay-sdk-integration-demo breaks one),
	// "spec" (a field table disagrees with the samples) or "skipped" (no usable sample).
	Kind     string   `json:"kind"`
	Document string   `json:"document"`
	Section  string   `json:"section"`
	Example  string   `json:"example,omitempty"`
	Pointer  string   `json:"pointer,omitempty"`
	Rule     Rule     `json:"rule,omitempty"`
	Message  string   `json:"message"`
	Repairs  []string `json:"repairs,omitempty"`
	// Places lists every spec location (file#pointer) a "spec" entry applies to; Section is
	// the first.
	Places []string `json:"places,omitempty"`
}

// Errata validates every documented sample under compat and lists what the documents get wrong,
// so the list is derived from the specs and samples rather than written by hand.
func Errata(set *Set) ([]ErratumEntry, error) {
	exs, err := specs.Examples()
	if err != nil {
		return nil, err
	}
	var out []ErratumEntry
	for _, ex := range exs {
		if ex.Skip != "" {
			out = append(out, ErratumEntry{Kind: "skipped", Document: set.documentTitle(ex.Document), Section: ex.Section, Message: ex.Skip})
			continue
		}
		if len(ex.Repairs) > 0 {
			out = append(out, ErratumEntry{Kind: "repaired", Document: set.documentTitle(ex.Document), Section: ex.Section, Example: ex.File, Message: "the sample needed repair to be a JSON payload", Repairs: ex.Repairs})
		}
		for _, e := range ex.Errata {
			if e.Rule == specs.Curated {
				out = append(out, ErratumEntry{Kind: "error", Document: set.documentTitle(ex.Document), Section: ex.Section, Example: ex.File, Pointer: e.Pointer, Rule: Rule(e.Rule), Message: e.Note})
			}
		}
		if ex.Kind == "request" || ex.Kind == "" {
			continue
		}
		data, err := specs.ExampleData(ex.File)
		if err != nil {
			return nil, err
		}
		res, err := set.Validate(Kind(ex.Kind), data, Options{Profile: ProfileCompat})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ex.File, err)
		}
		for _, f := range res.Findings {
			if f.Rule == RuleRedacted {
				continue // the publisher masked it: not something the document gets wrong
			}
			kind := "quirk"
			if f.Severity == SeverityError {
				kind = "error"
			} else if f.Rule == RuleUndeclared {
				kind = "undeclared"
			}
			out = append(out, ErratumEntry{Kind: kind, Document: set.documentTitle(ex.Document), Section: ex.Section, Example: ex.File, Pointer: f.Pointer, Rule: f.Rule, Message: f.Message})
			// The string "null" is no value any table documents: compat accepts it, but the
			// sample still contradicts its document, so it is an erratum too.
			if f.Rule == RuleQuirkNullString {
				out = append(out, ErratumEntry{Kind: "error", Document: set.documentTitle(ex.Document), Section: ex.Section, Example: ex.File, Pointer: f.Pointer, Rule: f.Rule, Message: f.Message + "; no table documents the string \"null\" as a value"})
			}
		}
	}
	official, err := specs.OfficialErrata()
	if err != nil {
		return nil, err
	}
	for _, e := range official {
		out = append(out, ErratumEntry{Kind: "official", Document: "juspay/juspay-sdk-integration-demo", Section: e.Path, Pointer: e.Pointer, Rule: Rule(e.Rule), Message: e.Note})
	}
	// One entry per contradiction: the same x-errata text on several properties (one table
	// field reached through several schemas, or through a $ref) names every place it applies.
	var notes []ErratumEntry
	byMessage := map[string]int{}
	for _, site := range set.errata {
		if i, ok := byMessage[site.message]; ok {
			e := &notes[i]
			e.Places = append(e.Places, site.place)
			if site.source != "" && !strings.Contains(e.Document, site.source) {
				e.Document += "; " + site.source
			}
			continue
		}
		byMessage[site.message] = len(notes)
		notes = append(notes, ErratumEntry{Kind: "spec", Document: site.source, Section: site.place, Places: []string{site.place}, Message: site.message})
	}
	sort.Slice(notes, func(i, j int) bool { return notes[i].Section < notes[j].Section })
	return append(out, notes...), nil
}

// documentTitle is the public title of the document the examples index names by id.
func (s *Set) documentTitle(id string) string {
	if d, ok := s.docs[id]; ok && d.Title != "" {
		return d.Title
	}
	return id
}

// Document is a public source the specs cite by title.
type Document struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Documents lists the documents the specs cite by title, with the page a user checks them on.
func (s *Set) Documents() []Document {
	var out []Document
	for _, d := range s.docs {
		if d.Title != "" && d.URL != "" {
			out = append(out, Document{Title: d.Title, URL: d.URL})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Title < out[j].Title })
	return out
}

// errataSite is one x-errata note in the spec files: on a property (inline or beside a $ref),
// a parameter, a schema or an operation.
type errataSite struct {
	place   string // file#pointer of the node carrying x-errata
	source  string // its x-source
	message string
}

// collectErrata walks the spec files' YAML rather than the compiled schemas, which drop the
// keywords beside a $ref and never see parameters.
func collectErrata(c *compiler, names []string) []errataSite {
	var out []errataSite
	var walk func(file, ptr string, n *yaml.Node)
	walk = func(file, ptr string, n *yaml.Node) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, e := range n.Content {
				walk(file, ptr, e)
			}
		case yaml.MappingNode:
			if e := mapGet(n, "x-errata"); e != nil && e.Value != "" {
				site := errataSite{place: file + "#" + ptr, message: strings.Join(strings.Fields(e.Value), " ")}
				// A parameter's pointer ends in an index: name it, as a reader looks it up.
				if name, in := mapGet(n, "name"), mapGet(n, "in"); name != nil && in != nil {
					site.place += " (" + in.Value + " " + name.Value + ")"
				}
				if src := mapGet(n, "x-source"); src != nil {
					site.source = src.Value
				}
				out = append(out, site)
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(file, ptr+"/"+escapePointer(n.Content[i].Value), n.Content[i+1])
			}
		case yaml.SequenceNode:
			for i, e := range n.Content {
				walk(file, ptr+"/"+strconv.Itoa(i), e)
			}
		}
	}
	for _, name := range names {
		if n := c.files[name]; n != nil {
			walk(name, "", n)
		}
	}
	return out
}
