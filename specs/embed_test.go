package specs_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/specs"
)

// Every example file is listed in exactly one index entry, and every entry names a file that
// exists, a document the root declares and a section: provenance is complete.
func TestEveryExampleHasProvenance(t *testing.T) {
	exs, err := specs.Examples()
	if err != nil {
		t.Fatal(err)
	}
	root, err := fs.ReadFile(specs.FS(), specs.Root)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]int{}
	for _, ex := range exs {
		if ex.Document == "" || ex.Section == "" {
			t.Errorf("%s (%s): no document or section", ex.File, ex.Area)
		}
		if !strings.Contains(string(root), "\n  "+ex.Document+":") {
			t.Errorf("%s: document %q is not in x-documents", ex.File, ex.Document)
		}
		if ex.Skip != "" {
			continue
		}
		listed[ex.File]++
		if ex.Kind == "" || ex.Kind == "request" && ex.Schema == "" {
			t.Errorf("%s: a kind, or a request schema, is needed", ex.File)
		}
		if _, err := specs.ExampleData(ex.File); err != nil {
			t.Errorf("%s: %v", ex.File, err)
		}
	}
	files, err := fs.Glob(specs.FS(), "examples/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if listed[name] != 1 {
			t.Errorf("%s is listed %d times in the indexes, want once", name, listed[name])
		}
	}
	if len(files) == 0 {
		t.Fatal("no examples embedded")
	}
}

func TestExport(t *testing.T) {
	dir := t.TempDir()
	if err := specs.Export(dir); err != nil {
		t.Fatal(err)
	}
	want, _ := fs.ReadFile(specs.FS(), "order-status.yaml")
	got, err := os.ReadFile(filepath.Join(dir, "order-status.yaml"))
	if err != nil || string(got) != string(want) {
		t.Fatalf("exported order-status.yaml differs: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "examples", "order-status-card.json")); err != nil {
		t.Fatal(err)
	}
}

func TestExampleDataRejectsPaths(t *testing.T) {
	for _, name := range []string{"", "../openapi.yaml", "examples/x.json"} {
		if _, err := specs.ExampleData(name); err == nil {
			t.Errorf("%q: want an error", name)
		}
	}
}
