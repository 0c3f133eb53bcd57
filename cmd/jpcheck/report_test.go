package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/reports"
)

// Saved runs made by conform --report-dir and load --out against the reference implementation,
// shared with the reports package's tests.
var (
	reportOrders = filepath.Join("..", "..", "reports", "testdata", "runs", "conform-orders")
	reportHooks  = filepath.Join("..", "..", "reports", "testdata", "runs", "conform-webhooks")
	reportLoad   = filepath.Join("..", "..", "reports", "testdata", "runs", "load")
)

// readReportRun decodes a report's run.json.
func readReportRun(t *testing.T, dir string) *reports.Run {
	t.Helper()
	r, err := reports.ReadRun(filepath.Join(dir, reports.RunFile))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReportMergesConformAndLoad(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report")
	code, stdout, stderr := runCLI(t, []string{"report", "--in", reportOrders, "--in", reportHooks, "--in", reportLoad, "--out", out}, "")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "verdict: ") || lines[1] != "report: "+filepath.Join(out, "index.html") {
		t.Errorf("stdout is not the verdict and the page's path:\n%s", stdout)
	}
	for _, f := range []string{"index.html", "run.json", "report.md", "junit.xml"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("the report lacks %s: %v", f, err)
		}
	}
	r := readReportRun(t, out)
	orders, hooks := readReportRun(t, reportOrders), readReportRun(t, reportHooks)
	if len(r.Specs) != len(orders.Specs)+len(hooks.Specs) || r.Load == nil || r.Load.Histogram == nil {
		t.Errorf("merged run: %d specs, load %v", len(r.Specs), r.Load != nil)
	}
	if r.Environment.SpecDigest == "" || len(r.Errata) == 0 {
		t.Error("the merged run lost the environment or errata of its conform runs")
	}
	var junit struct {
		Tests int `xml:"tests,attr"`
	}
	if err := xml.Unmarshal(mustRead(t, filepath.Join(out, "junit.xml")), &junit); err != nil || junit.Tests != len(r.Specs) {
		t.Errorf("junit.xml: %d tests (%v), want %d", junit.Tests, err, len(r.Specs))
	}
	md := string(mustRead(t, filepath.Join(out, "report.md")))
	if !strings.Contains(md, "### Latency") || !strings.Contains(md, "| TP99 |") {
		t.Errorf("report.md has no latency table:\n%s", md)
	}

	// Rebuilding from the saved JSON gives the same run.
	again := filepath.Join(t.TempDir(), "again")
	if code, _, stderr := runCLI(t, []string{"report", "--in", out, "--out", again}, ""); code != exitOK {
		t.Fatalf("rebuild: exit %d: %s", code, stderr)
	}
	if a, b := mustRead(t, filepath.Join(out, "run.json")), mustRead(t, filepath.Join(again, "run.json")); !bytes.Equal(a, b) {
		t.Error("a report rebuilt from its run.json differs")
	}
	// A report directory read with the load directory it already holds counts the load once.
	if code, _, stderr := runCLI(t, []string{"report", "--in", out, "--in", reportLoad, "--out", out}, ""); code != exitOK {
		t.Fatalf("report over its own directory: exit %d: %s", code, stderr)
	}
	if r2 := readReportRun(t, out); len(r2.Specs) != len(r.Specs) {
		t.Errorf("report over its own directory: %d specs, want %d", len(r2.Specs), len(r.Specs))
	}
}

