package suites

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/jpcheck/jpcheck/contracts"
)

// Cross-channel consistency: what a webhook says about an order against what order status
// says right after, and the deliveries against each other. Types and presence are the
// contracts' business; these checks compare values only where both sides carry them, so one
// defect is reported once, by the rule that owns it.

// orderFields are the order fields a webhook and order status must agree on.
var orderFields = []string{"status", "status_id", "amount", "effective_amount", "amount_refunded", "refunded", "txn_id", "txn_uuid"}

// refundFields are compared per refund, matched by unique_request_id.
var refundFields = []string{"id", "amount", "status"}

// txnFields are compared between content.txn of TXN_* and the txn_detail order status shows.
var txnFields = []string{"txn_uuid", "status", "txn_amount", "net_amount", "order_id", "currency", "gateway"}

// orderMandateFields are compared between the mandate blocks of an order webhook and order
// status.
var orderMandateFields = []string{"mandate_id", "mandate_status", "mandate_type", "max_amount"}

// mandateFields are compared between content.mandate of MANDATE_* and the Mandate Status API.
// max_amount is a decimal string in the callback and a number in the API: compared by value.
var mandateFields = []string{"status", "mandate_id", "order_id", "customer_id", "mandate_type", "mandate_token",
	"max_amount", "amount_rule", "frequency", "rule_type", "rule_value", "start_date", "end_date", "currency",
	"block_fund", "revokable_by_customer"}

// notificationFields are compared between content.notification of NOTIFICATION_* and the
// Notification Status API.
var notificationFields = []string{"id", "status", "object_reference_id", "description", "provider_name", "notification_type", "source_object"}

// compareOrder compares the order inside a webhook (at webhookBase in the envelope, such as
// /content/order) with order status. Expected is order status' value, Actual the webhook's.
func compareOrder(webhookOrder, apiOrder map[string]any, webhookBase, webhookRequest, apiRequest string) []Finding {
	c := comparison{base: webhookBase, request: webhookRequest, apiRequest: apiRequest}
	for _, f := range orderFields {
		c.field(webhookOrder, apiOrder, f, "/"+f, "/"+f)
	}
	c.refunds(webhookOrder, apiOrder)
	c.txnList(webhookOrder, apiOrder)
	wm, okW := webhookOrder["mandate"].(map[string]any)
	am, okA := apiOrder["mandate"].(map[string]any)
	if okW && okA {
		for _, f := range orderMandateFields {
			c.field(wm, am, f, "/mandate/"+f, "/mandate/"+f)
		}
	}
	return c.out
}

// compareMandate compares content.mandate of a MANDATE_* webhook with the mandate the Mandate
// Status API returns right after.
func compareMandate(webhookMandate, apiMandate map[string]any, webhookBase, webhookRequest, apiRequest string) []Finding {
	c := comparison{base: webhookBase, request: webhookRequest, apiRequest: apiRequest}
	for _, f := range mandateFields {
		c.field(webhookMandate, apiMandate, f, "/"+f, "/"+f)
	}
	wi, _ := webhookMandate["payment_info"].(map[string]any)
	ai, _ := apiMandate["payment_info"].(map[string]any)
	if wi != nil && ai != nil {
		for _, f := range []string{"payment_method_type", "payment_method"} {
			c.field(wi, ai, f, "/payment_info/"+f, "/payment_info/"+f)
		}
	}
	return c.out
}

// compareNotification compares content.notification of a NOTIFICATION_* webhook with the
// Notification Status API's answer right after.
func compareNotification(webhookN, apiN map[string]any, webhookBase, webhookRequest, apiRequest string) []Finding {
	c := comparison{base: webhookBase, request: webhookRequest, apiRequest: apiRequest}
	for _, f := range notificationFields {
		c.field(webhookN, apiN, f, "/"+f, "/"+f)
	}
	for _, sub := range []struct{ obj, key string }{{"mandate", "mandate_id"}, {"source_info", "amount"}, {"source_info", "txn_date"}} {
		w, _ := webhookN[sub.obj].(map[string]any)
		a, _ := apiN[sub.obj].(map[string]any)
		if w != nil && a != nil {
			c.field(w, a, sub.key, "/"+sub.obj+"/"+sub.key, "/"+sub.obj+"/"+sub.key)
		}
	}
	return c.out
}

