package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/specdiff"
	"github.com/jpcheck/jpcheck/specs"
	"github.com/spf13/pflag"
)

// diffEdit changes one exported spec file: old, first found after anchor, becomes new.
type diffEdit struct{ file, anchor, old, new string }

// diffTree exports the embedded specs to a temporary directory and applies edits, so a NEW
// tree is the shipped specs plus the change under test.
func diffTree(t *testing.T, edits ...diffEdit) string {
	t.Helper()
	dir := t.TempDir()
	if err := specs.Export(dir); err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		p := filepath.Join(dir, e.file)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		at := strings.Index(text, e.anchor)
		i := -1
		if at >= 0 {
			i = strings.Index(text[at:], e.old)
		}
		if i < 0 {
			t.Fatalf("%s: %q not found after %q", e.file, e.old, e.anchor)
		}
		i += at
		if err := os.WriteFile(p, []byte(text[:i]+e.new+text[i+len(e.old):]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const diffOrder = "\n    Order:\n"

// The shipped change of each case: a response field removed (udf1 renamed away).
var diffRemoveUdf1 = []diffEdit{
	{"order-status.yaml", diffOrder, "        udf1:\n", "        udf1_renamed:\n"},
}

type diffJSON struct {
	Version int    `json:"version"`
	Old     string `json:"old"`
	New     string `json:"new"`
	Changes []struct {
		Kind      string   `json:"kind"`
		Location  string   `json:"location"`
		Direction string   `json:"direction"`
		Breaking  bool     `json:"breaking"`
		Message   string   `json:"message"`
		Consumers []string `json:"consumers"`
	} `json:"changes"`
	Consumers []struct {
		Name    string `json:"name"`
		File    string `json:"file"`
		Broken  bool   `json:"broken"`
		Changes int    `json:"changes"`
	} `json:"consumers"`
}

func decodeDiff(t *testing.T, out string) diffJSON {
	t.Helper()
	var r diffJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, clipOut(out))
	}
	if r.Version != 1 {
		t.Errorf("version %d, want 1", r.Version)
	}
	return r
}

func TestDiff(t *testing.T) {
	removed := diffTree(t, diffRemoveUdf1...)
	added := diffTree(t, diffEdit{"order-status.yaml", diffOrder, "          - PENDING_VBV\n", "          - PENDING_VBV\n          - BRAND_NEW\n"})
	broken := diffTree(t, diffEdit{"openapi.yaml", "", "openapi: 3.1.0\n", "openapi: 3.1.0\npaths: [\n"})
	noRoot := t.TempDir()
	runTable(t, []cliCase{
		{name: "identical", args: []string{"diff", "embedded", "embedded"}, wantCode: exitOK,
			stdout: []outCheck{textLines("no changes between embedded and embedded", "0 changes, 0 breaking")}},
		{name: "identical directory", args: []string{"diff", "embedded", diffTree(t)}, wantCode: exitOK,
			stdout: []outCheck{contains("0 changes, 0 breaking")}},
		{name: "breaking without consumers", args: []string{"diff", "embedded", removed}, wantCode: exitFindings,
			stdout: []outCheck{hasPrefix("BREAKING\n"), contains("field-removed", "Order.udf1", "response", "webhook", "non-breaking", "Order.udf1_renamed")}},
		{name: "only non-breaking", args: []string{"diff", "embedded", added}, wantCode: exitOK,
			stdout: []outCheck{hasPrefix("non-breaking\n"), contains("enum-widened", "BRAND_NEW", ", 0 breaking")}},
		{name: "json", args: []string{"diff", "--format", "json", "embedded", removed}, wantCode: exitFindings,
			stdout: []outCheck{func(t *testing.T, out string) {
				r := decodeDiff(t, out)
				if r.Old != "embedded" || r.New != removed || r.Consumers == nil || len(r.Consumers) != 0 {
					t.Errorf("header: %+v", r)
				}
				if len(r.Changes) == 0 || !r.Changes[0].Breaking || r.Changes[0].Consumers == nil {
					t.Fatalf("changes: %+v", r.Changes)
				}
				seen := false
				for i, c := range r.Changes {
					if i > 0 && c.Breaking && !r.Changes[i-1].Breaking {
						t.Errorf("breaking change after a non-breaking one: %+v", c)
					}
					seen = seen || (c.Kind == "field-removed" && c.Location == "Order.udf1" && c.Direction == "response")
				}
				if !seen {
					t.Errorf("no field-removed Order.udf1 response: %+v", r.Changes)
				}
			}}},

		{name: "one argument", args: []string{"diff", "embedded"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("takes 2 argument(s)")}},
		{name: "missing directory", args: []string{"diff", "embedded", filepath.Join(noRoot, "nope")}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("NEW", "nope")}},
		{name: "no openapi.yaml", args: []string{"diff", noRoot, "embedded"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("OLD", "openapi.yaml")}},
		{name: "invalid spec", args: []string{"diff", "embedded", broken}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("NEW", "openapi.yaml")}},
		{name: "bad format", args: []string{"diff", "--format", "xml", "embedded", "embedded"}, wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("--format", "xml")}},
	})
}

