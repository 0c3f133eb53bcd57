package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
)

var update = flag.Bool("update", false, "update golden files")

// outCheck checks one output stream of a run.
type outCheck func(t *testing.T, out string)

// cliCase is one row of a table over run: its arguments and standard input, and what it must
// print and return.
type cliCase struct {
	name     string
	args     []string
	stdin    string
	wantCode int
	stdout   []outCheck
	stderr   []outCheck
}

// runCLI runs the command in-process, as main does.
func runCLI(t *testing.T, args []string, stdin string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errw bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errw)
	return code, out.String(), errw.String()
}

func runTable(t *testing.T, cases []cliCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args, tc.stdin)
			if code != tc.wantCode {
				t.Errorf("jpcheck %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(tc.args, " "), code, tc.wantCode, clipOut(stdout), stderr)
			}
			for _, c := range tc.stdout {
				c(t, stdout)
			}
			if tc.stderr == nil {
				// Exit 0 and 1 print their result on stdout and nothing on stderr.
				tc.stderr = []outCheck{isEmpty()}
			}
			for _, c := range tc.stderr {
				c(t, stderr)
			}
		})
	}
}

func clipOut(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "\n… (clipped)"
	}
	return s
}

func isEmpty() outCheck {
	return func(t *testing.T, out string) {
		t.Helper()
		if out != "" {
			t.Errorf("output is not empty:\n%s", clipOut(out))
		}
	}
}

func contains(subs ...string) outCheck {
	return func(t *testing.T, out string) {
		t.Helper()
		for _, s := range subs {
			if !strings.Contains(out, s) {
				t.Errorf("output does not contain %q:\n%s", s, clipOut(out))
			}
		}
	}
}

func equals(want string) outCheck {
	return func(t *testing.T, out string) {
		t.Helper()
		if out != want {
			t.Errorf("output is\n%q\nwant\n%q", out, want)
		}
	}
}

func hasPrefix(p string) outCheck {
	return func(t *testing.T, out string) {
		t.Helper()
		if !strings.HasPrefix(out, p) {
			t.Errorf("output does not start with %q:\n%s", p, clipOut(out))
		}
	}
}

// usageLine checks the stderr of an exit-2 run: exactly one line, "jpcheck: <reason>", the
// reason containing each of subs.
func usageLine(subs ...string) outCheck {
	return func(t *testing.T, out string) {
		t.Helper()
		if !strings.HasPrefix(out, "jpcheck: ") || !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
			t.Errorf("stderr is not exactly one line starting \"jpcheck: \": %q", out)
		}
		for _, s := range subs {
			if !strings.Contains(out, s) {
				t.Errorf("stderr %q does not contain %q", out, s)
			}
		}
	}
}

// textLines checks that the output is exactly these lines.
func textLines(lines ...string) outCheck {
	return equals(strings.Join(lines, "\n") + "\n")
}

// jsonFinding is a finding as `validate --format json` prints it.
type jsonFinding struct {
	Pointer  string `json:"pointer"`
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	Spec     string `json:"spec"`
	Source   string `json:"source"`
}

// brief is the finding as "pointer rule severity", the part a row pins down.
func (f jsonFinding) brief() string { return f.Pointer + " " + f.Rule + " " + f.Severity }

type jsonResult struct {
	Source   string        `json:"source"`
	Kind     string        `json:"kind"`
	Detected *bool         `json:"detected"`
	Valid    bool          `json:"valid"`
	Findings []jsonFinding `json:"findings"`
}

type jsonReport struct {
	Version int          `json:"version"`
	Results []jsonResult `json:"results"`
}

var (
	reportKeys  = []string{"results", "version"}
	resultKeys  = []string{"findings", "kind", "source", "valid"} // plus "detected", optional
	findingKeys = []string{"actual", "expected", "message", "pointer", "rule", "severity", "source", "spec"}
)

// keysOf decodes a JSON object and returns its keys, sorted, and its members.
func keysOf(t *testing.T, what string, raw []byte) ([]string, map[string]json.RawMessage) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		t.Fatalf("%s is not a JSON object (%v): %s", what, err, clipOut(string(raw)))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, m
}

// checkResultSchema checks one result object has exactly the documented fields with the
// documented JSON types, findings included, and decodes it.
func checkResultSchema(t *testing.T, raw []byte) jsonResult {
	t.Helper()
	keys, m := keysOf(t, "result", raw)
	want := resultKeys
	if _, ok := m["detected"]; ok {
		want = []string{"detected", "findings", "kind", "source", "valid"}
		if string(m["detected"]) != "true" {
			t.Errorf("result field detected is %s; it appears only as true", m["detected"])
		}
	}
	if !slices.Equal(keys, want) {
		t.Errorf("result fields are %v, want %v", keys, want)
	}
	if v := string(m["valid"]); v != "true" && v != "false" {
		t.Errorf("result field valid is %s, want a boolean", v)
	}
	var fs []json.RawMessage
	if err := json.Unmarshal(m["findings"], &fs); err != nil || fs == nil {
		t.Errorf("result field findings is %s, want an array (never null)", m["findings"])
	}
	for _, f := range fs {
		fkeys, fm := keysOf(t, "finding", f)
		if !slices.Equal(fkeys, findingKeys) {
			t.Errorf("finding fields are %v, want %v", fkeys, findingKeys)
		}
		for k, v := range fm {
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				t.Errorf("finding field %s is %s, want a string", k, v)
			}
		}
	}
	var r jsonResult
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("decode result: %v", err)
	}
	return r
}

