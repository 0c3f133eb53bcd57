package contracts

import (
	"fmt"
	"sort"

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
		}
	}
	official, err := specs.OfficialErrata()
	if err != nil {
		return nil, err
	}
	for _, e := range official {
		out = append(out, ErratumEntry{Kind: "official", Document: "juspay/juspay-sdk-integration-demo", Section: e.Path, Pointer: e.Pointer, Rule: Rule(e.Rule), Message: e.Note})
	}
	// A property's errata is listed once even when the property is a $ref that several schemas
	// reach (the generator used to skip those, and list inline ones once per path).
	var notes []ErratumEntry
	seen := map[string]bool{}
	for _, s := range set.schemas {
		for _, p := range s.propList {
			if p.schema.errata == "" {
				continue
			}
			section := p.spec
			if p.schema.spec != p.spec && p.schema.spec != "" {
				section = p.schema.spec
			}
			if key := section + "\x00" + p.schema.errata; !seen[key] {
				seen[key] = true
				notes = append(notes, ErratumEntry{Kind: "spec", Document: p.source, Section: section, Message: p.schema.errata})
			}
		}
		if s.errata != "" && s.name != "" {
			notes = append(notes, ErratumEntry{Kind: "spec", Document: s.source, Section: s.spec, Message: s.errata})
		}
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
