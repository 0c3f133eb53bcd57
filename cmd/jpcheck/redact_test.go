package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/load"
	"github.com/jpcheck/jpcheck/reports"
)

// Customer data as a target's answers put it in a run: a failure quoting a body, a finding at a
// customer field.
const (
	redactEmail = "jane.doe@example.com"
	redactPhone = "9876543210"
)

func redactRun() *reports.Run {
	return &reports.Run{
		Version: reports.Version, Target: "http://t", Profile: "compat", StartedAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		Specs: []reports.Spec{{Name: "order status card returns the customer", Labels: []string{"order-status"}, State: reports.StateFailed,
			Message: `{"customer_email": "` + redactEmail + `", "customer_phone": "` + redactPhone + `"}`}},
		Findings: []reports.Finding{{Spec: "order status card returns the customer", Pointer: "/customer_phone", Rule: "pattern",
			Severity: "error", Message: "customer_phone " + redactPhone + " is not 10 digits", Request: "GET /orders/o1",
			Expected: "10 digits", Actual: redactPhone}},
	}
}

// Everything conform prints or writes for a CI log (the text, the JSON on stdout, JUnit) masks
// customer data unless --no-redact; run.json keeps it.
func TestConformOutputsRedact(t *testing.T) {
	for _, tc := range []struct {
		format   string
		noRedact bool
	}{{"text", false}, {"json", false}, {"text", true}, {"json", true}} {
		dir := t.TempDir()
		var out, errw bytes.Buffer
		o := conformOpts{format: tc.format, noRedact: tc.noRedact, reportDir: dir, junit: filepath.Join(dir, "junit.xml")}
		if err := writeConformOutputs(streams{out: &out, err: &errw}, o, redactRun()); err != nil {
			t.Fatal(err)
		}
		junit := string(mustRead(t, filepath.Join(dir, "junit.xml")))
		for name, got := range map[string]string{"stdout": out.String(), "junit.xml": junit} {
			raws := []string{redactEmail, redactPhone}
			if name == "stdout" && tc.format == "text" {
				raws = raws[1:] // the text shows a failed spec's findings, not its whole message
			}
			for _, raw := range raws {
				if has := strings.Contains(got, raw); has != tc.noRedact {
					t.Errorf("--format %s, no-redact %v: %s shows %q: %v\n%s", tc.format, tc.noRedact, name, raw, has, clipOut(got))
				}
			}
			if !tc.noRedact && !strings.Contains(got, "98******10") {
				t.Errorf("--format %s: %s lacks the masked phone number\n%s", tc.format, name, clipOut(got))
			}
		}
		if !strings.Contains(string(mustRead(t, filepath.Join(dir, "run.json"))), redactPhone) {
			t.Error("run.json must keep the data a report is rebuilt from")
		}
	}
}

// jpcheck load's stdout masks what its contract findings quote unless --no-redact; load.json
// keeps it.
func TestLoadOutputsRedact(t *testing.T) {
	for _, tc := range []struct {
		format   string
		noRedact bool
	}{{"text", false}, {"json", false}, {"json", true}} {
		dir := t.TempDir()
		res := &load.Result{Version: 1, Requests: 10, SLO: load.Verdict{Pass: true}}
		res.Validation.Sample, res.Validation.Validated, res.Validation.Failed = 1, 10, 3
		res.Validation.Findings = []load.FindingSample{{Pointer: "/customer_email", Rule: "format", Severity: "error",
			Message: "customer_email " + redactEmail + " is not an email", Count: 3}}
		var out bytes.Buffer
		o := &loadOpts{format: tc.format, noRedact: tc.noRedact, out: dir, maxErrorFraction: 1}
		finishLoad(streams{out: &out, err: &bytes.Buffer{}}, o, &loadPlan{}, res)
		if has := strings.Contains(out.String(), redactEmail); has != tc.noRedact {
			t.Errorf("--format %s, no-redact %v: stdout shows the email: %v\n%s", tc.format, tc.noRedact, has, clipOut(out.String()))
		}
		if !tc.noRedact && !strings.Contains(out.String(), "j***@example.com") {
			t.Errorf("--format %s: stdout lacks the masked email\n%s", tc.format, clipOut(out.String()))
		}
		b, err := os.ReadFile(filepath.Join(dir, reports.LoadJSONFile))
		if err != nil || !bytes.Contains(b, []byte(redactEmail)) {
			t.Errorf("load.json must keep the findings as found (%v)", err)
		}
	}
}