// parseReport parses `validate --format json` output, checking its schema exactly.
func parseReport(t *testing.T, out string) jsonReport {
	t.Helper()
	keys, m := keysOf(t, "report", []byte(out))
	if !slices.Equal(keys, reportKeys) {
		t.Errorf("report fields are %v, want %v", keys, reportKeys)
	}
	var rep jsonReport
	if err := json.Unmarshal(m["version"], &rep.Version); err != nil {
		t.Errorf("report version is %s, want a number", m["version"])
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(m["results"], &raws); err != nil || raws == nil {
		t.Fatalf("report results is %s, want an array", clipOut(string(m["results"])))
	}
	for _, raw := range raws {
		rep.Results = append(rep.Results, checkResultSchema(t, raw))
	}
	return rep
}

// parseLines parses `validate --ndjson --format json` output: one result object per line.
func parseLines(t *testing.T, out string) []jsonResult {
	t.Helper()
	if out == "" {
		return nil
	}
	if !strings.HasSuffix(out, "\n") {
		t.Errorf("output does not end with a newline")
	}
	var rs []jsonResult
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			t.Fatalf("line %d is blank", i+1)
		}
		rs = append(rs, checkResultSchema(t, []byte(line)))
	}
	return rs
}

// res is what a row expects of one result. findings lists every finding as "pointer rule
// severity", in output order; hasFindings lists some of them, when the full list is long.
type res struct {
	source      string
	kind        string
	detected    bool
	valid       bool
	findings    []string
	hasFindings []string
}

func (w res) check(t *testing.T, i int, r jsonResult) {
	t.Helper()
	if r.Source != w.source || r.Kind != w.kind || (r.Detected != nil) != w.detected || r.Valid != w.valid {
		t.Errorf("result %d is {source %q kind %q detected %v valid %v}, want {source %q kind %q detected %v valid %v}",
			i, r.Source, r.Kind, r.Detected != nil, r.Valid, w.source, w.kind, w.detected, w.valid)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.brief())
		if f.Message == "" || strings.Contains(f.Message, "\n") {
			t.Errorf("result %d finding %s: message %q is not one line", i, f.brief(), f.Message)
		}
		if f.Severity != "error" && f.Severity != "warning" {
			t.Errorf("result %d finding %s: severity %q", i, f.brief(), f.Severity)
		}
	}
	if w.hasFindings == nil && !slices.Equal(got, w.findings) {
		t.Errorf("result %d findings are\n  %s\nwant\n  %s", i, strings.Join(got, "\n  "), strings.Join(w.findings, "\n  "))
	}
	for _, h := range w.hasFindings {
		if !slices.Contains(got, h) {
			t.Errorf("result %d has no finding %q; it has\n  %s", i, h, strings.Join(got, "\n  "))
		}
	}
	errs := 0
	for _, f := range r.Findings {
		if f.Severity == "error" {
			errs++
		}
	}
	if r.Valid != (errs == 0) {
		t.Errorf("result %d: valid is %v with %d error findings", i, r.Valid, errs)
	}
}

// report checks `validate --format json` output: schema, version 1 and one result per want.
func report(want ...res) outCheck {
	return func(t *testing.T, out string) {
		t.Helper()
		rep := parseReport(t, out)
		if rep.Version != 1 {
			t.Errorf("report version is %d, want 1", rep.Version)
		}
		if len(rep.Results) != len(want) {
			t.Fatalf("report has %d results, want %d:\n%s", len(rep.Results), len(want), clipOut(out))
		}
		for i, w := range want {
			w.check(t, i, rep.Results[i])
		}
	}
}

// lines checks `validate --ndjson --format json` output: one result per line.
func lines(want ...res) outCheck {
	return func(t *testing.T, out string) {
		t.Helper()
		rs := parseLines(t, out)
		if len(rs) != len(want) {
			t.Fatalf("%d result lines, want %d:\n%s", len(rs), len(want), clipOut(out))
		}
		for i, w := range want {
			w.check(t, i, rs[i])
		}
	}
}

// findingsOf lists every finding of a result, when a row must pin it to one.
func findingsOf(fs ...string) []string { return fs }

