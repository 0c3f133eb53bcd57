package consumers_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jpcheck/jpcheck/consumers"
	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
)

var (
	schemaOnce sync.Once
	schema     *consumers.Schema
	schemaErr  error
)

func testSchema(t *testing.T) *consumers.Schema {
	t.Helper()
	schemaOnce.Do(func() {
		set, err := contracts.Load(specs.FS())
		if err != nil {
			schemaErr = err
			return
		}
		schema, schemaErr = consumers.SchemaOf(set)
	})
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	return schema
}

func TestLoadValid(t *testing.T) {
	c, err := consumers.LoadFile(filepath.Join("testdata", "order-status.graphql"), testSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "order-status" {
		t.Errorf("Name = %q", c.Name)
	}
	want := map[string]consumers.FieldRef{
		"order.order_id":          {Root: "order", Path: "order.order_id", Type: "Order", Field: "order_id", NonNull: true},
		"order.txn_detail":        {Root: "order", Path: "order.txn_detail", Type: "Order", Field: "txn_detail"},
		"order.txn_detail.status": {Root: "order", Path: "order.txn_detail.status", Type: "TxnDetail", Field: "status", NonNull: true},
	}
	got := c.Fields()
	if len(got) != 5 {
		t.Errorf("Fields: %d, want 5: %+v", len(got), got)
	}
	for _, f := range got {
		if w, ok := want[f.Path]; ok && f != w {
			t.Errorf("field %s: got %+v, want %+v", f.Path, f, w)
		}
	}
}

func TestLoadErrorsArePositioned(t *testing.T) {
	for file, want := range map[string]string{
		"unknown-field.graphql": `unknown-field.graphql:4:5: Cannot query field "colour" on type "Order".`,
		"wrong-nesting.graphql": `wrong-nesting.graphql:3:5: Field "status" must not have a selection since type "Order_status" has no subfields.`,
	} {
		_, err := consumers.LoadFile(filepath.Join("testdata", file), testSchema(t))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", file, err, want)
		}
	}
	for src, want := range map[string]string{
		"query { order }":                 "x.graphql:1:9: ",
		"query { order { order_id }":      "x.graphql:1:27: ",
		"mutation { order { order_id } }": "x.graphql:1:1: ",
		"":                                "x.graphql:",
	} {
		if _, err := consumers.Load("x.graphql", []byte(src), testSchema(t)); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: got %v, want prefix %q", src, err, want)
		}
	}
}

func TestExamplesValidate(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "examples", "consumers", "*.graphql"))
	if err != nil || len(files) < 5 {
		t.Fatalf("examples: %v %v", files, err)
	}
	for _, f := range files {
		if _, err := consumers.LoadFile(f, testSchema(t)); err != nil {
			t.Errorf("%v", err)
		}
	}
}

func example(t *testing.T, file string) []byte {
	t.Helper()
	b, err := specs.ExampleData(file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func load(t *testing.T, src string) *consumers.Consumer {
	t.Helper()
	c, err := consumers.Load("c.graphql", []byte(src), testSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCheckSamplesPass(t *testing.T) {
	c := load(t, `query { order { order_id status amount txn_detail { status txn_id } } }`)
	var ps []consumers.Payload
	for _, f := range []string{"order-status-cred-hypercheckout-success.json", "order-status-card.json", "order-status-upi.json"} {
		ps = append(ps, consumers.Payload{Kind: contracts.KindOrderStatus, Request: "sample " + f, Body: example(t, f)})
	}
	res := consumers.Check(c, ps)
	if !res.Pass || res.Status != consumers.StatusPass || res.Supplied != res.Selected || res.Payloads != 3 {
		t.Errorf("got %+v, want a pass", res)
	}
}

// mutate decodes body, applies f to the order object and encodes it again.
func mutate(t *testing.T, body []byte, f func(o map[string]any)) []byte {
	t.Helper()
	var o map[string]any
	if err := json.Unmarshal(body, &o); err != nil {
		t.Fatal(err)
	}
	f(o)
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCheckFailures(t *testing.T) {
	c := load(t, `query { order { order_id status amount txn_detail { status } } }`)
	base := example(t, "order-status-card.json")
	cases := []struct {
		name, path, reason string
		f                  func(o map[string]any)
	}{
		{"absent", "order.order_id", "absent", func(o map[string]any) { delete(o, "order_id") }},
		{"wrong type", "order.amount", "wrong type: a boolean", func(o map[string]any) { o["amount"] = true }},
		{"null", "order.status", "null, but the schema says non-null", func(o map[string]any) { o["status"] = nil }},
		{"enum", "order.status", "not a value of enum", func(o map[string]any) { o["status"] = "TELEPORTED" }},
		{"nested", "order.txn_detail.status", "absent", func(o map[string]any) { delete(o["txn_detail"].(map[string]any), "status") }},
		{"never", "order.txn_detail", "never supplied", func(o map[string]any) { delete(o, "txn_detail") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := consumers.Check(c, []consumers.Payload{{Kind: contracts.KindOrderStatus, Request: "GET /orders/o1", Body: mutate(t, base, tc.f)}})
			if res.Pass || res.Status != consumers.StatusFail || len(res.Missing) != 1 {
				t.Fatalf("got %+v, want one missing field", res)
			}
			m := res.Missing[0]
			if m.Path != tc.path || m.Request != "GET /orders/o1" || !strings.Contains(m.Reason, tc.reason) {
				t.Errorf("got %+v, want %s: %s", m, tc.path, tc.reason)
			}
		})
	}
}

func TestCheckArraysAliasesAndWebhooks(t *testing.T) {
	c := load(t, `query { order { refunds { status amount } } }`)
	body := mutate(t, example(t, "order-status-card.json"), func(o map[string]any) {
		o["refunds"] = []any{map[string]any{"status": "SUCCESS", "amount": 1.5}, map[string]any{"status": "SUCCESS"}}
	})
	res := consumers.Check(c, []consumers.Payload{{Kind: contracts.KindOrderStatus, Request: "r", Body: body}})
	if res.Pass || len(res.Missing) != 1 || res.Missing[0].Path != "order.refunds.amount" || res.Missing[0].Pointer != "/refunds/1/amount" {
		t.Errorf("every element is checked: got %+v", res)
	}

	hooks := load(t, `query { webhook_order_succeeded { event_name content { order { order_id } } } webhook_mandate_revoked { event_name } }`)
	hook := []byte(`{"id":"evt_1","event_name":"ORDER_SUCCEEDED","date_created":"2024-01-01T00:00:00Z","content":{"order":{"order_id":"o1"}}}`)
	res = consumers.Check(hooks, []consumers.Payload{
		{Kind: contracts.KindWebhook, Event: "ORDER_SUCCEEDED", Request: "webhook ORDER_SUCCEEDED evt_1", Body: hook},
		{Kind: contracts.KindOrderStatus, Request: "GET /orders/o1", Body: []byte(`{}`)},
	})
	if res.Status != consumers.StatusNotExercised || res.Pass || len(res.Missing) != 0 || strings.Join(res.NotExercised, ",") != "webhook_mandate_revoked.event_name" {
		t.Errorf("got %+v, want the mandate root not exercised", res)
	}
	if res.Supplied != 4 || res.Selected != 5 {
		t.Errorf("supplied %d of %d, want 4 of 5", res.Supplied, res.Selected)
	}
}
