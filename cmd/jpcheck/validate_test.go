package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
)

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
				"  (root)  error  type  cannot tell which contract this payload is: pass --kind",
			)}},

		// Text output: a header per file, then one line per finding, pointer first.
		{name: "text groups findings by file", args: []string{"validate", "testdata/order-status-id-string.json", "testdata/duplicate-key.json", "testdata/order-valid.json"}, wantCode: exitFindings,
			stdout: []outCheck{textLines(
				"testdata/order-status-id-string.json (order-status, detected): valid, 0 errors, 1 warning",
				`  /status_id  warning  quirk.numeric-string  expected integer, got the numeric string "21" (quirk numeric-string)`,
				"testdata/duplicate-key.json (error, detected): INVALID, 1 error, 0 warnings",
				"  /error_info/code  error  duplicate-key  key code appears more than once (again at byte 196); readers disagree on which value wins",
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
				"  (root)  error  json  invalid JSON: unexpected data after the JSON value at byte 2102",
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
		// A boolean string where the spec declares no quirk is a type error under compat too.
		{name: "boolean string without the quirk", args: []string{"validate", "--format", "json", "-"}, stdin: strings.Replace(string(order), `"redirect": false`, `"redirect": "false"`, 1), wantCode: exitFindings,
			stdout: []outCheck{report(res{source: "-", kind: "order-status", detected: true, valid: false, findings: findingsOf("/txn_detail/redirect type error")})}},

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
				file+":3 (auto): INVALID, 1 error, 0 warnings: (root) error json",
				file+":5 (error, detected): valid, 0 errors, 0 warnings",
				file+":6 (order-status, detected): valid, 0 errors, 1 warning: /status_id warning quirk.numeric-string",
				file+":7 (auto): INVALID, 1 error, 0 warnings: (root) error json",
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
