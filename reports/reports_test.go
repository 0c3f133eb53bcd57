package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/onsi/ginkgo/v2/types"
)

var update = flag.Bool("update", false, "update golden files")

// sampleRun is a run with every state, a finding of each shape and coverage, at fixed times,
// so golden output is stable. Its messages carry HTML so escaping is tested.
func sampleRun() *Run {
	return &Run{
		Version:    Version,
		Target:     "http://127.0.0.1:8080",
		Profile:    "strict",
		StartedAt:  time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC),
		DurationMS: 4213,
		Specs: []Spec{
			{Name: "order status card returns the order satisfying the order-status contract", Labels: []string{"order-status"}, State: StatePassed, DurationMS: 12},
			{Name: "order status netbanking returns the order satisfying the order-status contract", Labels: []string{"order-status"}, State: StateFailed, DurationMS: 9,
				Message: "GET /orders/JPAYNEW032 does not satisfy order-status:\n  /status_id: status_id 27 does not match status CHARGED"},
			{Name: "v4 order status decrypts the <encrypted> answer", Labels: []string{"v4"}, State: StateSkipped,
				Message: "no fixture for scenario v4/order-status"},
			{Name: "webhooks order succeeded is delivered", Labels: []string{"webhooks", "flows"}, State: StateFailed, DurationMS: 10000,
				Message: "waiting 10s for the ORDER_SUCCEEDED webhook of order o1: context deadline exceeded"},
			{Name: "errors not found answers the documented body", State: StatePassed, DurationMS: 3},
		},
		Findings: []Finding{
			{Spec: "errors not found answers the documented body", Pointer: "/error_message", Rule: "undeclared", Severity: contracts.SeverityWarning,
				Message: "field error_message is not declared", Request: "GET /orders/jpcheck_no_such_order"},
			{Spec: "order status netbanking returns the order satisfying the order-status contract", Pointer: "/status_id", Rule: "invariant.status-id", Severity: contracts.SeverityError,
				Message: "status_id 27 does not match status CHARGED (CHARGED is 21)", Request: "GET /orders/JPAYNEW032", Expected: "21", Actual: "27"},
			{Spec: "order status netbanking returns the order satisfying the order-status contract", Pointer: "", Rule: "json", Severity: contracts.SeverityError,
				Message: "<script>alert(1)</script> & more", Request: "GET /orders/JPAYNEW032"},
			{Spec: "webhooks order succeeded is delivered", Pointer: "/content/order/status", Rule: "consistency.webhook-order", Severity: contracts.SeverityError,
				Message: "webhook says CHARGED, order status says PENDING_VBV", Request: "webhook ORDER_SUCCEEDED evt_V2_1 #1",
				RelatedRequest: "GET /orders/o1", RelatedPointer: "/status", Expected: "CHARGED", Actual: "PENDING_VBV"},
		},
		Coverage: NewCoverage([]contracts.SchemaCoverage{
			{Schema: "Order", Spec: "order-status.yaml#/components/schemas/Order", Fields: []contracts.FieldCoverage{
				{Field: "order_id", Source: "s", Seen: 2, Checked: 2},
				{Field: "status_id", Source: "s", Seen: 2, Checked: 2, Failed: 1},
				{Field: "udf1", Source: "s"},
			}},
		}),
	}
}

// golden compares got with testdata/<TestName>.golden.<ext>; with -update it writes the file
// first.
func golden(t *testing.T, ext string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", filepath.FromSlash(t.Name())+".golden."+ext)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test ./reports -update rewrites it):\n%s", path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g || i >= len(wl) || i >= len(gl) {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, w, g)
		}
	}
	return "(no line differs)"
}

func TestWriteJSONGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleRun()); err != nil {
		t.Fatal(err)
	}
	golden(t, "json", b.Bytes())
}

func TestWriteTextGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteText(&b, sampleRun()); err != nil {
		t.Fatal(err)
	}
	golden(t, "txt", b.Bytes())
}