// The manual (docs/consumers.md) documents every flag of jpcheck diff, every change kind and
// every direction.
func TestDiffDocumented(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "consumers.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start := strings.Index(readme, "## Breaking changes: `jpcheck diff`")
	if start < 0 {
		t.Fatal("docs/consumers.md has no \"Breaking changes: `jpcheck diff`\" section")
	}
	section := readme[start:]
	if end := strings.Index(section[1:], "\n## "); end >= 0 {
		section = section[:end+1]
	}
	newDiffCmd(streams{}).Flags().VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(section, "`--"+f.Name) {
			t.Errorf("flag --%s is not in docs/consumers.md's diff section", f.Name)
		}
	})
	for _, name := range append(specdiff.Kinds(), specdiff.Response, specdiff.Request, specdiff.Webhook, specdiff.Embedded) {
		if !strings.Contains(section, "`"+name+"`") {
			t.Errorf("%s is not in docs/consumers.md's diff section", name)
		}
	}
}

// consumersOf decodes the consumers block, by name.
func consumersOf(t *testing.T, out string) map[string]bool {
	t.Helper()
	r := decodeDiff(t, out)
	broken := map[string]bool{}
	for _, c := range r.Consumers {
		broken[c.Name] = c.Broken
	}
	return broken
}

func wantBroken(want map[string]bool) outCheck {
	return func(t *testing.T, out string) {
		t.Helper()
		got := consumersOf(t, out)
		if len(got) != len(want) {
			t.Errorf("consumers %v, want %v", got, want)
		}
		for n, b := range want {
			if g, ok := got[n]; !ok || g != b {
				t.Errorf("consumer %s broken = %v (listed %v), want %v", n, g, ok, b)
			}
		}
	}
}

func TestDiffConsumers(t *testing.T) {
	a, b := filepath.Join("testdata", "diff-consumer-a.graphql"), filepath.Join("testdata", "diff-consumer-b.graphql")
	sub := filepath.Join("testdata", "diff-subscriber.graphql")
	removed := diffTree(t, diffRemoveUdf1...)
	optional := diffTree(t, diffEdit{"webhooks.yaml", "\n    OrderSucceededWebhook:\n", "      - date_created\n", ""})
	request := diffTree(t, diffEdit{"rewards.yaml", "\n    TxnRefundRequest:\n", "required: [unique_request_id, amount]", "required: [unique_request_id, amount, reason]"},
		diffEdit{"rewards.yaml", "\n    OrderRefundRequest:\n", "        direct_refund_response:\n", "        x_gone:\n"})
	runTable(t, []cliCase{
		{name: "removed field breaks the consumer that selects it, not the other", wantCode: exitFindings,
			args:   []string{"diff", "--format", "json", "embedded", removed, "--consumer", a, "--consumer", b},
			stdout: []outCheck{wantBroken(map[string]bool{"diff-consumer-a": true, "diff-consumer-b": false})}},
		{name: "text names the broken consumer", wantCode: exitFindings,
			args:   []string{"diff", "embedded", removed, "--consumer", a, "--consumer", b},
			stdout: []outCheck{contains("breaks: diff-consumer-a", "consumer diff-consumer-a ("+a+"): BROKEN by 1 change", "consumer diff-consumer-b ("+b+"): ok")}},
		{name: "breaking changes that break no consumer pass the gate", wantCode: exitOK,
			args:   []string{"diff", "--format", "json", "embedded", removed, "--consumer", b},
			stdout: []outCheck{wantBroken(map[string]bool{"diff-consumer-b": false}), contains(`"breaking": true`)}},
		{name: "webhook field made optional breaks its subscriber", wantCode: exitFindings,
			args: []string{"diff", "--format", "json", "embedded", optional, "--consumer", sub, "--consumer", a},
			stdout: []outCheck{wantBroken(map[string]bool{"diff-subscriber": true, "diff-consumer-a": false}), func(t *testing.T, out string) {
				for _, c := range decodeDiff(t, out).Changes {
					if c.Kind == "made-optional" && c.Location == "OrderSucceededWebhook.date_created" {
						if !c.Breaking || c.Direction != "webhook" || len(c.Consumers) != 1 || c.Consumers[0] != "diff-subscriber" {
							t.Errorf("made-optional: %+v", c)
						}
						return
					}
				}
				t.Error("no made-optional OrderSucceededWebhook.date_created")
			}}},
		{name: "request changes: required added is breaking, removed field is not", wantCode: exitFindings,
			args: []string{"diff", "--format", "json", "embedded", request},
			stdout: []outCheck{func(t *testing.T, out string) {
				got := map[string]bool{}
				for _, c := range decodeDiff(t, out).Changes {
					got[c.Kind+" "+c.Location+" "+c.Direction] = c.Breaking
				}
				for k, want := range map[string]bool{"required-added TxnRefundRequest.reason request": true,
					"field-removed OrderRefundRequest.direct_refund_response request": false} {
					if b, ok := got[k]; !ok || b != want {
						t.Errorf("%s: breaking %v (listed %v), want %v; all: %v", k, b, ok, want, got)
					}
				}
			}}},
		{name: "consumers read responses, so a request change breaks none", wantCode: exitOK,
			args:   []string{"diff", "--format", "json", "embedded", request, "--consumer", a, "--consumer", b},
			stdout: []outCheck{wantBroken(map[string]bool{"diff-consumer-a": false, "diff-consumer-b": false})}},
		{name: "bad consumer", wantCode: exitUsage,
			args:   []string{"diff", "embedded", "embedded", "--consumer", filepath.Join("testdata", "diff-consumer-bad.graphql")},
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("diff-consumer-bad.graphql:3:5:", "no_such_field")}},
		{name: "missing consumer", wantCode: exitUsage,
			args:   []string{"diff", "embedded", "embedded", "--consumer", filepath.Join("testdata", "no-such.graphql")},
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine("no-such.graphql")}},
	})
}