func TestVersion(t *testing.T) {
	set, err := contracts.Load(specs.FS())
	if err != nil {
		t.Fatal(err)
	}
	versionOut := regexp.MustCompile(`^jpcheck dev\nspecs (\S+) sha256:([0-9a-f]{64})\n$`)
	runTable(t, []cliCase{
		{name: "prints its version and the specs digest", args: []string{"version"}, wantCode: exitOK,
			stdout: []outCheck{
				func(t *testing.T, out string) {
					m := versionOut.FindStringSubmatch(out)
					if m == nil {
						t.Fatalf("version output %q does not match %s", out, versionOut)
					}
					if m[1] != set.Version() || m[2] != set.Digest() {
						t.Errorf("version prints specs %s sha256:%s, the embedded specs are %s sha256:%s", m[1], m[2], set.Version(), set.Digest())
					}
				},
				equals(fmt.Sprintf("jpcheck dev\nspecs %s sha256:%s\n", set.Version(), set.Digest())),
			}},
		{name: "takes no arguments", args: []string{"version", "extra"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("version takes 0 argument(s), got 1")}},
		{name: "unknown flag", args: []string{"version", "--short"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("unknown flag: --short")}},
	})
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "missing.json")
	order := mustRead(t, "testdata/order-valid.json")
	errorPayload := mustRead(t, "testdata/error-not-found.json")

	runTable(t, []cliCase{
		// Exit 0: no error finding.
		{name: "valid order", args: []string{"validate", "testdata/order-valid.json"}, wantCode: exitOK,
			stdout: []outCheck{textLines("testdata/order-valid.json (order-status, detected): valid, 0 errors, 0 warnings")}},
		{name: "valid order json", args: []string{"validate", "--format", "json", "testdata/order-valid.json"}, wantCode: exitOK,
			stdout: []outCheck{report(res{source: "testdata/order-valid.json", kind: "order-status", detected: true, valid: true})}},
		{name: "valid order strict", args: []string{"validate", "--profile", "strict", "--format", "json", "testdata/order-valid.json"}, wantCode: exitOK,
			stdout: []outCheck{report(res{source: "testdata/order-valid.json", kind: "order-status", detected: true, valid: true})}},
		{name: "valid webhook and error payload", args: []string{"validate", "--format", "json", "testdata/webhook-notification.json", "testdata/error-not-found.json"}, wantCode: exitOK,
			stdout: []outCheck{report(
				res{source: "testdata/webhook-notification.json", kind: "webhook", detected: true, valid: true},
				res{source: "testdata/error-not-found.json", kind: "error", detected: true, valid: true},
			)}},
		{name: "explicit kind is not detected", args: []string{"validate", "--kind", "error", "--format", "json", "testdata/error-not-found.json"}, wantCode: exitOK,
			stdout: []outCheck{report(res{source: "testdata/error-not-found.json", kind: "error", valid: true})}},
		{name: "explicit kind in text", args: []string{"validate", "--kind", "error", "testdata/error-not-found.json"}, wantCode: exitOK,
			stdout: []outCheck{textLines("testdata/error-not-found.json (error): valid, 0 errors, 0 warnings")}},
		{name: "explicit auto", args: []string{"validate", "--kind", "auto", "--format", "json", "testdata/error-not-found.json"}, wantCode: exitOK,
			stdout: []outCheck{report(res{source: "testdata/error-not-found.json", kind: "error", detected: true, valid: true})}},
		{name: "flags after the file", args: []string{"validate", "testdata/error-not-found.json", "--format=json", "--kind=error"}, wantCode: exitOK,
			stdout: []outCheck{report(res{source: "testdata/error-not-found.json", kind: "error", valid: true})}},

		// Exit 1: any error finding; stderr stays empty.
		{name: "wrong explicit kind", args: []string{"validate", "--kind", "webhook", "--format", "json", "testdata/error-not-found.json"}, wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "testdata/error-not-found.json", kind: "webhook", valid: false,
				hasFindings: []string{"/event_name required error", "/status undeclared warning"}})}},
		{name: "invalid order", args: []string{"validate", "--format", "json", "testdata/order-invalid.json"}, wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "testdata/order-invalid.json", kind: "order-status", detected: true, valid: false, findings: findingsOf(
				"/amount quirk.numeric-string warning",
				"/loyalty_tier undeclared warning",
				"/status enum error",
				"/txn_detail/loyalty_tier undeclared warning",
				"/txn_detail/status enum error",
			)})}},
		{name: "one invalid file fails the run", args: []string{"validate", "--format", "json", "testdata/order-valid.json", "testdata/order-invalid.json", "testdata/error-not-found.json"}, wantCode: exitFindings,
			stdout: []outCheck{report(
				res{source: "testdata/order-valid.json", kind: "order-status", detected: true, valid: true},
				res{source: "testdata/order-invalid.json", kind: "order-status", detected: true, valid: false, hasFindings: []string{"/status enum error"}},
				res{source: "testdata/error-not-found.json", kind: "error", detected: true, valid: true},
			)}},
		{name: "kind not detected", args: []string{"validate", "--format", "json", "testdata/unknown-shape.json"}, wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "testdata/unknown-shape.json", kind: "auto", valid: false, findings: findingsOf(" type error")})}},
		{name: "kind not detected text", args: []string{"validate", "testdata/unknown-shape.json"}, wantCode: exitFindings,
			stdout: []outCheck{textLines(
				"testdata/unknown-shape.json (auto): INVALID, 1 error, 0 warnings",
				"  /  error  type  cannot tell which contract this payload is: pass --kind",
			)}},

		// Text output: a header per file, then one line per finding, pointer first.
		{name: "text groups findings by file", args: []string{"validate", "testdata/order-status-id-string.json", "testdata/duplicate-key.json", "testdata/order-valid.json"}, wantCode: exitFindings,
			stdout: []outCheck{textLines(
				"testdata/order-status-id-string.json (order-status, detected): valid, 0 errors, 1 warning",
				`  /status_id  warning  quirk.numeric-string  expected integer, got the numeric string "21" (quirk numeric-string)`,
				"testdata/duplicate-key.json (error, detected): INVALID, 1 error, 0 warnings",
				"  /error_info/code  error  duplicate-key  key code appears more than once; readers disagree on which value wins",
				"testdata/order-valid.json (order-status, detected): valid, 0 errors, 0 warnings",
			)}},

		// Invalid JSON is a finding (rule json), never a crash.
		{name: "truncated file", args: []string{"validate", "--format", "json", "testdata/truncated.json"}, wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "testdata/truncated.json", kind: "auto", valid: false, findings: findingsOf(" json error")}), contains(`"actual": "byte 300"`)}},
		{name: "trailing garbage", args: []string{"validate", "--format", "json", "testdata/trailing-garbage.json"}, wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "testdata/trailing-garbage.json", kind: "auto", valid: false, findings: findingsOf(" json error")}), contains("after the JSON value")}},
		{name: "invalid UTF-8", args: []string{"validate", "--format", "json", "testdata/invalid-utf8.json"}, wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "testdata/invalid-utf8.json", kind: "auto", valid: false, findings: findingsOf(" json error")}), contains("UTF-8")}},
		{name: "invalid JSON with explicit kind", args: []string{"validate", "--kind", "order-status", "--format", "json", "testdata/truncated.json"}, wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "testdata/truncated.json", kind: "order-status", valid: false, findings: findingsOf(" json error")})}},
		{name: "invalid JSON text", args: []string{"validate", "testdata/trailing-garbage.json"}, wantCode: exitFindings,
			stdout: []outCheck{textLines(
				"testdata/trailing-garbage.json (auto): INVALID, 1 error, 0 warnings",
				"  /  error  json  invalid JSON: unexpected data after the JSON value at byte 2102",
			)}},
		{name: "empty stdin", args: []string{"validate", "--format", "json", "-"}, stdin: "", wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "-", kind: "auto", valid: false, findings: findingsOf(" json error")})}},
		{name: "not JSON at all", args: []string{"validate", "--format", "json", "-"}, stdin: "<html>502 Bad Gateway</html>", wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "-", kind: "auto", valid: false, findings: findingsOf(" json error")})}},
		{name: "duplicate key", args: []string{"validate", "--format", "json", "testdata/duplicate-key.json"}, wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "testdata/duplicate-key.json", kind: "error", detected: true, valid: false, findings: findingsOf("/error_info/code duplicate-key error")})}},
		{name: "deep nesting", args: []string{"validate", "--format", "json", "-"}, stdin: strings.Repeat("[", 10000), wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "-", kind: "auto", valid: false, findings: findingsOf(" depth error")})}},
		{name: "deep nesting closed", args: []string{"validate", "--kind", "order-status", "--format", "json", "-"}, stdin: strings.Repeat("[", 10000) + strings.Repeat("]", 10000), wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "-", kind: "order-status", valid: false, findings: findingsOf(" depth error")})}},
		{name: "deep objects", args: []string{"validate", "--format", "json", "-"}, stdin: strings.Repeat(`{"a":`, 10000), wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "-", kind: "auto", valid: false, findings: findingsOf(" depth error")})}},

		// Standard input.
		{name: "stdin", args: []string{"validate", "-"}, stdin: string(errorPayload), wantCode: exitOK,
			stdout: []outCheck{textLines("- (error, detected): valid, 0 errors, 0 warnings")}},
		{name: "stdin json", args: []string{"validate", "--format", "json", "-"}, stdin: string(order), wantCode: exitOK,
			stdout: []outCheck{report(res{source: "-", kind: "order-status", detected: true, valid: true})}},
		{name: "stdin among files", args: []string{"validate", "--format", "json", "testdata/order-valid.json", "-"}, stdin: string(errorPayload), wantCode: exitOK,
			stdout: []outCheck{report(
				res{source: "testdata/order-valid.json", kind: "order-status", detected: true, valid: true},
				res{source: "-", kind: "error", detected: true, valid: true},
			)}},

		// Profiles: status_id carries x-quirks numeric-string in order-status.yaml (Order).
		{name: "numeric string under compat", args: []string{"validate", "--format", "json", "testdata/order-status-id-string.json"}, wantCode: exitOK,
			stdout: []outCheck{report(res{source: "testdata/order-status-id-string.json", kind: "order-status", detected: true, valid: true, findings: findingsOf("/status_id quirk.numeric-string warning")})}},
		{name: "numeric string under explicit compat", args: []string{"validate", "--profile", "compat", "--format", "json", "testdata/order-status-id-string.json"}, wantCode: exitOK,
			stdout: []outCheck{report(res{source: "testdata/order-status-id-string.json", kind: "order-status", detected: true, valid: true, findings: findingsOf("/status_id quirk.numeric-string warning")})}},
		{name: "numeric string under strict", args: []string{"validate", "--profile", "strict", "--format", "json", "testdata/order-status-id-string.json"}, wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "testdata/order-status-id-string.json", kind: "order-status", detected: true, valid: false, findings: findingsOf("/status_id type error")})}},
		{name: "strict makes quirks and undeclared fields errors", args: []string{"validate", "--profile", "strict", "--format", "json", "testdata/order-invalid.json"}, wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "testdata/order-invalid.json", kind: "order-status", detected: true, valid: false, findings: findingsOf(
				"/amount type error",
				"/loyalty_tier undeclared error",
				"/status enum error",
				"/txn_detail/loyalty_tier undeclared error",
				"/txn_detail/status enum error",
			)})}},
		// A numeric string where the spec declares no quirk is a type error under compat too.
		{name: "numeric string without the quirk", args: []string{"validate", "--format", "json", "-"}, stdin: strings.Replace(string(order), `"txn_amount": 2,`, `"txn_amount": "2",`, 1), wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "-", kind: "order-status", detected: true, valid: false, findings: findingsOf("/txn_detail/txn_amount type error")})}},

		// Exit 2: usage errors, one line on stderr, nothing on stdout.
		{name: "no arguments", args: []string{"validate"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("validate needs at least one FILE")}},
		{name: "unknown kind", args: []string{"validate", "--kind", "orders", "testdata/order-valid.json"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine(`unknown kind "orders"`, "order-status")}},
		{name: "empty kind", args: []string{"validate", "--kind", "", "testdata/order-valid.json"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine(`unknown kind ""`)}},
		{name: "unknown profile", args: []string{"validate", "--profile", "lenient", "testdata/order-valid.json"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine(`unknown profile "lenient"`)}},
		{name: "unknown format", args: []string{"validate", "--format", "yaml", "testdata/order-valid.json"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine(`unknown format "yaml"`)}},
		{name: "unknown flag", args: []string{"validate", "--strict", "testdata/order-valid.json"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("unknown flag: --strict")}},
		{name: "flag without value", args: []string{"validate", "testdata/order-valid.json", "--kind"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("flag needs an argument")}},
		{name: "bad ndjson value", args: []string{"validate", "--ndjson=maybe", "testdata/order-valid.json"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("invalid argument")}},
		{name: "missing file", args: []string{"validate", notJSON}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("read " + notJSON + ": no such file or directory")}},
		{name: "missing file after a valid one", args: []string{"validate", "testdata/order-valid.json", notJSON}, wantCode: exitUsage,
			stderr: []outCheck{usageLine("read " + notJSON)}},
		{name: "missing file after an invalid one", args: []string{"validate", "testdata/order-invalid.json", notJSON}, wantCode: exitUsage,
			stderr: []outCheck{usageLine("read " + notJSON)}},
		{name: "directory", args: []string{"validate", "testdata"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("read testdata: is a directory")}},
		{name: "directory with ndjson", args: []string{"validate", "--ndjson", dir}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("is a directory")}},
		{name: "usage error wins over findings", args: []string{"validate", "--profile", "lenient", "testdata/order-invalid.json"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("unknown profile")}},
	})
}