// compareTxn compares content.txn of a TXN_* webhook with the same txn in order status: the
// order's own txn_detail when txn_id is the order's txn, else the txn_list entry holding it.
func compareTxn(webhookTxn, apiOrder map[string]any, webhookBase, webhookRequest, apiRequest string) []Finding {
	c := comparison{base: webhookBase, request: webhookRequest, apiRequest: apiRequest}
	txnID, _ := webhookTxn["txn_id"].(string)
	detail, apiBase := apiTxn(apiOrder, txnID)
	if detail == nil {
		c.add("/txn_id", "/txn_id", quote(txnID), describeValue(apiOrder["txn_id"], true),
			fmt.Sprintf("the webhook's txn %s is not a txn of the order %s returns", quote(txnID), apiRequest))
		return c.out
	}
	for _, f := range txnFields {
		c.field(webhookTxn, detail, f, "/"+f, apiBase+"/"+f)
	}
	if _, ok := detail["status_id"]; ok {
		c.field(webhookTxn, detail, "status_id", "/status_id", apiBase+"/status_id")
	}
	return c.out
}

// apiTxn finds txnID's details in order status and their pointer.
func apiTxn(order map[string]any, txnID string) (map[string]any, string) {
	if txnID == "" {
		return nil, ""
	}
	if id, _ := order["txn_id"].(string); id == txnID {
		if d, ok := order["txn_detail"].(map[string]any); ok {
			return d, "/txn_detail"
		}
	}
	list, _ := order["txn_list"].([]any)
	for i, e := range list {
		m, _ := e.(map[string]any)
		if id, _ := m["txn_id"].(string); id != txnID {
			continue
		}
		if d, ok := m["txn_detail"].(map[string]any); ok {
			return d, fmt.Sprintf("/txn_list/%d/txn_detail", i)
		}
		return m, fmt.Sprintf("/txn_list/%d", i)
	}
	return nil, ""
}

// compareDelivery compares a delivery's content with what the API says right after, by the
// event's content key: order status for order and txn events, the Mandate Status API for
// mandate events, the Notification Status API for notification events.
func compareDelivery(d Delivery, apiOrder map[string]any, apiRequest string) []Finding {
	env, ok := decodeObject(d.Body)
	if !ok {
		return nil
	}
	content, _ := env["content"].(map[string]any)
	family, _ := contracts.EventFamily(d.EventName)
	inner, _ := content[family].(map[string]any)
	switch {
	case inner == nil:
		return nil
	case family == "order":
		return compareOrder(inner, apiOrder, "/content/order", d.Request(), apiRequest)
	case family == "txn":
		return compareTxn(inner, apiOrder, "/content/txn", d.Request(), apiRequest)
	case family == "mandate":
		return compareMandate(inner, apiOrder, "/content/mandate", d.Request(), apiRequest)
	case family == "notification":
		return compareNotification(inner, apiOrder, "/content/notification", d.Request(), apiRequest)
	}
	return nil
}

type comparison struct {
	base, request, apiRequest string
	out                       []Finding
}

func (c *comparison) add(pointer, related, expected, actual, msg string) {
	c.out = append(c.out, Finding{
		Pointer: c.base + pointer, RelatedPointer: related, Rule: RuleConsistency, Severity: contracts.SeverityError,
		Request: c.request, RelatedRequest: c.apiRequest, Expected: expected, Actual: actual, Message: msg,
	})
}

// field compares key where both objects carry it.
func (c *comparison) field(w, a map[string]any, key, pointer, related string) {
	wv, okW := w[key]
	av, okA := a[key]
	if !okW || !okA || sameValue(wv, av) {
		return
	}
	c.add(pointer, related, describeValue(av, true), describeValue(wv, true),
		fmt.Sprintf("the webhook's %s is %s; %s says %s", key, describeValue(wv, true), c.apiRequest, describeValue(av, true)))
}

