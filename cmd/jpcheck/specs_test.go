package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
)

func TestSpecs(t *testing.T) {
	set, err := contracts.Load(specs.FS())
	if err != nil {
		t.Fatal(err)
	}
	exs, err := specs.Examples()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, ex := range exs {
		if ex.Skip == "" {
			checked++
		}
	}
	errata, err := contracts.Errata(set)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	aFile := filepath.Join(dir, "file")
	mustWrite(t, aFile, []byte("x"))
	errataKinds := []string{"error", "official", "quirk", "undeclared", "spec", "repaired", "skipped"}

	runTable(t, []cliCase{
		{name: "alone", args: []string{"specs"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("specs needs a subcommand", "export", "lint", "errata")}},
		{name: "unknown subcommand", args: []string{"specs", "bogus"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine()}},

		{name: "lint", args: []string{"specs", "lint"}, wantCode: exitOK, stdout: []outCheck{equals("specs: ok\n")}},
		{name: "lint takes no arguments", args: []string{"specs", "lint", "openapi.yaml"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("specs lint takes 0 argument(s), got 1")}},

		{name: "examples", args: []string{"specs", "examples"}, wantCode: exitOK, stdout: []outCheck{func(t *testing.T, out string) {
			ls := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			last := ls[len(ls)-1]
			if want := fmt.Sprintf("%d examples: %d ok, 0 failed", checked, checked); last != want {
				t.Errorf("last line %q, want %q", last, want)
			}
			ok := 0
			for _, l := range ls[:len(ls)-1] {
				switch {
				case strings.HasPrefix(l, "ok   "):
					ok++
				case strings.HasPrefix(l, "FAIL "):
					t.Errorf("failed example: %s", l)
				default:
					t.Errorf("unexpected line %q", l)
				}
			}
			if ok != checked {
				t.Errorf("%d ok lines, want one per example file (%d)", ok, checked)
			}
		}}},
		{name: "examples takes no arguments", args: []string{"specs", "examples", "x"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("takes 0 argument(s)")}},

		{name: "export", args: []string{"specs", "export", filepath.Join(dir, "out")}, wantCode: exitOK,
			stdout: []outCheck{equals("wrote the specs to " + filepath.Join(dir, "out") + "\n")}},
		{name: "export needs DIR", args: []string{"specs", "export"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("specs export takes 1 argument(s), got 0")}},
		{name: "export into a file", args: []string{"specs", "export", aFile}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("export: ")}},

		{name: "errata text", args: []string{"specs", "errata"}, wantCode: exitOK, stdout: []outCheck{func(t *testing.T, out string) {
			ls := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(ls) != len(errata) {
				t.Errorf("%d lines, want one per erratum (%d)", len(ls), len(errata))
			}
			for _, l := range ls {
				kind, _, _ := strings.Cut(l, " ")
				if !slices.Contains(errataKinds, kind) {
					t.Errorf("line %q does not start with an erratum kind", l)
				}
			}
		}}},
		{name: "errata explicit text", args: []string{"specs", "errata", "--format", "text"}, wantCode: exitOK,
			stdout: []outCheck{contains("quirk      ", "skipped    ")}},
		{name: "errata json", args: []string{"specs", "errata", "--format", "json"}, wantCode: exitOK, stdout: []outCheck{func(t *testing.T, out string) {
			var list []map[string]any
			if err := json.Unmarshal([]byte(out), &list); err != nil {
				t.Fatalf("errata json is not a list of objects: %v", err)
			}
			if len(list) != len(errata) || len(list) == 0 {
				t.Errorf("%d entries, want %d", len(list), len(errata))
			}
			allowed := []string{"kind", "document", "section", "example", "pointer", "rule", "message", "repairs", "places"}
			seen := map[string]bool{}
			for i, e := range list {
				for _, k := range []string{"kind", "document", "section", "message"} {
					if s, ok := e[k].(string); !ok || s == "" {
						t.Errorf("entry %d: field %s is %v, want a non-empty string", i, k, e[k])
					}
				}
				for k := range e {
					if !slices.Contains(allowed, k) {
						t.Errorf("entry %d: unexpected field %s", i, k)
					}
				}
				kind, _ := e["kind"].(string)
				seen[kind] = true
				if !slices.Contains(errataKinds, kind) {
					t.Errorf("entry %d: kind %q", i, kind)
				}
				if rule, _ := e["rule"].(string); kind == "quirk" && !strings.HasPrefix(rule, "quirk.") {
					t.Errorf("entry %d: quirk with rule %q", i, rule)
				}
			}
			for _, k := range []string{"quirk", "skipped", "repaired"} {
				if !seen[k] {
					t.Errorf("no erratum of kind %s", k)
				}
			}
		}}},
		{name: "errata markdown", args: []string{"specs", "errata", "--format", "markdown"}, wantCode: exitOK, stdout: []outCheck{
			hasPrefix("# Errata"),
			contains("\n## Variants the samples show (quirks) ("),
			contains("\n## Sources\n"),
			contains("- Order Status API: <https://"),
			func(t *testing.T, out string) {
				items := 0
				errataPart, _, _ := strings.Cut(out, "\n## Sources\n")
				for _, l := range strings.Split(errataPart, "\n") {
					if strings.HasPrefix(l, "- ") {
						items++
					}
				}
				if items != len(errata) {
					t.Errorf("%d list items, want one per erratum (%d)", items, len(errata))
				}
			}}},
		{name: "errata unknown format", args: []string{"specs", "errata", "--format", "html"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine(`unknown format "html"`)}},
		{name: "errata takes no arguments", args: []string{"specs", "errata", "x"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("takes 0 argument(s)")}},
	})
}