// TestValidateEveryKind runs each kind the CLI lists: none is a usage error.
func TestValidateEveryKind(t *testing.T) {
	for _, k := range contracts.Kinds() {
		t.Run(string(k), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, []string{"validate", "--kind", string(k), "--format", "json", "testdata/error-not-found.json"}, "")
			if code != exitOK && code != exitFindings {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			if stderr != "" {
				t.Errorf("stderr %q", stderr)
			}
			rep := parseReport(t, stdout)
			if len(rep.Results) != 1 || rep.Results[0].Kind != string(k) || rep.Results[0].Detected != nil {
				t.Errorf("results %+v, want one of kind %s, not detected", rep.Results, k)
			}
			want := exitOK
			if !rep.Results[0].Valid {
				want = exitFindings
			}
			if code != want {
				t.Errorf("exit %d with valid %v, want %d", code, rep.Results[0].Valid, want)
			}
		})
	}
}

// TestValidateSize: a payload over contracts.MaxPayloadBytes is a size finding, not a read of
// the whole file or a crash.
func TestValidateSize(t *testing.T) {
	dir := t.TempDir()
	// A valid payload padded with whitespace: exactly at the limit, and one byte over.
	payload := mustRead(t, "testdata/error-not-found.json")
	pad := func(n int) []byte { return append(slices.Clip(payload), bytes.Repeat([]byte(" "), n-len(payload))...) }
	big := filepath.Join(dir, "big.json")
	mustWrite(t, big, pad(contracts.MaxPayloadBytes+1))
	atLimit := filepath.Join(dir, "at-limit.json")
	mustWrite(t, atLimit, pad(contracts.MaxPayloadBytes))
	// NDJSON: a line over the limit between two good lines.
	order := bytes.TrimSpace(compact(t, mustRead(t, "testdata/error-not-found.json")))
	nd := filepath.Join(dir, "big.ndjson")
	mustWrite(t, nd, slices.Concat(order, []byte("\n"), []byte(`{"order_id":"`+strings.Repeat("b", 2*contracts.MaxPayloadBytes)+`"}`), []byte("\n"), order, []byte("\n")))

	runTable(t, []cliCase{
		{name: "over the limit", args: []string{"validate", "--format", "json", big}, wantCode: exitFindings,
			stdout: []outCheck{report(res{source: big, kind: "auto", valid: false, findings: findingsOf(" size error")}),
				contains(fmt.Sprintf(`"expected": "at most %d bytes"`, contracts.MaxPayloadBytes), fmt.Sprintf(`"actual": "more than %d bytes"`, contracts.MaxPayloadBytes))}},
		{name: "over the limit with explicit kind", args: []string{"validate", "--kind", "error", "--format", "json", big}, wantCode: exitFindings,
			stdout: []outCheck{report(res{source: big, kind: "error", valid: false, findings: findingsOf(" size error")})}},
		{name: "over the limit on stdin", args: []string{"validate", "--format", "json", "-"}, stdin: strings.Repeat(" ", contracts.MaxPayloadBytes+1) + "{}", wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "-", kind: "auto", valid: false, findings: findingsOf(" size error")})}},
		// At the limit the payload is read and checked: no size finding.
		{name: "at the limit", args: []string{"validate", "--format", "json", atLimit}, wantCode: exitOK,
			stdout: []outCheck{report(res{source: atLimit, kind: "error", detected: true, valid: true})}},
		{name: "ndjson line over the limit", args: []string{"validate", "--ndjson", "--format", "json", nd}, wantCode: exitFindings,
			stdout: []outCheck{lines(
				res{source: nd + ":1", kind: "error", detected: true, valid: true},
				res{source: nd + ":2", kind: "auto", valid: false, findings: findingsOf(" size error")},
				res{source: nd + ":3", kind: "error", detected: true, valid: true},
			)}},
	})
}