// failingRun is a saved run with a failed spec whose findings quote customer data.
func failingRun(t *testing.T, started time.Time) string {
	t.Helper()
	dir := t.TempDir()
	r := &reports.Run{
		Version: reports.Version, Target: "http://t", Profile: "strict", StartedAt: started,
		Specs: []reports.Spec{{Name: "order status returns the customer", Labels: []string{"order-status"}, State: reports.StateFailed,
			Message: `{"customer_email": "jane.doe@example.com", "customer_phone": "9876543210"}`}},
		Findings: []reports.Finding{{Spec: "order status returns the customer", Pointer: "/customer_phone", Rule: "pattern", Severity: "error",
			Message: "customer_phone 9876543210 is not 10 digits", Request: "GET /orders/o1", Expected: "10 digits", Actual: "9876543210"}},
	}
	f, err := os.Create(filepath.Join(dir, reports.RunFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := reports.WriteJSON(f, r); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The verdict is in the report, not in report's exit code; customer data is masked in the page,
// the summary, JUnit and the JSON on stdout unless --no-redact.
func TestReportVerdictAndRedaction(t *testing.T) {
	in := failingRun(t, time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	for _, tc := range []struct {
		args   []string
		masked bool
	}{
		{nil, true},
		{[]string{"--no-redact"}, false},
	} {
		out := t.TempDir()
		code, stdout, stderr := runCLI(t, append([]string{"report", "--in", in, "--out", out}, tc.args...), "")
		if code != exitOK || !strings.HasPrefix(stdout, "verdict: fail (1 of 1 spec failed)") {
			t.Fatalf("exit %d (want 0 whatever the verdict)\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		for _, f := range []string{"index.html", "report.md", "junit.xml"} {
			page := string(mustRead(t, filepath.Join(out, f)))
			if has := strings.Contains(page, "9876543210"); has == tc.masked {
				t.Errorf("%v: %s shows the phone number: %v", tc.args, f, has)
			}
			if tc.masked && !strings.Contains(page, "98******10") {
				t.Errorf("%v: %s lacks the masked phone number", tc.args, f)
			}
		}
		if !strings.Contains(string(mustRead(t, filepath.Join(out, "run.json"))), "9876543210") {
			t.Error("run.json must keep the data a report is rebuilt from")
		}
		_, stdout, _ = runCLI(t, append([]string{"report", "--in", in, "--format", "json"}, tc.args...), "")
		if has := strings.Contains(stdout, "9876543210"); has == tc.masked || !strings.Contains(stdout, `"verdict": "fail"`) {
			t.Errorf("%v: the JSON on stdout shows the phone number: %v\n%s", tc.args, has, clipOut(stdout))
		}
	}
}

// report --in DIR with its defaults writes the report next to its input: into DIR, or the
// directory of a run.json given as a file. A missing input is an error, never created.
func TestReportDefaultOut(t *testing.T) {
	in := failingRun(t, time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	code, stdout, stderr := runCLI(t, []string{"report", "--in", in}, "")
	if code != exitOK || !strings.HasSuffix(stdout, "report: "+filepath.Join(in, "index.html")+"\n") {
		t.Fatalf("report --in DIR: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, f := range []string{"index.html", "report.md", "junit.xml", "run.json"} {
		if _, err := os.Stat(filepath.Join(in, f)); err != nil {
			t.Errorf("report --in DIR wrote no %s next to its input: %v", f, err)
		}
	}
	other := failingRun(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	code, stdout, _ = runCLI(t, []string{"report", "--in", filepath.Join(other, "run.json")}, "")
	if _, err := os.Stat(filepath.Join(other, "index.html")); code != exitOK || err != nil {
		t.Errorf("report --in DIR/run.json: exit %d, page %v\n%s", code, err, stdout)
	}
	missing := filepath.Join(t.TempDir(), "nope")
	runTable(t, []cliCase{{name: "missing input", args: []string{"report", "--in", missing}, wantCode: exitUsage,
		stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("--in", "no such file")}}})
	if _, err := os.Stat(missing); err == nil {
		t.Error("report created the missing --in directory")
	}
}

func TestReportFormats(t *testing.T) {
	in := failingRun(t, time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	code, stdout, stderr := runCLI(t, []string{"report", "--in", in, "--format", "markdown"}, "")
	if code != exitOK || !strings.HasPrefix(stdout, "## jpcheck: ❌ fail") || strings.Contains(stdout, "9876543210") {
		t.Errorf("--format markdown: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, []string{"report", "--in", in, "--in", reportLoad, "--format", "json"}, "")
	var doc map[string]json.RawMessage
	if code != exitOK || json.Unmarshal([]byte(stdout), &doc) != nil || doc["load"] == nil || string(doc["verdict"]) != `"fail"` {
		t.Errorf("--format json: exit %d\n%s", code, clipOut(stdout))
	}
}

func TestReportHistory(t *testing.T) {
	hist := t.TempDir()
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for i, day := range []int{5, 2, 9} {
		src := failingRun(t, base.AddDate(0, 0, day))
		dst := filepath.Join(hist, "run-"+string(rune('a'+i)))
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		mustWrite(t, filepath.Join(dst, "run.json"), mustRead(t, filepath.Join(src, "run.json")))
	}
	cur := failingRun(t, base.AddDate(0, 0, 9)) // the newest is this run: not a point of its own trend
	out := t.TempDir()
	if code, _, stderr := runCLI(t, []string{"report", "--in", cur, "--history", hist, "--out", out}, ""); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r := readReportRun(t, out)
	if len(r.History) != 2 || r.History[0].StartedAt.Day() != 3 || r.History[1].StartedAt.Day() != 6 {
		t.Errorf("history %+v, want the runs of March 3 and 6, oldest first", r.History)
	}
}

func TestReportUsageErrors(t *testing.T) {
	dir := t.TempDir()
	badJSON := filepath.Join(dir, "bad")
	if err := os.MkdirAll(badJSON, 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(badJSON, "run.json"), []byte("{not json"))
	empty := filepath.Join(dir, "empty")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "file")
	mustWrite(t, file, nil)
	out := filepath.Join(dir, "out")
	fail := func(name string, args []string, msg string) cliCase {
		return cliCase{name: name, args: append([]string{"report"}, args...), wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine(msg)}}
	}
	runTable(t, []cliCase{
		fail("no input", []string{"--out", out}, "at least one --in"),
		fail("unknown format", []string{"--in", reportOrders, "--format", "pdf"}, `unknown format "pdf"`),
		fail("missing input", []string{"--in", filepath.Join(dir, "nope"), "--out", out}, "no such file"),
		fail("empty input", []string{"--in", empty, "--out", out}, "holds neither run.json"),
		fail("invalid run.json", []string{"--in", badJSON, "--out", out}, filepath.Join(badJSON, "run.json")),
		fail("out is a file", []string{"--in", reportOrders, "--out", file}, "--out"),
		fail("missing history", []string{"--in", reportOrders, "--out", out, "--history", filepath.Join(dir, "nope")}, "--history"),
		fail("argument", []string{"now"}, "takes 0 argument"),
	})
}

func TestReportHelp(t *testing.T) {
	runTable(t, []cliCase{{name: "report --help", args: []string{"report", "--help"}, wantCode: exitOK,
		stdout: []outCheck{contains("--in", "--out", "--history", "--no-redact", "--format", "GITHUB_STEP_SUMMARY", "whatever its verdict")}}})
}

// Credentials never reach a report: neither conform's report directory nor a report merged
// from it holds the API key, the webhook password or their Basic-auth encodings.
func TestReportNoSecrets(t *testing.T) {
	const key, user, pass = "sk_test_report_key_7f3a", "hookuser", "hook_pass_91c2"
	dir, merged := filepath.Join(t.TempDir(), "conform"), filepath.Join(t.TempDir(), "merged")
	code, _, stderr := execConform(t, nil, "conform", "--api-key", key, "--webhook-user", user, "--webhook-password", pass,
		"--label-filter", "webhooks || order-status", "--report-dir", dir, "--junit", filepath.Join(dir, "junit.xml"))
	if code != exitOK {
		t.Fatalf("conform: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, []string{"report", "--in", dir, "--in", reportLoad, "--out", merged, "--no-redact"}, ""); code != exitOK {
		t.Fatalf("report: exit %d\n%s", code, stderr)
	}
	secrets := []string{key, pass,
		base64.StdEncoding.EncodeToString([]byte(key + ":")), base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))}
	for _, d := range []string{dir, merged} {
		entries, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b := mustRead(t, filepath.Join(d, e.Name()))
			for _, s := range secrets {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("%s holds the credential %q", filepath.Join(d, e.Name()), s)
				}
			}
		}
	}
}
