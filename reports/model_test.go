package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/load"
)

// describedRun is sampleRun with its environment and errata, as conform writes it.
func describedRun() *Run {
	r := sampleRun()
	r.Environment = Environment{
		Target: r.Target, SpecVersion: "1.0.0", SpecDigest: strings.Repeat("ab", 32),
		JpcheckVersion: "v0.9.0", Time: r.StartedAt, Profile: r.Profile,
	}
	r.Errata = ErrataOf([]contracts.ErratumEntry{
		{Kind: "quirk", Document: "order-status", Section: "Sample response", Example: "order-status-card.json", Pointer: "/amount", Rule: "type", Message: "amount is a string"},
		{Kind: "repaired", Document: "webhooks", Section: "Order succeeded", Example: "webhook-order-succeeded.json", Message: "the sample needed repair", Repairs: []string{"trailing comma removed"}},
	})
	return r
}

func TestVerdict(t *testing.T) {
	passed := Spec{Name: "a", State: StatePassed}
	failed := Spec{Name: "b", State: StateFailed}
	skipped := Spec{Name: "c", State: StateSkipped}
	for _, tc := range []struct {
		name  string
		specs []Spec
		want  string
	}{
		{"nothing run", nil, VerdictInconclusive},
		{"all passed", []Spec{passed}, VerdictPass},
		{"skips do not fail", []Spec{passed, skipped}, VerdictPass},
		{"only skips: nothing was checked", []Spec{skipped}, VerdictInconclusive},
		{"a failure", []Spec{passed, failed, skipped}, VerdictFail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Run{Specs: tc.specs, Verdict: "stale"}
			if got := r.normalized().Verdict; got != tc.want {
				t.Errorf("verdict %q, want %q", got, tc.want)
			}
		})
	}
}

// A run without an environment (an older run.json) gets one from its own fields.
func TestEnvironmentDefaults(t *testing.T) {
	r := sampleRun()
	n := r.normalized()
	want := Environment{Target: r.Target, Profile: r.Profile, Time: r.StartedAt}
	if n.Environment != want {
		t.Errorf("environment %+v, want %+v", n.Environment, want)
	}
	d := describedRun()
	if got := d.normalized().Environment; got != d.Environment {
		t.Errorf("a set environment changed: %+v", got)
	}
}