func TestValidateNDJSON(t *testing.T) {
	const file = "testdata/payloads.ndjson"
	data := mustRead(t, file)
	// payloads.ndjson: 1 valid order, 2 blank, 3 truncated JSON, 4 spaces only, 5 valid error
	// payload, 6 order with "status_id": "21", 7 truncated array without a final newline.
	fileResults := func(src string) []res {
		return []res{
			{source: src + ":1", kind: "order-status", detected: true, valid: true},
			{source: src + ":3", kind: "auto", valid: false, findings: findingsOf(" json error")},
			{source: src + ":5", kind: "error", detected: true, valid: true},
			{source: src + ":6", kind: "order-status", detected: true, valid: true, findings: findingsOf("/status_id quirk.numeric-string warning")},
			{source: src + ":7", kind: "auto", valid: false, findings: findingsOf(" json error")},
		}
	}
	okLines := string(compact(t, mustRead(t, "testdata/error-not-found.json"))) + "\n" +
		string(compact(t, mustRead(t, "testdata/webhook-notification.json"))) + "\n"
	runTable(t, []cliCase{
		{name: "file json", args: []string{"validate", "--ndjson", "--format", "json", file}, wantCode: exitFindings,
			stdout: []outCheck{lines(fileResults(file)...)}},
		{name: "stdin json", args: []string{"validate", "--ndjson", "--format", "json", "-"}, stdin: string(data), wantCode: exitFindings,
			stdout: []outCheck{lines(fileResults("-")...)}},
		{name: "file text", args: []string{"validate", "--ndjson", file}, wantCode: exitFindings,
			stdout: []outCheck{textLines(
				file+":1 (order-status, detected): valid, 0 errors, 0 warnings",
				file+":3 (auto): INVALID, 1 error, 0 warnings: / error json",
				file+":5 (error, detected): valid, 0 errors, 0 warnings",
				file+":6 (order-status, detected): valid, 0 errors, 1 warning: /status_id warning quirk.numeric-string",
				file+":7 (auto): INVALID, 1 error, 0 warnings: / error json",
			)}},
		{name: "strict", args: []string{"validate", "--ndjson", "--profile", "strict", "--format", "json", file}, wantCode: exitFindings,
			stdout: []outCheck{func(t *testing.T, out string) {
				rs := parseLines(t, out)
				if len(rs) != 5 {
					t.Fatalf("%d lines, want 5", len(rs))
				}
				res{source: file + ":6", kind: "order-status", detected: true, valid: false, findings: findingsOf("/status_id type error")}.check(t, 3, rs[3])
			}}},
		{name: "all valid", args: []string{"validate", "--ndjson", "--format", "json", "-"}, stdin: okLines, wantCode: exitOK,
			stdout: []outCheck{lines(
				res{source: "-:1", kind: "error", detected: true, valid: true},
				res{source: "-:2", kind: "webhook", detected: true, valid: true},
			)}},
		{name: "CRLF line ends", args: []string{"validate", "--ndjson", "--format", "json", "-"}, stdin: strings.ReplaceAll(okLines, "\n", "\r\n"), wantCode: exitOK,
			stdout: []outCheck{lines(
				res{source: "-:1", kind: "error", detected: true, valid: true},
				res{source: "-:2", kind: "webhook", detected: true, valid: true},
			)}},
		{name: "explicit kind", args: []string{"validate", "--ndjson", "--kind", "error", "--format", "json", "-"}, stdin: okLines, wantCode: exitFindings,
			stdout: []outCheck{lines(
				res{source: "-:1", kind: "error", valid: true},
				res{source: "-:2", kind: "error", valid: false, hasFindings: []string{"/event_name undeclared warning"}},
			)}},
		{name: "blank input", args: []string{"validate", "--ndjson", "--format", "json", "-"}, stdin: "\n  \n\t\n", wantCode: exitOK,
			stdout: []outCheck{isEmpty()}},
		{name: "empty input", args: []string{"validate", "--ndjson", "-"}, stdin: "", wantCode: exitOK,
			stdout: []outCheck{isEmpty()}},
		{name: "a bad line does not stop later lines", args: []string{"validate", "--ndjson", "--format", "json", "-"}, stdin: "{\n" + okLines + "[1,,2]\n" + okLines, wantCode: exitFindings,
			stdout: []outCheck{lines(
				res{source: "-:1", kind: "auto", valid: false, findings: findingsOf(" json error")},
				res{source: "-:2", kind: "error", detected: true, valid: true},
				res{source: "-:3", kind: "webhook", detected: true, valid: true},
				res{source: "-:4", kind: "auto", valid: false, findings: findingsOf(" json error")},
				res{source: "-:5", kind: "error", detected: true, valid: true},
				res{source: "-:6", kind: "webhook", detected: true, valid: true},
			)}},
		{name: "file then stdin", args: []string{"validate", "--ndjson", "--format", "json", file, "-"}, stdin: okLines, wantCode: exitFindings,
			stdout: []outCheck{lines(append(fileResults(file),
				res{source: "-:1", kind: "error", detected: true, valid: true},
				res{source: "-:2", kind: "webhook", detected: true, valid: true})...)}},
		{name: "pretty-printed JSON is one payload per line", args: []string{"validate", "--ndjson", "--format", "json", "testdata/error-not-found.json"}, wantCode: exitFindings,
			stdout: []outCheck{func(t *testing.T, out string) {
				rs := parseLines(t, out)
				if len(rs) < 2 {
					t.Fatalf("%d lines, want one per line of the file", len(rs))
				}
				res{source: "testdata/error-not-found.json:1", kind: "auto", valid: false, findings: findingsOf(" json error")}.check(t, 0, rs[0])
			}}},
	})
}

