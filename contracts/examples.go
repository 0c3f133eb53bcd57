package contracts

import (
	"fmt"
	"sort"

	"github.com/jpcheck/jpcheck/specs"
)

// ValidateComponent checks payload against one component schema of one spec file (for
// instance order-status.yaml and JWTEnvelope), for payloads that are no contract kind of their
// own, such as requests.
func (s *Set) ValidateComponent(file, name string, payload []byte, opts Options) (Result, error) {
	sch, ok := s.schemas[file+"#/components/schemas/"+escapePointer(name)]
	if !ok {
		return Result{}, fmt.Errorf("%w: no schema %s in %s", ErrUnknownKind, name, file)
	}
	w := &walker{set: s, strict: opts.Profile == ProfileStrict, cov: opts.Coverage}
	doc, perr := parseJSON(payload, MaxDepth)
	if perr != nil {
		perr.finding(w)
		return w.result(Kind(name)), nil
	}
	root := doc.root()
	w.reading(doc)
	w.walk(sch, root)
	if !opts.Request {
		w.pci(root)
	}
	return w.result(Kind(name)), nil
}

// ExampleCheck is the outcome of checking one documented sample against the specs.
type ExampleCheck struct {
	Example specs.Example `json:"example"`
	Result  Result        `json:"result"`
	// Problems says how the findings differ from what the example's provenance records: an
	// error that is not a recorded erratum, a recorded erratum not found, an undeclared field.
	Problems []string `json:"problems"`
}

// CheckExamples validates every documented sample under compat, as its index says (kind, or
// request schema), and compares the error findings with the errata recorded for it. A sample
// passes when its errors are exactly its errata and no field is undeclared.
func CheckExamples(set *Set) ([]ExampleCheck, error) {
	exs, err := specs.Examples()
	if err != nil {
		return nil, err
	}
	var out []ExampleCheck
	for _, ex := range exs {
		if ex.Skip != "" {
			continue
		}
		data, err := specs.ExampleData(ex.File)
		if err != nil {
			return nil, err
		}
		var res Result
		if ex.Kind == "request" || ex.Kind == "" {
			res, err = set.ValidateComponent(ex.Area+".yaml", ex.Schema, data, Options{Profile: ProfileCompat, Request: true})
		} else {
			res, err = set.Validate(Kind(ex.Kind), data, Options{Profile: ProfileCompat})
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ex.File, err)
		}
		out = append(out, ExampleCheck{Example: ex, Result: res, Problems: compareErrata(ex, res)})
	}
	return out, nil
}

func compareErrata(ex specs.Example, res Result) []string {
	want := map[string]bool{}
	for _, e := range ex.Errata {
		if e.Rule != specs.Curated {
			want[e.Pointer+" "+e.Rule] = true
		}
	}
	var problems []string
	got := map[string]bool{}
	for _, f := range res.Findings {
		key := f.Pointer + " " + string(f.Rule)
		switch {
		case f.Severity == SeverityError && !want[key]:
			problems = append(problems, fmt.Sprintf("unexpected error %s %s: %s", orRoot(f.Pointer), f.Rule, f.Message))
		case f.Rule == RuleUndeclared:
			problems = append(problems, fmt.Sprintf("undeclared field at %s", f.Pointer))
		}
		got[key] = true
	}
	for k := range want {
		if !got[k] {
			problems = append(problems, "recorded erratum not found: "+k)
		}
	}
	sort.Strings(problems)
	return problems
}

func orRoot(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}