// The documented keys, exactly: readers of --format json and run.json rely on them.
func TestJSONKeys(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleRun()); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, "run", doc, "coverage", "duration_ms", "environment", "errata", "findings", "profile", "specs", "started_at", "summary", "target", "verdict", "version")
	var sum, cov map[string]json.RawMessage
	var specs, findings []map[string]json.RawMessage
	mustUnmarshal(t, doc["summary"], &sum)
	mustUnmarshal(t, doc["coverage"], &cov)
	mustUnmarshal(t, doc["specs"], &specs)
	mustUnmarshal(t, doc["findings"], &findings)
	wantKeys(t, "summary", sum, "failed", "passed", "skipped", "specs")
	wantKeys(t, "coverage", cov, "fields_declared", "fields_seen", "schemas")
	wantKeys(t, "spec", specs[0], "duration_ms", "labels", "message", "name", "state")
	wantKeys(t, "finding", findings[0], "message", "pointer", "request", "rule", "severity", "spec")
	wantKeys(t, "related finding", findings[3], "actual", "expected", "message", "pointer", "related_pointer", "related_request", "request", "rule", "severity", "spec")
	if string(sum["failed"]) != "2" || string(sum["skipped"]) != "1" || string(cov["fields_seen"]) != "2" || string(cov["fields_declared"]) != "3" {
		t.Errorf("summary %v, coverage totals %s/%s", sum, cov["fields_seen"], cov["fields_declared"])
	}
}

// An empty run still has arrays, never null, and the summary is counted from the specs.
func TestJSONEmptyRun(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, &Run{Target: "http://x", Specs: []Spec{{Name: "a", State: StatePassed}}, Summary: Summary{Specs: 9}}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Version  int               `json:"version"`
		Summary  Summary           `json:"summary"`
		Specs    []json.RawMessage `json:"specs"`
		Findings []json.RawMessage `json:"findings"`
		Coverage struct {
			Schemas []json.RawMessage `json:"schemas"`
		} `json:"coverage"`
	}
	mustUnmarshal(t, b.Bytes(), &got)
	if got.Version != 1 || got.Findings == nil || got.Coverage.Schemas == nil || !strings.Contains(string(got.Specs[0]), `"labels": []`) {
		t.Errorf("empty arrays must be [] and version 1:\n%s", b.String())
	}
	if got.Summary != (Summary{Specs: 1, Passed: 1}) {
		t.Errorf("summary %+v, want it counted from the specs", got.Summary)
	}
}