// TestValidateJSONGolden pins the whole --format json output, every field of every finding.
func TestValidateJSONGolden(t *testing.T) {
	code, stdout, stderr := runCLI(t, []string{"validate", "--format", "json",
		"testdata/order-invalid.json", "testdata/order-status-id-string.json", "testdata/order-valid.json",
		"testdata/truncated.json", "testdata/unknown-shape.json"}, "")
	if code != exitFindings || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 1 and nothing", code, stderr)
	}
	parseReport(t, stdout)
	golden(t, "json", []byte(stdout))
}

// TestValidateTextGolden pins the text output of findings of several rules and profiles.
func TestValidateTextGolden(t *testing.T) {
	var all bytes.Buffer
	for _, profile := range []string{"compat", "strict"} {
		code, stdout, stderr := runCLI(t, []string{"validate", "--profile", profile,
			"testdata/order-invalid.json", "testdata/order-status-id-string.json", "testdata/order-valid.json",
			"testdata/duplicate-key.json", "testdata/invalid-utf8.json"}, "")
		if code != exitFindings || stderr != "" {
			t.Fatalf("%s: exit %d, stderr %q; want 1 and nothing", profile, code, stderr)
		}
		fmt.Fprintf(&all, "$ jpcheck validate --profile %s ...\n%s", profile, stdout)
	}
	golden(t, "txt", all.Bytes())
}