func (c *comparison) refunds(w, a map[string]any) {
	wl, okW := w["refunds"].([]any)
	al, okA := a["refunds"].([]any)
	_, hasW := w["refunds"]
	_, hasA := a["refunds"]
	if (hasW && !okW && w["refunds"] != nil) || (hasA && !okA && a["refunds"] != nil) {
		return // not a list: the contract says so
	}
	if len(wl) != len(al) {
		c.add("/refunds", "/refunds", strconv.Itoa(len(al))+" refund(s)", strconv.Itoa(len(wl))+" refund(s)",
			fmt.Sprintf("the webhook lists %d refund(s); %s lists %d", len(wl), c.apiRequest, len(al)))
	}
	byUID := map[string]int{}
	for j, e := range al {
		if m, ok := e.(map[string]any); ok {
			if uid, ok := m["unique_request_id"].(string); ok && uid != "" {
				byUID[uid] = j
			}
		}
	}
	for i, e := range wl {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		uid, _ := m["unique_request_id"].(string)
		if uid == "" {
			continue
		}
		j, found := byUID[uid]
		if !found {
			c.add(fmt.Sprintf("/refunds/%d/unique_request_id", i), "/refunds", "no such refund", quote(uid),
				fmt.Sprintf("the webhook has refund %s; %s has no refund with that unique_request_id", quote(uid), c.apiRequest))
			continue
		}
		am := al[j].(map[string]any)
		for _, f := range refundFields {
			c.field(m, am, f, fmt.Sprintf("/refunds/%d/%s", i, f), fmt.Sprintf("/refunds/%d/%s", j, f))
		}
	}
}

func (c *comparison) txnList(w, a map[string]any) {
	wl, okW := w["txn_list"].([]any)
	al, okA := a["txn_list"].([]any)
	if !okW || !okA {
		return
	}
	if len(wl) != len(al) {
		c.add("/txn_list", "/txn_list", strconv.Itoa(len(al))+" txn(s)", strconv.Itoa(len(wl))+" txn(s)",
			fmt.Sprintf("the webhook lists %d txn(s); %s lists %d", len(wl), c.apiRequest, len(al)))
		return
	}
	for i := range wl {
		wm, _ := wl[i].(map[string]any)
		am, _ := al[i].(map[string]any)
		if wm != nil && am != nil {
			c.field(wm, am, "txn_id", fmt.Sprintf("/txn_list/%d/txn_id", i), fmt.Sprintf("/txn_list/%d/txn_id", i))
		}
	}
}

// sameValue compares two decoded JSON values by value: numbers and numeric strings by decimal
// value, booleans and "true"/"false" alike, everything else by its JSON text.
func sameValue(a, b any) bool {
	if x, ok := decimal(a); ok {
		if y, ok := decimal(b); ok {
			return x.Cmp(y) == 0
		}
	}
	if x, ok := boolean(a); ok {
		if y, ok := boolean(b); ok {
			return x == y
		}
	}
	return describeValue(a, false) == describeValue(b, false)
}

// decimal reads a JSON number, or a string holding one, exactly.
func decimal(v any) (*big.Rat, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		s = strconv.Itoa(x)
	case string:
		s = strings.TrimSpace(x)
	default:
		return nil, false
	}
	// Only JSON's number syntax: big.Rat alone would also read "1/2" and "0x10".
	if s == "" || !(s[0] == '-' || s[0] >= '0' && s[0] <= '9') || !json.Valid([]byte(s)) {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

func boolean(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(x)
		return b, err == nil && (x == "true" || x == "false")
	}
	return false, false
}

// describeValue renders a decoded JSON value for a message: its JSON text, clipped.
func describeValue(v any, clip bool) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if clip && len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}

func quote(s string) string { return strconv.Quote(s) }

