package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/load"
)

// testdata/runs holds real saved runs: two conform --report-dir runs of different areas
// against the reference implementation, and a load --out run (regenerate the load run with
// go run ./reports/testdata/gen reports/testdata/runs/load).
var (
	ordersDir   = filepath.Join("testdata", "runs", "conform-orders")
	webhooksDir = filepath.Join("testdata", "runs", "conform-webhooks")
	loadDir     = filepath.Join("testdata", "runs", "load")
)

func mustInput(t *testing.T, path string) *Run {
	t.Helper()
	r, err := ReadInput(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReadInput(t *testing.T) {
	orders := mustInput(t, ordersDir)
	if len(orders.Specs) == 0 || orders.Load != nil || orders.Environment.SpecDigest == "" || len(orders.Errata) == 0 {
		t.Errorf("conform run: %d specs, load %v, environment %+v, %d errata", len(orders.Specs), orders.Load != nil, orders.Environment, len(orders.Errata))
	}
	lr := mustInput(t, loadDir)
	if lr.Load == nil || len(lr.Specs) != 0 {
		t.Fatalf("load run: %+v", lr)
	}
	if lr.Load.Histogram == nil || lr.Load.Histogram.TotalCount() != lr.Load.Requests {
		t.Error("the load run's histogram was not decoded from histogram_hdr")
	}
	if !lr.StartedAt.Equal(lr.Load.StartedAt) || lr.Target != lr.Load.Target {
		t.Errorf("load run environment: %+v", lr.Environment)
	}
	// A run.json named directly reads as its directory does.
	file := mustInput(t, filepath.Join(ordersDir, RunFile))
	if len(file.Specs) != len(orders.Specs) {
		t.Error("run.json read as a file differs from its directory")
	}
}

func TestMergeConformAndLoad(t *testing.T) {
	orders, hooks, lr := mustInput(t, ordersDir), mustInput(t, webhooksDir), mustInput(t, loadDir)
	m, err := Merge(orders, hooks, lr)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Specs) != len(orders.Specs)+len(hooks.Specs) || len(m.Findings) != len(orders.Findings)+len(hooks.Findings) {
		t.Errorf("merged %d specs and %d findings, want the sums", len(m.Specs), len(m.Findings))
	}
	if m.Specs[0].Name != orders.Specs[0].Name || m.Specs[len(orders.Specs)].Name != hooks.Specs[0].Name {
		t.Error("specs are not concatenated in --in order")
	}
	if m.Load != lr.Load {
		t.Error("the load run is not the merged run's")
	}
	if m.Environment.SpecDigest != orders.Environment.SpecDigest || m.Environment.JpcheckVersion != orders.Environment.JpcheckVersion {
		t.Errorf("environment %+v is not the first run's", m.Environment)
	}
	earliest := orders.StartedAt
	for _, r := range []*Run{hooks, lr} {
		if r.StartedAt.Before(earliest) {
			earliest = r.StartedAt
		}
	}
	if !m.StartedAt.Equal(earliest) || !m.Environment.Time.Equal(earliest) {
		t.Errorf("merged run starts %v, want the earliest %v", m.StartedAt, earliest)
	}
	if len(m.Errata) != len(orders.Errata) {
		t.Error("errata are not the first run's")
	}
	// Coverage: each field's counts are the sums of the runs'.
	want := map[string]int{}
	for _, r := range []*Run{orders, hooks} {
		for _, sc := range r.Coverage.Schemas {
			for _, f := range sc.Fields {
				want[sc.Schema+" "+sc.Spec+" "+f.Field] += f.Seen
			}
		}
	}
	got := map[string]int{}
	declared := 0
	for _, sc := range m.Coverage.Schemas {
		for _, f := range sc.Fields {
			got[sc.Schema+" "+sc.Spec+" "+f.Field] += f.Seen
			declared++
		}
	}
	if len(got) != len(want) || declared != len(want) || m.Coverage.FieldsDeclared != declared {
		t.Errorf("merged coverage declares %d fields (%d distinct, total %d), want %d", declared, len(got), m.Coverage.FieldsDeclared, len(want))
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s seen %d times, want %d", k, got[k], n)
		}
	}
	if v := m.normalized().Verdict; v != orders.normalized().Verdict && orders.normalized().Verdict == VerdictFail {
		t.Errorf("verdict %s", v)
	}
}