// golden compares got with testdata/<TestName>.golden.<ext>; with -update it writes the file
// first.
func golden(t *testing.T, ext string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", filepath.FromSlash(t.Name())+".golden."+ext)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		mustWrite(t, path, got)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/jpcheck -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test ./cmd/jpcheck -update rewrites it):\n%s", path, firstDiff(string(want), string(got)))
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
	errataKinds := []string{"error", "quirk", "undeclared", "spec", "repaired", "skipped"}

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
			allowed := []string{"kind", "document", "section", "example", "pointer", "rule", "message", "repairs"}
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
			func(t *testing.T, out string) {
				items := 0
				for _, l := range strings.Split(out, "\n") {
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

func TestHelp(t *testing.T) {
	usage := func(use string, flags ...string) []outCheck {
		return []outCheck{contains(append([]string{"Usage:", "  " + use, "-h, --help"}, flags...)...)}
	}
	runTable(t, []cliCase{
		{name: "no command", args: []string{}, wantCode: exitOK, stdout: usage("jpcheck [command]", "validate", "specs", "version")},
		{name: "root", args: []string{"--help"}, wantCode: exitOK, stdout: usage("jpcheck [command]", "validate", "specs", "version")},
		{name: "help command", args: []string{"help"}, wantCode: exitOK, stdout: usage("jpcheck [command]")},
		{name: "version", args: []string{"version", "--help"}, wantCode: exitOK, stdout: usage("jpcheck version")},
		{name: "validate", args: []string{"validate", "--help"}, wantCode: exitOK,
			stdout: usage("jpcheck validate [flags] FILE|- ...", "--kind", "--profile", "--format", "--ndjson", "order-status, webhook")},
		{name: "validate -h", args: []string{"validate", "-h"}, wantCode: exitOK, stdout: usage("jpcheck validate [flags] FILE|- ...")},
		{name: "help validate", args: []string{"help", "validate"}, wantCode: exitOK, stdout: usage("jpcheck validate [flags] FILE|- ...")},
		{name: "validate help with other flags", args: []string{"validate", "--kind", "bogus", "--help"}, wantCode: exitOK, stdout: usage("jpcheck validate [flags] FILE|- ...")},
		{name: "specs", args: []string{"specs", "--help"}, wantCode: exitOK, stdout: usage("jpcheck specs", "export", "lint", "examples", "errata")},
		{name: "specs export", args: []string{"specs", "export", "--help"}, wantCode: exitOK, stdout: usage("jpcheck specs export DIR")},
		{name: "specs lint", args: []string{"specs", "lint", "--help"}, wantCode: exitOK, stdout: usage("jpcheck specs lint")},
		{name: "specs examples", args: []string{"specs", "examples", "--help"}, wantCode: exitOK, stdout: usage("jpcheck specs examples")},
		{name: "specs errata", args: []string{"specs", "errata", "--help"}, wantCode: exitOK, stdout: usage("jpcheck specs errata", "--format")},
		{name: "completion", args: []string{"completion", "--help"}, wantCode: exitOK, stdout: usage("jpcheck completion [command]")},
		{name: "unknown command", args: []string{"bogus"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine(`unknown command "bogus"`)}},
		{name: "unknown root flag", args: []string{"--bogus"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("unknown flag: --bogus")}},
	})
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

// TestRunNilArgs: run takes its arguments from the caller only. cobra's Execute falls back to
// os.Args[1:] when SetArgs was given nil, so run(ctx, nil, ...) parses the process's own
// arguments: under `go test -update` (make golden) that is "-update", an unknown flag.
func TestRunNilArgs(t *testing.T) {
	saved := os.Args
	t.Cleanup(func() { os.Args = saved })
	os.Args = []string{saved[0], "--not-a-jpcheck-flag"}
	code, stdout, stderr := runCLI(t, nil, "")
	if code != exitOK || stderr != "" || !strings.Contains(stdout, "Usage:") {
		t.Errorf("run(nil): exit %d, stderr %q; want 0 and the root help", code, stderr)
	}
}

// TestRunIsReentrant: run builds a fresh command tree, so flags of one call do not leak into
// the next.
func TestRunIsReentrant(t *testing.T) {
	if code, _, _ := runCLI(t, []string{"validate", "--profile", "strict", "testdata/order-status-id-string.json"}, ""); code != exitFindings {
		t.Fatalf("strict: exit %d, want 1", code)
	}
	code, stdout, _ := runCLI(t, []string{"validate", "testdata/order-status-id-string.json"}, "")
	if code != exitOK || !strings.Contains(stdout, "quirk.numeric-string") {
		t.Errorf("second run (compat by default): exit %d, stdout %q", code, stdout)
	}
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustWrite(tb testing.TB, path string, b []byte) {
	tb.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// compact returns the JSON on one line, for NDJSON input.
func compact(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
