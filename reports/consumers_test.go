package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/consumers"
)

func consumerRun() *Run {
	r := describedRun()
	r.Consumers = ConsumersOf([]consumers.Compliance{
		{Consumer: "cred-hypercheckout", File: "examples/consumers/cred-hypercheckout.graphql", Status: consumers.StatusPass, Pass: true, Selected: 4, Supplied: 4, Payloads: 3},
		{Consumer: "twid", File: "twid.graphql", Status: consumers.StatusFail, Selected: 3, Supplied: 1, Payloads: 2,
			Missing:      []consumers.Missing{{Path: "order.txn_detail.status", Request: "GET /orders/o1", Pointer: "/txn_detail/status", Reason: "absent, but the schema says non-null", Count: 2}},
			NotExercised: []string{"refund.status"}},
	})
	return r
}

func TestConsumersInEveryFormat(t *testing.T) {
	r := consumerRun()
	var js bytes.Buffer
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	if err := validateJSON(t, compileSchema(t), "consumers", js.Bytes()); err != nil {
		t.Errorf("a run with consumers does not match %s: %v", schemaPath, err)
	}
	for _, want := range []string{`"consumers": [`, `"fields_supplied": 1`, `"path": "order.txn_detail.status"`, `"not_exercised": [`, `"verdict": "fail"`} {
		if !strings.Contains(js.String(), want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, r, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### Consumers (2)", "| twid | fail | 1 of 3 | 1 | 1 |", "`order.txn_detail.status`"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
	var html bytes.Buffer
	if err := WriteHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<section id="consumers">`, `href="#consumers"`, "<code>order.txn_detail.status</code>", "1 of 3"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

// A failing consumer fails the run even when every spec passed.
func TestConsumerFailsVerdict(t *testing.T) {
	r := sampleRun()
	for i := range r.Specs {
		r.Specs[i].State = "passed"
	}
	if got := r.normalized().Verdict; got == VerdictFail {
		t.Fatalf("baseline verdict %s", got)
	}
	r.Consumers = []Consumer{{Name: "c", Status: consumers.StatusFail}}
	if got := r.normalized().Verdict; got != VerdictFail {
		t.Errorf("verdict %s, want fail", got)
	}
	r.Consumers = []Consumer{{Name: "c", Status: consumers.StatusNotExercised}}
	if got := r.normalized().Verdict; got == VerdictFail {
		t.Errorf("a consumer not exercised fails the run")
	}
}
