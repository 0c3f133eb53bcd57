package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
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
	// In a test binary nothing sets the version or records a commit; the release values are
	// checked on a binary built as the Makefile builds it (TestStaticBuild).
	versionOut := regexp.MustCompile(`^jpcheck dev\ncommit (\S+)\nspecs (\S+) sha256:([0-9a-f]{64})\n$`)
	prints := []outCheck{
		func(t *testing.T, out string) {
			m := versionOut.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("version output %q does not match %s", out, versionOut)
			}
			if m[2] != set.Version() || m[3] != set.Digest() {
				t.Errorf("version prints specs %s sha256:%s, the embedded specs are %s sha256:%s", m[2], m[3], set.Version(), set.Digest())
			}
		},
	}
	runTable(t, []cliCase{
		{name: "prints its version, commit and the specs digest", args: []string{"version"}, wantCode: exitOK, stdout: prints},
		{name: "--version prints the same", args: []string{"--version"}, wantCode: exitOK, stdout: prints},
		{name: "takes no arguments", args: []string{"version", "extra"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("version takes 0 argument(s), got 1")}},
		{name: "unknown flag", args: []string{"version", "--short"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("unknown flag: --short")}},
	})
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
