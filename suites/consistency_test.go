package suites

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
)

// consistencyOrder is an order as both channels might show it: numbers as JSON numbers.
func consistencyOrder() map[string]any {
	return map[string]any{
		"order_id": "o1", "status": "CHARGED", "status_id": json.Number("21"), "amount": json.Number("100"),
		"effective_amount": json.Number("100"), "amount_refunded": json.Number("40"), "refunded": false,
		"txn_id": "m-o1-1", "txn_uuid": "uuid1",
		"refunds":    []any{map[string]any{"id": "r1", "unique_request_id": "r1", "amount": json.Number("40"), "status": "SUCCESS"}},
		"txn_detail": map[string]any{"txn_id": "m-o1-1", "txn_uuid": "uuid1", "status": "CHARGED", "txn_amount": json.Number("100"), "order_id": "o1"},
		"txn_list":   []any{map[string]any{"txn_id": "m-o1-1"}, map[string]any{"txn_id": "m-o1-1-2"}},
	}
}

// edit returns a deep copy of consistencyOrder changed by f.
func edit(f func(m map[string]any)) map[string]any {
	b, _ := json.Marshal(consistencyOrder())
	m, _ := decodeObject(b)
	f(m)
	return m
}

func TestConsistencyCompareOrder(t *testing.T) {
	tests := []struct {
		name     string
		webhook  map[string]any
		pointers []string // the findings' pointers, in order; none for a clean case
		related  []string
	}{
		{"identical", consistencyOrder(), nil, nil},
		{"numbers by decimal value", edit(func(m map[string]any) {
			m["amount"], m["status_id"], m["amount_refunded"], m["effective_amount"] = "100.00", "21", 40.0, json.Number("1e2")
			m["refunded"] = "false"
		}), nil, nil},
		{"fields the webhook lacks are the contract's business", edit(func(m map[string]any) {
			delete(m, "txn_uuid")
			delete(m, "txn_list")
		}), nil, nil},
		{"status", edit(func(m map[string]any) { m["status"], m["status_id"] = "PENDING_VBV", json.Number("23") }),
			[]string{"/content/order/status", "/content/order/status_id"}, []string{"/status", "/status_id"}},
		{"amounts", edit(func(m map[string]any) { m["amount"], m["amount_refunded"] = "100.01", json.Number("0") }),
			[]string{"/content/order/amount", "/content/order/amount_refunded"}, []string{"/amount", "/amount_refunded"}},
		{"refunded flag", edit(func(m map[string]any) { m["refunded"] = true }),
			[]string{"/content/order/refunded"}, []string{"/refunded"}},
		{"txn ids", edit(func(m map[string]any) { m["txn_id"], m["txn_uuid"] = "m-o1-2", nil }),
			[]string{"/content/order/txn_id", "/content/order/txn_uuid"}, []string{"/txn_id", "/txn_uuid"}},
		{"refund missing", edit(func(m map[string]any) { m["refunds"] = []any{} }),
			[]string{"/content/order/refunds"}, []string{"/refunds"}},
		{"refund fields", edit(func(m map[string]any) {
			r := m["refunds"].([]any)[0].(map[string]any)
			r["status"], r["amount"], r["id"] = "PENDING", "41", "r2"
		}), []string{"/content/order/refunds/0/id", "/content/order/refunds/0/amount", "/content/order/refunds/0/status"},
			[]string{"/refunds/0/id", "/refunds/0/amount", "/refunds/0/status"}},
		{"refund the API does not have", edit(func(m map[string]any) {
			m["refunds"].([]any)[0].(map[string]any)["unique_request_id"] = "other"
		}), []string{"/content/order/refunds/0/unique_request_id"}, []string{"/refunds"}},
		{"txn_list ids", edit(func(m map[string]any) {
			m["txn_list"].([]any)[1].(map[string]any)["txn_id"] = "m-o1-1-3"
		}), []string{"/content/order/txn_list/1/txn_id"}, []string{"/txn_list/1/txn_id"}},
		{"txn_list length", edit(func(m map[string]any) { m["txn_list"] = m["txn_list"].([]any)[:1] }),
			[]string{"/content/order/txn_list"}, []string{"/txn_list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := compareOrder(tt.webhook, consistencyOrder(), "/content/order", "webhook ORDER_REFUNDED evt_1 #3", "GET /orders/o1")
			var got, rel []string
			for _, f := range fs {
				got, rel = append(got, f.Pointer), append(rel, f.RelatedPointer)
				if f.Rule != RuleConsistency || f.Severity != contracts.SeverityError {
					t.Errorf("finding %+v: want rule %s, severity error", f, RuleConsistency)
				}
				if f.Request != "webhook ORDER_REFUNDED evt_1 #3" || f.RelatedRequest != "GET /orders/o1" {
					t.Errorf("finding %+v: wrong request names", f)
				}
				if f.Message == "" || f.Expected == "" || f.Actual == "" {
					t.Errorf("finding %+v: message, expected and actual must be set", f)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.pointers) || fmt.Sprint(rel) != fmt.Sprint(tt.related) {
				t.Errorf("pointers %v related %v, want %v related %v\nfindings: %+v", got, rel, tt.pointers, tt.related, fs)
			}
		})
	}
}

func TestConsistencyExpectedIsTheAPIsValue(t *testing.T) {
	fs := compareOrder(edit(func(m map[string]any) { m["status"] = "PENDING_VBV" }), consistencyOrder(), "/content/order", "w", "GET /orders/o1")
	if len(fs) != 1 || fs[0].Expected != `"CHARGED"` || fs[0].Actual != `"PENDING_VBV"` {
		t.Fatalf("got %+v, want expected \"CHARGED\" (the API) and actual \"PENDING_VBV\" (the webhook)", fs)
	}
}

func TestConsistencyCompareTxn(t *testing.T) {
	txn := func(f func(m map[string]any)) map[string]any {
		m := map[string]any{"txn_id": "m-o1-1", "txn_uuid": "uuid1", "status": "CHARGED", "status_id": json.Number("21"), "txn_amount": "100.0", "order_id": "o1"}
		if f != nil {
			f(m)
		}
		return m
	}
	tests := []struct {
		name     string
		webhook  map[string]any
		pointers []string
		related  []string
	}{
		{"clean", txn(nil), nil, nil},
		{"status and amount", txn(func(m map[string]any) { m["status"], m["txn_amount"] = "AUTHORIZATION_FAILED", 99 }),
			[]string{"/content/txn/status", "/content/txn/txn_amount"}, []string{"/txn_detail/status", "/txn_detail/txn_amount"}},
		{"unknown txn", txn(func(m map[string]any) { m["txn_id"] = "nope" }), []string{"/content/txn/txn_id"}, []string{"/txn_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := compareTxn(tt.webhook, consistencyOrder(), "/content/txn", "webhook TXN_CHARGED e #2", "GET /orders/o1")
			var got, rel []string
			for _, f := range fs {
				got, rel = append(got, f.Pointer), append(rel, f.RelatedPointer)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.pointers) || fmt.Sprint(rel) != fmt.Sprint(tt.related) {
				t.Errorf("pointers %v related %v, want %v related %v", got, rel, tt.pointers, tt.related)
			}
		})
	}
}

func TestConsistencyCompareDeliveryByContentKey(t *testing.T) {
	order := consistencyOrder()
	order["status"] = "AUTHORIZING"
	body, _ := json.Marshal(map[string]any{"id": "e1", "event_name": "ORDER_SUCCEEDED", "content": map[string]any{"order": order}})
	d := Delivery{Seq: 1, EventID: "e1", EventName: "ORDER_SUCCEEDED", OrderID: "o1", Body: body}
	fs := compareDelivery(d, consistencyOrder(), "GET /orders/o1")
	if len(fs) != 1 || fs[0].Pointer != "/content/order/status" || fs[0].Request != d.Request() {
		t.Fatalf("got %+v, want one finding at /content/order/status", fs)
	}
	d.Body = []byte(`{"id":"e1","event_name":"ORDER_SUCCEEDED","content":"not an object"}`)
	if fs := compareDelivery(d, consistencyOrder(), "GET /orders/o1"); len(fs) != 0 {
		t.Fatalf("a content that is not an object is the contract's finding, got %+v", fs)
	}
}

// delivery builds a delivery of event for order o1 carrying the given state.
func testDelivery(seq int, id, event, family string, fields map[string]any) Delivery {
	content := map[string]any{"order_id": "o1"}
	for k, v := range fields {
		content[k] = v
	}
	body, _ := json.Marshal(map[string]any{"id": id, "event_name": event, "content": map[string]any{family: content}})
	return Delivery{Seq: seq, EventID: id, EventName: event, OrderID: "o1", Body: body, AuthOK: true}
}

func TestDeliveryOrder(t *testing.T) {
	created := testDelivery(1, "e1", "TXN_CREATED", "order", map[string]any{"status": "PENDING_VBV", "txn_id": "t1"})
	charged := testDelivery(2, "e2", "TXN_CHARGED", "txn", map[string]any{"status": "CHARGED", "txn_id": "t1"})
	succeeded := testDelivery(3, "e3", "ORDER_SUCCEEDED", "order", map[string]any{"status": "CHARGED", "txn_id": "t1", "amount_refunded": 0})
	initiated := testDelivery(4, "e4", "REFUND_INITIATED", "order", map[string]any{"status": "CHARGED", "txn_id": "t1", "amount_refunded": "0"})
	refunded := testDelivery(5, "e5", "ORDER_REFUNDED", "order", map[string]any{"status": "CHARGED", "txn_id": "t1", "amount_refunded": 40})
	failed := testDelivery(2, "f2", "ORDER_FAILED", "order", map[string]any{"status": "AUTHENTICATION_FAILED", "txn_id": "t1"})
	retry := testDelivery(3, "f3", "TXN_CREATED", "order", map[string]any{"status": "PENDING_VBV", "txn_id": "t2"})
	sameTxnPending := testDelivery(3, "f3", "TXN_CREATED", "order", map[string]any{"status": "PENDING_VBV", "txn_id": "t1"})
	mandate := testDelivery(6, "m1", "MANDATE_ACTIVATED", "mandate", map[string]any{"status": "ACTIVE"})
	again := func(d Delivery, seq int) Delivery { d.Seq = seq; return d }

	tests := []struct {
		name  string
		ds    []Delivery
		rules []contracts.Rule
		ptrs  []string
	}{
		{"in order", []Delivery{created, charged, succeeded, initiated, refunded, mandate}, nil, nil},
		{"arrival order is by seq, not slice order", []Delivery{charged, succeeded, created}, nil, nil},
		{"duplicate is a warning", []Delivery{created, charged, again(charged, 3)}, []contracts.Rule{RuleDuplicate}, []string{"/id"}},
		{"a repeated older event is a duplicate, not out of order", []Delivery{created, succeeded, again(created, 4)}, []contracts.Rule{RuleDuplicate}, []string{"/id"}},
		{"pending after charged", []Delivery{again(succeeded, 1), again(created, 2)}, []contracts.Rule{RuleOutOfOrder}, []string{"/content/order/status"}},
		{"txn event ranks by its status", []Delivery{again(succeeded, 1), testDelivery(2, "x", "TXN_CHARGED", "txn", map[string]any{"status": "PENDING_VBV", "txn_id": "t1"})},
			[]contracts.Rule{RuleOutOfOrder}, []string{"/content/txn/status"}},
		{"txn event after a refund is not older", []Delivery{again(refunded, 1), again(charged, 2)}, nil, nil},
		{"smaller amount_refunded after a larger one", []Delivery{again(refunded, 1), again(initiated, 2)}, []contracts.Rule{RuleOutOfOrder}, []string{"/content/order/amount_refunded"}},
		{"a retry after a failed attempt starts over", []Delivery{created, failed, retry}, nil, nil},
		{"the failed attempt itself cannot go back", []Delivery{created, failed, sameTxnPending}, []contracts.Rule{RuleOutOfOrder}, []string{"/content/order/status"}},
		{"unparseable bodies are skipped", []Delivery{{Seq: 1, EventID: "z", OrderID: "o1", Body: []byte("{")}, created}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := deliveryOrder(tt.ds)
			var rules []contracts.Rule
			var ptrs []string
			for _, f := range fs {
				rules, ptrs = append(rules, f.Rule), append(ptrs, f.Pointer)
				want := contracts.SeverityError
				if f.Rule == RuleDuplicate {
					want = contracts.SeverityWarning
				}
				if f.Severity != want || f.Request == "" || f.RelatedRequest == "" || f.Message == "" {
					t.Errorf("finding %+v: want severity %s, both requests and a message", f, want)
				}
			}
			if fmt.Sprint(rules) != fmt.Sprint(tt.rules) || fmt.Sprint(ptrs) != fmt.Sprint(tt.ptrs) {
				t.Errorf("rules %v at %v, want %v at %v\nfindings: %+v", rules, ptrs, tt.rules, tt.ptrs, fs)
			}
		})
	}
}