func TestErrataOf(t *testing.T) {
	got := ErrataOf([]contracts.ErratumEntry{{Kind: "error", Document: "d", Section: "s", Example: "e.json", Pointer: "/p", Rule: contracts.RuleRequired, Message: "m", Repairs: []string{"r"}}})
	want := Erratum{Kind: "error", Document: "d", Section: "s", Example: "e.json", Pointer: "/p", Rule: string(contracts.RuleRequired), Message: "m", Repairs: []string{"r"}}
	if len(got) != 1 || got[0].Kind != want.Kind || got[0].Rule != want.Rule || got[0].Pointer != want.Pointer || got[0].Repairs[0] != "r" || got[0].Example != want.Example {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if ErrataOf(nil) == nil {
		t.Error("no errata must be an empty list, not null")
	}
}

func TestAreas(t *testing.T) {
	got := Areas(sampleRun())
	want := []AreaSummary{
		{"order-status", Summary{Specs: 2, Passed: 1, Failed: 1}},
		{"v4", Summary{Specs: 1, Skipped: 1}},
		{"webhooks", Summary{Specs: 1, Failed: 1}},
		{"flows", Summary{Specs: 1, Failed: 1}},
		{"other", Summary{Specs: 1, Passed: 1}},
	}
	if len(got) != len(want) {
		t.Fatalf("areas %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("area %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	extra := Areas(&Run{Specs: []Spec{{Labels: []string{"zeta"}, State: StatePassed}, {Labels: []string{"errors"}, State: StatePassed}}})
	if len(extra) != 2 || extra[0].Label != "errors" || extra[1].Label != "zeta" {
		t.Errorf("an unknown label must follow the documented areas: %+v", extra)
	}
}

// The new fields round-trip through JSON, and a run without history leaves the key out.
func TestModelRoundTrip(t *testing.T) {
	r := describedRun()
	p99 := 12.5
	r.History = []HistoryPoint{{StartedAt: r.StartedAt.Add(-time.Hour), Verdict: VerdictPass, Specs: 5, Passed: 5, P99MS: &p99, Target: r.Target}}
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	back, err := DecodeRun(&b)
	if err != nil {
		t.Fatal(err)
	}
	if back.Environment != r.Environment || back.Verdict != VerdictFail || len(back.Errata) != 2 || back.Errata[1].Repairs[0] != "trailing comma removed" {
		t.Errorf("round trip lost fields: %+v", back)
	}
	if len(back.History) != 1 || back.History[0].P99MS == nil || *back.History[0].P99MS != p99 {
		t.Errorf("history lost: %+v", back.History)
	}
	b.Reset()
	if err := WriteJSON(&b, sampleRun()); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	mustUnmarshal(t, b.Bytes(), &doc)
	if _, ok := doc["history"]; ok {
		t.Error("a run without history has a history key")
	}
	if _, ok := doc["load"]; ok {
		t.Error("a run without load has a load key")
	}
}

// The writers do not change the run they are given.
func TestWritersLeaveRunAlone(t *testing.T) {
	r := piiRun()
	before, _ := json.Marshal(r)
	var b bytes.Buffer
	for _, write := range []func() error{
		func() error { return WriteJSON(&b, r) },
		func() error { return WriteText(&b, r) },
		func() error { return WriteMarkdown(&b, r, Options{}) },
		func() error { _ = Redact(r); return nil },
	} {
		if err := write(); err != nil {
			t.Fatal(err)
		}
	}
	if after, _ := json.Marshal(r); !bytes.Equal(before, after) {
		t.Errorf("a writer changed its run:\nbefore %s\nafter  %s", before, after)
	}
}

func TestVerdictLine(t *testing.T) {
	for _, tc := range []struct {
		r    *Run
		want string
	}{
		{sampleRun(), "verdict: fail (2 of 5 specs failed)"},
		{&Run{Specs: []Spec{{State: StatePassed}, {State: StateSkipped}}}, "verdict: pass (1 of 2 specs passed, 1 skipped)"},
		{&Run{}, "verdict: inconclusive (nothing was run)"},
		{&Run{Specs: []Spec{{State: StateSkipped}}}, "verdict: inconclusive (0 of 1 spec passed, 1 skipped)"},
	} {
		if got := VerdictLine(tc.r); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestVerdictWithLoad(t *testing.T) {
	yes, no := true, false
	ok := func() *load.Result {
		return &load.Result{Version: 1, Requests: 100000, SLO: load.Verdict{Pass: true, Conclusive: true, Confidence: 0.95,
			Checks: []load.Check{{Name: load.CheckTP50, Pass: &yes}, {Name: load.CheckTP99, Pass: &yes}}}}
	}
	passed := []Spec{{Name: "a", State: StatePassed}}
	for _, tc := range []struct {
		name   string
		specs  []Spec
		change func(*load.Result)
		want   string
	}{
		{"load alone passes", nil, func(*load.Result) {}, VerdictPass},
		{"specs and load pass", passed, func(*load.Result) {}, VerdictPass},
		{"a failed spec fails a passing load run", []Spec{{State: StateFailed}}, func(*load.Result) {}, VerdictFail},
		{"a failed check", passed, func(l *load.Result) { l.SLO.Pass = false; l.SLO.Checks[1].Pass = &no }, VerdictFail},
		{"an undecided check", passed, func(l *load.Result) { l.SLO.Conclusive = false; l.SLO.Checks[1].Pass = nil }, VerdictInconclusive},
		{"a failed and an undecided check", passed, func(l *load.Result) {
			l.SLO.Pass, l.SLO.Conclusive = false, false
			l.SLO.Checks[0].Pass, l.SLO.Checks[1].Pass = &no, nil
		}, VerdictFail},
		{"generator limited, whatever the checks", passed, func(l *load.Result) {
			l.SLO.Pass, l.SLO.Conclusive, l.SLO.GeneratorLimited = false, false, true
			l.SLO.Checks[0].Pass = &no
		}, VerdictInconclusive},
		{"contract broken under load", passed, func(l *load.Result) { l.Validation.Validated, l.Validation.Failed = 10, 1 }, VerdictFail},
		{"aborted", passed, func(l *load.Result) { l.Aborted = true }, VerdictInconclusive},
		{"no request", passed, func(l *load.Result) { l.Requests = 0 }, VerdictInconclusive},
		{"require-conclusive failure", passed, func(l *load.Result) { l.SLO.Pass = false }, VerdictFail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := ok()
			tc.change(l)
			r := &Run{Specs: tc.specs, Load: l}
			if got := r.normalized().Verdict; got != tc.want {
				t.Errorf("verdict %q, want %q (%s)", got, tc.want, VerdictLine(r))
			}
		})
	}
}

func TestWriteMarkdownLoadGolden(t *testing.T) {
	r := describedRun()
	r.Load = mustInput(t, loadDir).Load
	var b bytes.Buffer
	if err := WriteMarkdown(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "md", b.Bytes())
}