func TestWriteHTML(t *testing.T) {
	r := sampleRun()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if n := strings.Count(page, `<tr class="spec">`); n != len(r.Specs) {
		t.Errorf("%d spec rows, want %d", n, len(r.Specs))
	}
	if n := strings.Count(page, `<tr class="finding">`); n != len(r.Findings) {
		t.Errorf("%d finding rows, want %d", n, len(r.Findings))
	}
	for _, s := range r.Specs {
		if !strings.Contains(page, escaped(s.Name)) {
			t.Errorf("page lacks spec %q", s.Name)
		}
	}
	for _, f := range r.Findings {
		if !strings.Contains(page, escaped(f.Message)) || !strings.Contains(page, escaped(f.Request)) {
			t.Errorf("page lacks finding %q of %q", f.Message, f.Request)
		}
	}
	if strings.Contains(page, "<script>") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more") {
		t.Error("a message's HTML is not escaped")
	}
	if strings.Contains(page, "<encrypted>") {
		t.Error("a spec name's HTML is not escaped")
	}
	for _, ext := range []string{`src="http`, `href="http`, "@import", "<link"} {
		if strings.Contains(page, ext) {
			t.Errorf("page refers to an external asset (%s): it must be self-contained", ext)
		}
	}
	for _, want := range []string{"4.2 s", "2 failed", "1 skipped", "2 of 3 declared fields", "2026-03-01 10:30:00 UTC"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// escaped is how html/template writes text in an element.
func escaped(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")
	return r.Replace(s)
}

type junitSuites struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Suites   []struct {
		Name  string `xml:"name,attr"`
		Cases []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func readJUnit(t *testing.T, path string) junitSuites {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var j junitSuites
	if err := xml.Unmarshal(b, &j); err != nil {
		t.Fatalf("JUnit is not XML: %v\n%s", err, b)
	}
	if len(j.Suites) != 1 {
		t.Fatalf("%d test suites, want 1", len(j.Suites))
	}
	return j
}

// checkJUnit: one testcase per spec, a failure for each failed one, the skip reason kept.
func checkJUnit(t *testing.T, r *Run, j junitSuites) {
	t.Helper()
	cases := j.Suites[0].Cases
	if len(cases) != len(r.Specs) || j.Tests != len(r.Specs) {
		t.Fatalf("%d testcases (tests=%d), want one per spec (%d)", len(cases), j.Tests, len(r.Specs))
	}
	for i, s := range r.Specs {
		c := cases[i]
		if !strings.Contains(c.Name, s.Name) {
			t.Errorf("testcase %d is %q, want spec %q", i, c.Name, s.Name)
		}
		if (c.Failure != nil) != (s.State == StateFailed) {
			t.Errorf("%s: failure element %v, state %s", s.Name, c.Failure != nil, s.State)
		}
		if s.State == StateSkipped && (c.Skipped == nil || !strings.Contains(c.Skipped.Message, s.Message)) {
			t.Errorf("%s: skipped without its reason", s.Name)
		}
	}
	if j.Failures != Tally(r.Specs).Failed {
		t.Errorf("failures=%d, want %d", j.Failures, Tally(r.Specs).Failed)
	}
}

// Without a Ginkgo report (webhooks-only), JUnit is built from the run's specs.
func TestWriteJUnitFromSpecs(t *testing.T) {
	r := sampleRun()
	path := filepath.Join(t.TempDir(), "sub", "junit.xml")
	if err := WriteJUnit(path, r); err != nil {
		t.Fatal(err)
	}
	checkJUnit(t, r, readJUnit(t, path))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("status_id 27 does not match status CHARGED (CHARGED is 21)")) {
		t.Error("a failed spec's failure does not list its findings")
	}
}

// With a Ginkgo report, its specs are used, narrowed to the run's: a spec a label filter left
// out and a suite node are not testcases.
func TestWriteJUnitFromGinkgoReport(t *testing.T) {
	r := sampleRun()
	r.Report = types.Report{SuiteDescription: SuiteName, SpecReports: types.SpecReports{
		{LeafNodeType: types.NodeTypeIt, ContainerHierarchyTexts: []string{"order status", "card"}, LeafNodeText: "returns the order satisfying the order-status contract", State: types.SpecStatePassed},
		{LeafNodeType: types.NodeTypeIt, ContainerHierarchyTexts: []string{"order status", "netbanking"}, LeafNodeText: "returns the order satisfying the order-status contract", State: types.SpecStateFailed,
			Failure: types.Failure{Message: "from ginkgo"}},
		{LeafNodeType: types.NodeTypeIt, LeafNodeText: "filtered out", State: types.SpecStateSkipped},
		{LeafNodeType: types.NodeTypeReportAfterSuite, LeafNodeText: "jpcheck result", State: types.SpecStatePassed},
	}}
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := WriteJUnit(path, r); err != nil {
		t.Fatal(err)
	}
	checkJUnit(t, r, readJUnit(t, path))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("from ginkgo")) || bytes.Contains(b, []byte("filtered out")) || bytes.Contains(b, []byte("jpcheck result")) {
		t.Errorf("JUnit does not use Ginkgo's report narrowed to the run:\n%s", b)
	}
}

func TestWriteDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := sampleRun()
	if err := WriteDir(dir, r, Options{}); err != nil {
		t.Fatal(err)
	}
	var back Run
	mustUnmarshal(t, mustRead(t, filepath.Join(dir, RunFile)), &back)
	if back.Target != r.Target || len(back.Specs) != len(r.Specs) || len(back.Findings) != len(r.Findings) {
		t.Errorf("run.json does not hold the run: %+v", back)
	}
	if page := string(mustRead(t, filepath.Join(dir, HTMLFile))); strings.Count(page, `<tr class="spec">`) != len(r.Specs) {
		t.Error("index.html does not list every spec")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Errorf("report directory holds %d entries, want run.json, index.html and report.md only", len(entries))
	}
	// A file where the directory should be is an error, not a panic.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(file, r, Options{}); err == nil {
		t.Error("WriteDir into a file: no error")
	}
}

func TestSummaryLine(t *testing.T) {
	r := &Run{Target: "http://t", DurationMS: 4249, Specs: []Spec{{State: StatePassed}, {State: StateFailed}, {State: "pending"}}}
	if got, want := SummaryLine(r), "3 specs: 1 passed, 1 failed, 1 skipped in 4.2s against http://t"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := SummaryLine(&Run{Specs: []Spec{{State: StatePassed}}}), "1 spec: 1 passed, 0 failed, 0 skipped in 0.0s"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantKeys(t *testing.T, what string, m map[string]json.RawMessage, keys ...string) {
	t.Helper()
	var got []string
	for k := range m {
		got = append(got, k)
	}
	if len(got) != len(keys) {
		t.Errorf("%s keys %v, want %v", what, got, keys)
		return
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s keys %v, want %v", what, got, keys)
			return
		}
	}
}