// decodeObject decodes a JSON object keeping numbers as written.
func decodeObject(b []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

// statusRank orders payment states: created, in progress, settled. Statuses outside the table
// (mandate and refund states, unknown ones) have no rank and are not ordered.
func statusRank(status string) (int, bool) {
	switch status {
	case "NEW", "CREATED":
		return 0, true
	case "STARTED", "PENDING_VBV", "VBV_SUCCESSFUL", "AUTHORIZING", "AUTHORIZED", "COD_INITIATED",
		"CAPTURE_INITIATED", "VOID_INITIATED":
		return 1, true
	case "CHARGED", "PARTIAL_CHARGED", "AUTO_REFUNDED", "VOIDED":
		return 2, true
	}
	if failedStatus(status) {
		return 2, true
	}
	return 0, false
}

func failedStatus(status string) bool {
	switch status {
	case "JUSPAY_DECLINED", "AUTHENTICATION_FAILED", "AUTHORIZATION_FAILED", "CAPTURE_FAILED", "VOID_FAILED":
		return true
	}
	return false
}

// orderState is what a delivery says about its order's progress.
type orderState struct {
	d        Delivery
	base     string // the content object's pointer
	status   string
	rank     int
	txnID    string
	refunded *big.Rat // nil for TXN_* events, which carry no refund total
}

func stateOf(d Delivery) (orderState, bool) {
	env, ok := decodeObject(d.Body)
	if !ok {
		return orderState{}, false
	}
	content, _ := env["content"].(map[string]any)
	for _, family := range []string{"order", "txn"} {
		obj, ok := content[family].(map[string]any)
		if !ok {
			continue
		}
		status, _ := obj["status"].(string)
		rank, ok := statusRank(status)
		if !ok {
			return orderState{}, false
		}
		st := orderState{d: d, base: "/content/" + family, status: status, rank: rank}
		st.txnID, _ = obj["txn_id"].(string)
		if family == "order" {
			st.refunded, _ = decimal(obj["amount_refunded"])
			if st.refunded == nil {
				st.refunded = new(big.Rat)
			}
		}
		return st, true
	}
	return orderState{}, false
}

// before reports whether s is an older state than high, and the field that shows it.
func (s orderState) before(high orderState) (string, bool) {
	if s.rank != high.rank {
		return "/status", s.rank < high.rank
	}
	if s.refunded != nil && high.refunded != nil && s.refunded.Cmp(high.refunded) < 0 {
		return "/amount_refunded", true
	}
	return "", false
}

// deliveryOrder judges deliveries in arrival order: every extra copy of an event id is a
// duplicate (a warning: delivery is at-least-once), and a distinct event that carries an older
// state of its order than one delivered before it is out of order (an error).
func deliveryOrder(ds []Delivery) []Finding {
	ds = append([]Delivery(nil), ds...)
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Seq < ds[j].Seq })
	var out []Finding
	first := map[string]Delivery{}
	high := map[string]orderState{}
	for _, d := range ds {
		if d.EventID != "" {
			if f, dup := first[d.EventID]; dup {
				msg := fmt.Sprintf("event %s was delivered again (first as #%d)", d.EventID, f.Seq)
				if !bytes.Equal(f.Body, d.Body) {
					msg += "; this copy's body differs from the first"
				}
				out = append(out, Finding{
					Pointer: "/id", Rule: RuleDuplicate, Severity: contracts.SeverityWarning, Message: msg,
					Request: d.Request(), RelatedRequest: f.Request(), RelatedPointer: "/id",
				})
				continue
			}
			first[d.EventID] = d
		}
		if d.OrderID == "" {
			continue
		}
		st, ok := stateOf(d)
		if !ok {
			continue
		}
		h, seen := high[d.OrderID]
		// A failed attempt is final for its txn only: a new txn_id on the order is a retry,
		// which legitimately starts over from PENDING_VBV.
		retry := seen && failedStatus(h.status) && st.txnID != "" && h.txnID != "" && st.txnID != h.txnID
		if !seen || retry {
			high[d.OrderID] = st
			continue
		}
		if field, older := st.before(h); older {
			expected, actual := h.status, st.status
			if field == "/amount_refunded" {
				expected, actual = h.refunded.FloatString(2), st.refunded.FloatString(2)
			}
			out = append(out, Finding{
				Pointer: st.base + field, Rule: RuleOutOfOrder, Severity: contracts.SeverityError,
				Message: fmt.Sprintf("%s of order %s carries %s %s, older than %s %s delivered before it (#%d)",
					d.EventName, d.OrderID, strings.TrimPrefix(field, "/"), actual, h.d.EventName, expected, h.d.Seq),
				Request: d.Request(), RelatedRequest: h.d.Request(), RelatedPointer: h.base + field,
				Expected: "a state at or after " + expected, Actual: actual,
			})
			continue
		}
		if st.rank > h.rank || st.refunded != nil && (h.refunded == nil || st.refunded.Cmp(h.refunded) > 0) {
			high[d.OrderID] = st
		}
	}
	return out
}
