package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/load"
)

// errorRun is a conform run against a target judged down: one spec failed on the way, the
// rest could not run.
func errorRun() *Run {
	r := describedRun()
	r.Error = "target judged down after 3 requests without an answer: GET /orders/o1: timeout"
	r.Specs = []Spec{
		{Name: "order status answers", Labels: []string{"order-status"}, State: StateFailed, Message: "GET /orders/o1: timeout"},
		{Name: "order status lists refunds", Labels: []string{"order-status"}, State: StateNotRun, Message: "not run: " + r.Error},
		{Name: "webhooks arrive", Labels: []string{"webhooks"}, State: StateNotRun, Message: "not run: " + r.Error},
	}
	r.Findings = nil
	return r
}

// A run that could not judge its target has verdict error, with its reason, in every writer,
// and its not-run specs are neither passes nor skips; its JSON matches the schema.
func TestErrorVerdict(t *testing.T) {
	r := errorRun()
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	if err := validateJSON(t, compileSchema(t), "error run", b.Bytes()); err != nil {
		t.Errorf("error run does not match %s:\n%v", schemaPath, err)
	}
	var doc struct {
		Verdict, Error string
		Summary        Summary
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Verdict != VerdictError || doc.Error != r.Error || doc.Summary != (Summary{Specs: 3, Failed: 1, NotRun: 2}) {
		t.Errorf("verdict %q, error %q, summary %+v", doc.Verdict, doc.Error, doc.Summary)
	}
	b.Reset()
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"not_run  webhooks arrive: not run: target judged down", "1 failed, 0 skipped, 2 not run in", "error: target judged down"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	if got := VerdictLine(r); !strings.HasPrefix(got, "verdict: error (target judged down") {
		t.Errorf("VerdictLine = %q", got)
	}
	dir := t.TempDir()
	if err := WriteDir(dir, r, Options{}); err != nil {
		t.Fatal(err)
	}
	page := string(mustReadFile(t, filepath.Join(dir, HTMLFile)))
	md := string(mustReadFile(t, filepath.Join(dir, MarkdownFile)))
	if !strings.Contains(page, "target judged down") || !strings.Contains(md, "### Skipped or not run (2)") ||
		!strings.Contains(md, "## jpcheck: ❌ error") || !strings.Contains(md, "could not judge the target:** target judged down") {
		t.Errorf("index.html or report.md does not say why:\n%s", md)
	}
	junit := filepath.Join(dir, "sub", JUnitFile)
	if err := WriteJUnit(junit, r); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(junit)); len(entries) != 1 {
		t.Errorf("WriteJUnit left %d files, want only %s", len(entries), JUnitFile)
	}
}

// A load run that could not judge the target carries verdict error in its own JSON; others
// carry the verdict a report would give them.
func TestLoadVerdictField(t *testing.T) {
	for _, tc := range []struct {
		res  load.Result
		want string
	}{
		{load.Result{Error: "target unreachable: connection refused"}, VerdictError},
		{load.Result{}, VerdictInconclusive},
	} {
		var b bytes.Buffer
		if err := WriteLoadJSON(&b, &tc.res); err != nil {
			t.Fatal(err)
		}
		var doc struct{ Verdict, Error string }
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Verdict != tc.want || doc.Error != tc.res.Error {
			t.Errorf("%+v: verdict %q, error %q; want %q", tc.res.Error, doc.Verdict, doc.Error, tc.want)
		}
	}
	r := &Run{Load: &load.Result{Error: "target judged down"}}
	if got := r.normalized().Verdict; got != VerdictError {
		t.Errorf("a report of a load run in error: verdict %q", got)
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