func TestMergeCoverageSums(t *testing.T) {
	a := &Run{Coverage: NewCoverage([]contracts.SchemaCoverage{{Schema: "Order", Spec: "s", Fields: []contracts.FieldCoverage{
		{Field: "order_id", Seen: 1, Checked: 1}, {Field: "udf1"},
	}}})}
	b := &Run{Coverage: NewCoverage([]contracts.SchemaCoverage{
		{Schema: "Order", Spec: "s", Fields: []contracts.FieldCoverage{{Field: "udf1", Seen: 2, Checked: 2, Failed: 1}, {Field: "order_id", Seen: 1, Checked: 1}, {Field: "new", Seen: 1}}},
		{Schema: "Card", Spec: "c", Fields: []contracts.FieldCoverage{{Field: "card_isin"}}},
	})}
	m, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	c := m.Coverage
	if c.FieldsDeclared != 4 || c.FieldsSeen != 3 || len(c.Schemas) != 2 || c.Schemas[0].Schema != "Card" {
		t.Fatalf("coverage %+v", c)
	}
	order := c.Schemas[1].Fields
	if order[0] != (contracts.FieldCoverage{Field: "order_id", Seen: 2, Checked: 2}) || order[1] != (contracts.FieldCoverage{Field: "udf1", Seen: 2, Checked: 2, Failed: 1}) || order[2].Field != "new" {
		t.Errorf("order fields %+v", order)
	}
	if a.Coverage.Schemas[0].Fields[0].Seen != 1 {
		t.Error("Merge changed an input's coverage")
	}
}

// A report directory is rebuilt from its run.json: the JSON written again is the same, load
// and histogram included.
func TestRebuildFromSavedJSON(t *testing.T) {
	m, err := Merge(mustInput(t, ordersDir), mustInput(t, loadDir))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "report")
	if err := WriteDir(dir, m, Options{}); err != nil {
		t.Fatal(err)
	}
	back := mustInput(t, dir)
	if back.Load == nil || back.Load.Histogram == nil || back.Load.Histogram.TotalCount() != m.Load.Requests {
		t.Fatal("the rebuilt run lost its load run or histogram")
	}
	var first, second bytes.Buffer
	if err := WriteJSON(&first, m); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&second, back); err != nil {
		t.Fatal(err)
	}
	if first.String() != second.String() {
		t.Errorf("rebuilt JSON differs:\n%s", firstDiff(first.String(), second.String()))
	}
	// The rebuilt directory read again with the load directory does not count the load twice.
	again, err := Merge(back, mustInput(t, loadDir))
	if err != nil {
		t.Fatalf("merging a report with the load run it holds: %v", err)
	}
	if again.Load == nil || len(again.Specs) != len(m.Specs) {
		t.Errorf("merged again: %d specs, load %v", len(again.Specs), again.Load != nil)
	}
}

func TestReadInputErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	lr, err := os.ReadFile(filepath.Join(loadDir, LoadJSONFile))
	if err != nil {
		t.Fatal(err)
	}
	badHist := strings.Replace(string(lr), `"histogram_hdr": "`, `"histogram_hdr": "!!`, 1)
	for _, tc := range []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope"), "no such file"},
		{"empty directory", filepath.Dir(write("empty/.keep", "")), "holds neither run.json"},
		{"not json", write("a/run.json", "<html>"), "not a JSON object"},
		{"truncated", write("b/run.json", `{"version": 1, "specs": [`), "not a jpcheck run"},
		{"no version", write("c/run.json", `{"specs": []}`), `no "version"`},
		{"newer version", write("d/run.json", `{"version": 99}`), "newer than this jpcheck reads"},
		{"wrong types", write("e/run.json", `{"version": 1, "specs": {"a": 1}}`), "not a jpcheck run"},
		{"load not json", write("f/load.json", `nope`), "not a jpcheck load run"},
		{"load newer", write("g/load.json", `{"version": 7}`), "newer than this jpcheck reads"},
		{"bad histogram", write("h/load.json", badHist), "histogram"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadInput(tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if tc.name != "missing" && tc.name != "empty directory" && !strings.Contains(err.Error(), tc.path) && !strings.Contains(err.Error(), filepath.Dir(tc.path)) {
				t.Errorf("error %q does not name the file", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is not one line", err)
			}
		})
	}
}

func TestMergeTwoLoadRuns(t *testing.T) {
	a := mustInput(t, loadDir)
	b := mustInput(t, loadDir)
	b.Load = &load.Result{Version: 1, Target: "http://other", StartedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := Merge(a, b); err == nil || !strings.Contains(err.Error(), "two load runs") {
		t.Errorf("two different load runs: %v", err)
	}
}

func TestMergeNothing(t *testing.T) {
	if _, err := Merge(); err == nil {
		t.Error("merging nothing: no error")
	}
	one := sampleRun()
	m, err := Merge(one)
	if err != nil || m == one || len(m.Specs) != len(one.Specs) {
		t.Errorf("merging one run must copy it: %v", err)
	}
	b, _ := json.Marshal(m.normalized())
	c, _ := json.Marshal(one.normalized())
	if !bytes.Equal(b, c) {
		t.Error("merging one run changed it")
	}
}

// Consumer compliance survives a merge: conform --consumer's result must reach the merged page.
func TestMergeKeepsConsumers(t *testing.T) {
	a := &Run{Consumers: []Consumer{{Name: "cred.graphql", Status: "pass", Pass: true}}}
	b := &Run{Consumers: []Consumer{{Name: "twid.graphql", Status: "fail"}}}
	m, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Consumers) != 2 || m.Consumers[0].Name != "cred.graphql" || m.Consumers[1].Name != "twid.graphql" {
		t.Fatalf("consumers after merge: %+v", m.Consumers)
	}
}