func TestDeliveryOrderNamesBothDeliveries(t *testing.T) {
	a := testDelivery(1, "e3", "ORDER_SUCCEEDED", "order", map[string]any{"status": "CHARGED"})
	b := testDelivery(2, "e1", "TXN_CREATED", "order", map[string]any{"status": "PENDING_VBV"})
	fs := deliveryOrder([]Delivery{a, b})
	if len(fs) != 1 {
		t.Fatalf("got %+v, want one finding", fs)
	}
	f := fs[0]
	if f.Request != b.Request() || f.RelatedRequest != a.Request() || f.RelatedPointer != "/content/order/status" ||
		!strings.Contains(f.Message, "PENDING_VBV") || !strings.Contains(f.Message, "#1") {
		t.Fatalf("finding %+v does not name the later delivery, the earlier one and both states", f)
	}
	dup := deliveryOrder([]Delivery{a, func() Delivery { c := a; c.Seq = 2; c.Body = append([]byte(nil), b.Body...); return c }()})
	if len(dup) != 1 || !strings.Contains(dup[0].Message, "differs") {
		t.Fatalf("a duplicate with another body should say so, got %+v", dup)
	}
}

func TestConsistencySameValue(t *testing.T) {
	equal := [][2]any{{"100", 100.0}, {json.Number("100.50"), "100.5"}, {"21", json.Number("21")}, {true, "true"}, {nil, nil}, {"a", "a"}}
	for _, p := range equal {
		if !sameValue(p[0], p[1]) {
			t.Errorf("%#v and %#v should be equal", p[0], p[1])
		}
	}
	differ := [][2]any{{"100", 100.01}, {"0x10", 16.0}, {"1/2", 0.5}, {"true", false}, {nil, "null"}, {"", 0.0}}
	for _, p := range differ {
		if sameValue(p[0], p[1]) {
			t.Errorf("%#v and %#v should differ", p[0], p[1])
		}
	}
}

