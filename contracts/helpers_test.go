package contracts_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
)

var (
	loadOnce sync.Once
	loaded   *contracts.Set
	loadErr  error
)

// mustSet loads the embedded specs once per test binary: loading is what start-up costs, and
// every test needs the same compiled set.
func mustSet(tb testing.TB) *contracts.Set {
	tb.Helper()
	loadOnce.Do(func() { loaded, loadErr = contracts.Load(specs.FS()) })
	if loadErr != nil {
		tb.Fatalf("load specs: %v", loadErr)
	}
	return loaded
}

func mustExample(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := specs.ExampleData(name)
	if err != nil {
		tb.Fatalf("example %s: %v", name, err)
	}
	return b
}

// mutate decodes payload, applies op at the RFC 6901 pointer and re-encodes it: set replaces or
// adds a member or element, del removes it.
func mutate(tb testing.TB, payload []byte, op, pointer string, value any) []byte {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		tb.Fatalf("decode: %v", err)
	}
	toks := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	for i := range toks {
		toks[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(toks[i])
	}
	parent := doc
	for _, t := range toks[:len(toks)-1] {
		switch p := parent.(type) {
		case map[string]any:
			parent = p[t]
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i >= len(p) {
				tb.Fatalf("pointer %s: no element %s", pointer, t)
			}
			parent = p[i]
		default:
			tb.Fatalf("pointer %s: %s is not in a container", pointer, t)
		}
		if parent == nil {
			tb.Fatalf("pointer %s: no %s", pointer, t)
		}
	}
	last := toks[len(toks)-1]
	switch p := parent.(type) {
	case map[string]any:
		if op == "del" {
			if _, ok := p[last]; !ok {
				tb.Fatalf("pointer %s: nothing to delete", pointer)
			}
			delete(p, last)
		} else {
			p[last] = value
		}
	case []any:
		i, err := strconv.Atoi(last)
		if err != nil || i >= len(p) {
			tb.Fatalf("pointer %s: no element %s", pointer, last)
		}
		if op == "del" {
			tb.Fatalf("pointer %s: del on arrays is not supported", pointer)
		}
		p[i] = value
	default:
		tb.Fatalf("pointer %s: parent is not a container", pointer)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		tb.Fatalf("encode: %v", err)
	}
	return out
}

func findingsAt(res contracts.Result, rule contracts.Rule, pointer string) []contracts.Finding {
	var out []contracts.Finding
	for _, f := range res.Findings {
		if f.Rule == rule && f.Pointer == pointer {
			out = append(out, f)
		}
	}
	return out
}

func dump(res contracts.Result) string {
	var b strings.Builder
	for _, f := range res.Findings {
		b.WriteString("\n  " + f.Pointer + " " + string(f.Severity) + " " + string(f.Rule) + ": " + f.Message)
	}
	return b.String()
}

// exampleKind is the kind the example's provenance names.
func exampleKind(tb testing.TB, file string) contracts.Kind {
	tb.Helper()
	exs, err := specs.Examples()
	if err != nil {
		tb.Fatal(err)
	}
	for _, ex := range exs {
		if ex.File == file {
			return contracts.Kind(ex.Kind)
		}
	}
	tb.Fatalf("%s is in no examples index", file)
	return ""
}
