package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
)

func TestGraphQLSchemaCmd(t *testing.T) {
	set, err := contracts.Load(specs.FS())
	if err != nil {
		t.Fatal(err)
	}
	want, err := set.GraphQLSchema()
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, []string{"graphql", "schema"}, "")
	if code != 0 || out != want {
		t.Fatalf("graphql schema: exit %d, stderr %s, stdout %d bytes (want %d)", code, errOut, len(out), len(want))
	}
	file := filepath.Join(t.TempDir(), "schema.graphql")
	if code, _, errOut := runCLI(t, []string{"graphql", "schema", "--out", file}, ""); code != 0 {
		t.Fatalf("--out: exit %d: %s", code, errOut)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != want {
		t.Errorf("--out wrote %d bytes, %v", len(b), err)
	}
	if code, _, _ := runCLI(t, []string{"graphql", "schema", "--specs", filepath.Join(t.TempDir(), "none")}, ""); code != 2 {
		t.Errorf("--specs of a missing directory: exit %d, want 2", code)
	}
	if code, _, _ := runCLI(t, []string{"graphql"}, ""); code != 2 {
		t.Errorf("graphql without a subcommand: exit %d, want 2", code)
	}
}

func TestGraphQLCheckCmd(t *testing.T) {
	examples, err := filepath.Glob(filepath.Join("..", "..", "examples", "consumers", "*.graphql"))
	if err != nil || len(examples) == 0 {
		t.Fatalf("examples: %v", err)
	}
	code, out, errOut := runCLI(t, append([]string{"graphql", "check"}, examples...), "")
	if code != 0 || strings.Count(out, ": ok (") != len(examples) {
		t.Fatalf("examples: exit %d\n%s%s", code, out, errOut)
	}
	bad := filepath.Join("testdata", "consumers", "bad.graphql")
	code, out, _ = runCLI(t, []string{"graphql", "check", examples[0], bad}, "")
	if code != 1 || !strings.Contains(out, bad+`:2:20: Cannot query field "colour" on type "Order".`) {
		t.Errorf("bad consumer: exit %d\n%s", code, out)
	}
	if code, _, _ := runCLI(t, []string{"graphql", "check", "no-such.graphql"}, ""); code != 2 {
		t.Errorf("missing file: exit %d, want 2", code)
	}
}

type consumerJSON struct {
	Verdict   string `json:"verdict"`
	Consumers []struct {
		Name           string `json:"name"`
		Status         string `json:"status"`
		FieldsSelected int    `json:"fields_selected"`
		FieldsSupplied int    `json:"fields_supplied"`
		Missing        []struct {
			Path, Request, Reason string
		} `json:"missing"`
	} `json:"consumers"`
}

func TestConformConsumers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the conform binary")
	}
	good := filepath.Join("testdata", "consumers", "order-status.graphql")
	never := filepath.Join("testdata", "consumers", "never-supplied.graphql")

	code, out, errOut := execConform(t, nil, "conform", "--format", "json", "--label-filter", "order-status", "--consumer", good)
	var run consumerJSON
	if err := json.Unmarshal([]byte(out), &run); err != nil {
		t.Fatalf("exit %d, stdout not JSON: %v\n%s", code, err, errOut)
	}
	if code != 0 || len(run.Consumers) != 1 || run.Consumers[0].Status != "pass" || run.Consumers[0].FieldsSupplied != 5 {
		t.Fatalf("good consumer: exit %d, %+v\n%s", code, run, errOut)
	}

	code, out, errOut = execConform(t, nil, "conform", "--format", "json", "--label-filter", "order-status", "--consumer", good, "--consumer", never)
	run = consumerJSON{}
	if err := json.Unmarshal([]byte(out), &run); err != nil {
		t.Fatalf("exit %d, stdout not JSON: %v\n%s", code, err, errOut)
	}
	if code != 1 || run.Verdict != "fail" || len(run.Consumers) != 2 || run.Consumers[1].Status != "fail" {
		t.Fatalf("consumer with a missing field: exit %d, %+v", code, run)
	}
	m := run.Consumers[1].Missing
	if len(m) != 1 || m[0].Path != "order.second_factor_response" || !strings.HasPrefix(m[0].Request, "GET /orders/") || !strings.Contains(m[0].Reason, "never supplied") {
		t.Errorf("missing: %+v", m)
	}

	code, _, errOut = execConform(t, nil, "conform", "--consumer", filepath.Join("testdata", "consumers", "bad.graphql"))
	if code != 2 || !strings.Contains(errOut, "bad.graphql:2:20: Cannot query field") {
		t.Errorf("bad consumer file: exit %d, stderr %s", code, errOut)
	}
	if code, _, _ := runCLI(t, []string{"conform", "--consumer", "no-such.graphql"}, ""); code != 2 {
		t.Errorf("missing consumer file: exit %d, want 2", code)
	}
}

// Several invalid consumer files are several errors: every one is printed, one line each
// starting "jpcheck: ", not the first alone.
func TestConformConsumerErrorsAll(t *testing.T) {
	other := filepath.Join(t.TempDir(), "other.graphql")
	mustWrite(t, other, []byte("query Q { order { no_such_field } }\n"))
	bad := filepath.Join("testdata", "consumers", "bad.graphql")
	code, stdout, stderr := runCLI(t, []string{"conform", "--consumer", bad, "--consumer", other, "--consumer", "no-such.graphql"}, "")
	if code != exitUsage || stdout != "" {
		t.Fatalf("exit %d, want 2; stdout %q", code, stdout)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "jpcheck: ") {
			t.Errorf("stderr line %q does not start \"jpcheck: \"", l)
		}
	}
	for _, want := range []string{"bad.graphql:2:20: Cannot query field", "other.graphql:1:19", "no-such.graphql"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if len(lines) < 3 || strings.Contains(stderr, "(and more)") {
		t.Errorf("want one line per invalid file, got:\n%s", stderr)
	}
}