// A mandate webhook is held against the Mandate Status API (max_amount a decimal string in the
// callback, a number in the API: equal by value), a notification against Notification Status,
// and an order webhook's mandate block against order status'.
func TestConsistencyMandatesAndNotifications(t *testing.T) {
	mandate := func(f func(m map[string]any)) map[string]any {
		m := map[string]any{"mandate_id": "m1", "status": "ACTIVE", "max_amount": "1000.00", "end_date": "2000000000",
			"block_fund": false, "payment_info": map[string]any{"payment_method_type": "UPI", "payment_method": "COLLECT"}}
		if f != nil {
			f(m)
		}
		return m
	}
	api := mandate(func(m map[string]any) { m["max_amount"] = json.Number("1000") })
	notification := func(f func(m map[string]any)) map[string]any {
		m := map[string]any{"id": "n1", "status": "SUCCESS", "object_reference_id": "r1",
			"mandate": map[string]any{"mandate_id": "m1"}, "source_info": map[string]any{"amount": "100.00", "txn_date": "1700000000"}}
		if f != nil {
			f(m)
		}
		return m
	}
	tests := []struct {
		name, event, family string
		content, api        map[string]any
		pointers            []string
	}{
		{"mandate agrees", "MANDATE_ACTIVATED", "mandate", mandate(nil), api, nil},
		{"mandate status and type", "MANDATE_PAUSED", "mandate", mandate(func(m map[string]any) {
			m["status"], m["block_fund"] = "PAUSED", true
			m["payment_info"].(map[string]any)["payment_method"] = "PAY"
		}), api, []string{"/content/mandate/status", "/content/mandate/block_fund", "/content/mandate/payment_info/payment_method"}},
		{"notification agrees", "NOTIFICATION_SUCCEEDED", "notification", notification(nil), notification(nil), nil},
		{"notification status and amount", "NOTIFICATION_SUCCEEDED", "notification", notification(func(m map[string]any) {
			m["status"] = "PENDING"
			m["source_info"].(map[string]any)["amount"] = "1"
		}), notification(nil), []string{"/content/notification/status", "/content/notification/source_info/amount"}},
		{"order's mandate block", "ORDER_SUCCEEDED", "order",
			edit(func(m map[string]any) { m["mandate"] = map[string]any{"mandate_id": "m1", "mandate_status": "FAILURE"} }),
			edit(func(m map[string]any) { m["mandate"] = map[string]any{"mandate_id": "m1", "mandate_status": "ACTIVE"} }),
			[]string{"/content/order/mandate/mandate_status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"id": "e1", "event_name": tt.event, "content": map[string]any{tt.family: tt.content}})
			d := Delivery{Seq: 1, EventID: "e1", EventName: tt.event, Body: body}
			var got []string
			for _, f := range compareDelivery(d, tt.api, "POST /mandates/m1") {
				got = append(got, f.Pointer)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.pointers) {
				t.Errorf("pointers %v, want %v", got, tt.pointers)
			}
		})
	}
	if got := mandateOf(Delivery{Body: []byte(`{"content":{"mandate":{"mandate_id":"m9"}}}`)}); got != "m9" {
		t.Errorf("mandateOf = %q", got)
	}
	if got := notificationOf(Delivery{Body: []byte(`{"content":{"notification":{"id":"n9"}}}`)}); got != "n9" {
		t.Errorf("notificationOf = %q", got)
	}
	if mandateOf(Delivery{Body: []byte(`not json`)}) != "" {
		t.Error("mandateOf of a broken body")
	}
}