// TestSpecsAloneNamesEverySubcommand: the usage error of a bare `specs` lists what to run.
func TestSpecsAloneNamesEverySubcommand(t *testing.T) {
	code, _, stderr := runCLI(t, []string{"specs"}, "")
	if code != exitUsage {
		t.Fatalf("exit %d, want 2", code)
	}
	for _, sub := range []string{"export", "lint", "examples", "errata"} {
		if !strings.Contains(stderr, sub) {
			t.Errorf("stderr %q does not name %s", stderr, sub)
		}
	}
}

// TestSpecsExport checks the exported tree is the embedded one, byte for byte.
func TestSpecsExport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "specs")
	code, stdout, stderr := runCLI(t, []string{"specs", "export", dir}, "")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if stdout != "wrote the specs to "+dir+"\n" {
		t.Errorf("stdout %q", stdout)
	}
	for _, p := range []string{"openapi.yaml", "examples"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("export wrote no %s: %v", p, err)
		}
	}
	n := 0
	err := fs.WalkDir(specs.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		want, err := fs.ReadFile(specs.FS(), p)
		if err != nil {
			return err
		}
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the embedded file", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	examples, err := filepath.Glob(filepath.Join(dir, "examples", "*.json"))
	if err != nil || len(examples) == 0 {
		t.Errorf("no examples/*.json exported (%v)", err)
	}
	written := 0
	if err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			written++
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if written != n {
		t.Errorf("export wrote %d files, the embedded specs have %d", written, n)
	}
	// Exporting again over the same tree succeeds.
	if code, _, stderr := runCLI(t, []string{"specs", "export", dir}, ""); code != exitOK {
		t.Errorf("second export: exit %d, stderr %q", code, stderr)
	}
}

// TestErrataDoc keeps docs/errata.md (written by make errata) in step with the specs.
func TestErrataDoc(t *testing.T) {
	// docs/errata.md is product output, the one file read from outside testdata.
	want, err := os.ReadFile("../../docs/errata.md")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("docs/errata.md does not exist yet (make errata writes it)")
	}
	if err != nil {
		t.Fatal(err)
	}
	code, got, stderr := runCLI(t, []string{"specs", "errata", "--format", "markdown"}, "")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if got != string(want) {
		t.Errorf("docs/errata.md is out of date; run make errata:\n%s", firstDiff(string(want), got))
	}
}
