package mock

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
)

// mandateTestForm is an order create with the UPI mandate sample's options
// (mandates/create-order/request-upi.sh), the dates from the mock's own clock.
func mandateTestForm(id, customer string, now time.Time) url.Values {
	return url.Values{
		"order_id": {id}, "amount": {"1.00"}, "currency": {"INR"}, "customer_id": {customer},
		"customer_email": {"mandate@example.com"}, "customer_phone": {"9000000003"}, "customer_phone_country_code": {"+91"},
		"options.create_mandate": {"REQUIRED"}, "mandate.amount_rule": {"VARIABLE"}, "mandate.max_amount": {"1000.00"},
		"mandate.revokable_by_customer": {"true"}, "mandate.block_funds": {"false"},
		"mandate.start_date": {strconv.FormatInt(now.Unix(), 10)}, "mandate.end_date": {strconv.FormatInt(now.Add(365*24*time.Hour).Unix(), 10)},
		"mandate.frequency": {"MONTHLY"}, "mandate.rule_value": {"1"}, "mandate.rule_type": {"ON"},
		"metadata.PAYTM_V2:gateway_reference_id": {"upimandate"},
	}
}

// mandateTestClock reads the mock's time from GET /_mock/clock.
func mandateTestClock(t *testing.T, srv *httptest.Server) time.Time {
	t.Helper()
	var c struct {
		NowEpoch int64 `json:"now_epoch"`
	}
	r := testRequest(t, srv, "GET", "/_mock/clock", nil, nil)
	if r.code != 200 || json.Unmarshal(r.body, &c) != nil || c.NowEpoch == 0 {
		t.Fatalf("GET /_mock/clock: %d %s", r.code, r.body)
	}
	return time.Unix(c.NowEpoch, 0)
}

// mandateTestDo sends one call, wants code and a body valid as kind under strict, and returns
// the decoded body.
func mandateTestDo(t *testing.T, s *Server, srv *httptest.Server, method, path string, form url.Values, code int, kind contracts.Kind) map[string]any {
	t.Helper()
	r := testRequest(t, srv, method, path, form, nil)
	if r.code != code {
		t.Fatalf("%s %s: %d %s, want %d", method, path, r.code, r.body, code)
	}
	requireStrict(t, s, kind, r.body)
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return m
}

// mandateTestRegister creates a mandate order and pays it with pay; it returns the mandate id.
func mandateTestRegister(t *testing.T, s *Server, srv *httptest.Server, id, customer string, pay url.Values, extra url.Values) string {
	t.Helper()
	form := mandateTestForm(id, customer, mandateTestClock(t, srv))
	for k, v := range extra {
		form[k] = v
	}
	mandateTestDo(t, s, srv, "POST", "/orders", form, 200, contracts.KindOrderCreate)
	pay.Set("order_id", id)
	pay.Set("should_create_mandate", "true")
	mandateTestDo(t, s, srv, "POST", "/txns", pay, 200, contracts.KindTxn)
	o := mandateTestDo(t, s, srv, "GET", "/orders/"+id, nil, 200, contracts.KindOrderStatus)
	m, _ := o["mandate"].(map[string]any)
	mid, _ := m["mandate_id"].(string)
	if mid == "" {
		t.Fatalf("order %s carries no mandate block: %v", id, o["mandate"])
	}
	return mid
}

// mandateTestWebhooks lists every webhook recorded so far, each strict, and returns their
// event names.
func mandateTestWebhooks(t *testing.T, s *Server, srv *httptest.Server) []string {
	t.Helper()
	var names []string
	for _, d := range hookList(t, srv, "") {
		res, err := s.set.Validate(contracts.KindWebhook, d.Body, strictOptions)
		reportFindings(t, d.EventName, res, err)
		names = append(names, d.EventName)
	}
	return names
}

func want(t *testing.T, what string, got, want any) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// A UPI mandate through every state: registered, notified (accepted and refused), debited
// (within and over max_amount), paused, refused a debit, resumed, paused and resumed on a
// schedule the test clock brings, revoked; another one expired by the test clock. Every answer
// and every webhook is strict, and the webhooks come in the order the mandates changed.
func TestMandateLifecycle(t *testing.T) {
	s, srv := testServer(t, Config{})
	upi := url.Values{"payment_method_type": {"UPI"}, "payment_method": {"UPI_COLLECT"}, "upi_vpa": {"success@upi"}, "txn_type": {"UPI_COLLECT"}}
	mid := mandateTestRegister(t, s, srv, "mnd1", "cst_mandate", upi, nil)
	path := "/mandates/" + mid

	st := mandateTestDo(t, s, srv, "POST", path, url.Values{"command": {"check_status"}}, 200, contracts.KindMandate)
	want(t, "status", st["status"], "ACTIVE")
	want(t, "max_amount", st["max_amount"], 1000)
	want(t, "payment_info.upi", st["payment_info"].(map[string]any)["upi"], map[string]any{"payer_vpa": "success@upi"})
	list := mandateTestDo(t, s, srv, "GET", "/customers/cst_mandate/mandates", nil, 200, contracts.KindMandateList)
	want(t, "list count", list["count"], 1)

	// Notifications: within max_amount the gateway accepts it, above it refuses it.
	n := mandateTestDo(t, s, srv, "POST", path, url.Values{"command": {"pre_debit_notify"}, "object_reference_id": {"ref1"}, "description": {"June"},
		"source_info": {`{"amount": "100.00", "txn_date": "1686576938", "mandate.display_invoice_number": "INV1"}`}}, 200, contracts.KindNotification)
	want(t, "notification status", n["status"], "PENDING")
	n = mandateTestDo(t, s, srv, "GET", "/notifications/"+n["id"].(string), nil, 200, contracts.KindNotification)
	want(t, "notification status after", n["status"], "SUCCESS")
	bad := mandateTestDo(t, s, srv, "POST", path, url.Values{"command": {"pre_debit_notify"}, "metadata": {"m1"},
		"source_info": {`{"amount": "5000", "mandate": {"display_invoice_number": "INV2"}}`}}, 200, contracts.KindNotification)
	bad = mandateTestDo(t, s, srv, "GET", "/notifications/"+bad["id"].(string), nil, 200, contracts.KindNotification)
	want(t, "refused notification", bad["status"], "FAILURE")
	mandateTestDo(t, s, srv, "GET", "/notifications/nope", nil, 400, contracts.KindError)

	// Debits: up to max_amount charged, above it refused by the bank.
	debit := func(id, amt string) string {
		t.Helper()
		txn := mandateTestDo(t, s, srv, "POST", "/txns", url.Values{"mandate_id": {mid}, "order.order_id": {id}, "order.amount": {amt},
			"order.customer_id": {"cst_mandate"}, "mandate.notification_id": {n["id"].(string)}, "format": {"json"}}, 200, contracts.KindTxn)
		o := mandateTestDo(t, s, srv, "GET", "/orders/"+id, nil, 200, contracts.KindOrderStatus)
		want(t, id+" mandate", o["mandate"].(map[string]any)["mandate_id"], mid)
		want(t, id+" source_object_id", o["txn_detail"].(map[string]any)["source_object_id"], mid)
		return txn["status"].(string)
	}
	want(t, "debit within max", debit("mnd1d1", "100"), "CHARGED")
	want(t, "debit over max", debit("mnd1d2", "1000.01"), "AUTHORIZATION_FAILED")

	cmd := func(form url.Values, wantStatus string) map[string]any {
		t.Helper()
		r := mandateTestDo(t, s, srv, "POST", path, form, 200, contracts.KindMandateCommand)
		want(t, form.Get("command")+" mandate_status", r["mandate_status"], wantStatus)
		return r
	}
	now := mandateTestClock(t, srv)
	cmd(url.Values{"command": {"pause"}, "pause_end_date": {strconv.FormatInt(now.Add(30*24*time.Hour).Unix(), 10)}}, "PAUSED")
	mandateTestDo(t, s, srv, "POST", "/txns", url.Values{"mandate_id": {mid}, "order.order_id": {"mnd1d3"}, "order.amount": {"1"}}, 400, contracts.KindError)
	mandateTestDo(t, s, srv, "POST", path, url.Values{"command": {"pause"}}, 400, contracts.KindError)
	cmd(url.Values{"command": {"resume"}}, "ACTIVE")
	// A pause an hour from now, for an hour: the test clock brings both ends.
	cmd(url.Values{"command": {"pause"}, "pause_start_date": {strconv.FormatInt(now.Add(time.Hour).Unix(), 10)},
		"pause_end_date": {strconv.FormatInt(now.Add(2*time.Hour).Unix(), 10)}}, "ACTIVE")
	advance := func(form url.Values, wantStatus string) {
		t.Helper()
		if r := testRequest(t, srv, "POST", "/_mock/clock", form, nil); r.code != 200 {
			t.Fatalf("POST /_mock/clock %v: %d %s", form, r.code, r.body)
		}
		st := mandateTestDo(t, s, srv, "POST", path, url.Values{"command": {"check_status"}}, 200, contracts.KindMandate)
		want(t, "status after the clock moved", st["status"], wantStatus)
	}
	advance(url.Values{"advance": {"90m"}}, "PAUSED")
	advance(url.Values{"advance": {"1h"}}, "ACTIVE")
	cmd(url.Values{"command": {"revoke"}}, "REVOKED")
	mandateTestDo(t, s, srv, "POST", path, url.Values{"command": {"revoke"}}, 400, contracts.KindError)
	mandateTestDo(t, s, srv, "POST", path, url.Values{"command": {"resume"}}, 400, contracts.KindError)
	mandateTestDo(t, s, srv, "POST", path, url.Values{"command": {"explode"}}, 400, contracts.KindError)
	mandateTestDo(t, s, srv, "POST", "/mandates/nope", url.Values{"command": {"check_status"}}, 400, contracts.KindError)

	// Another mandate expires when the clock passes its end date; the revoked one stays revoked.
	mid2 := mandateTestRegister(t, s, srv, "mnd2", "cst_mandate", url.Values{"payment_method_type": {"UPI"}, "upi_vpa": {"success@upi"}}, nil)
	st = mandateTestDo(t, s, srv, "POST", "/mandates/"+mid2, url.Values{"command": {"check_status"}}, 200, contracts.KindMandate)
	end, _ := strconv.ParseInt(st["end_date"].(string), 10, 64)
	if r := testRequest(t, srv, "POST", "/_mock/clock", url.Values{"to": {strconv.FormatInt(end, 10)}}, nil); r.code != 200 {
		t.Fatalf("clock: %d %s", r.code, r.body)
	}
	st = mandateTestDo(t, s, srv, "POST", "/mandates/"+mid2, url.Values{"command": {"check_status"}}, 200, contracts.KindMandate)
	want(t, "status after end_date", st["status"], "EXPIRED")
	st = mandateTestDo(t, s, srv, "POST", path, url.Values{"command": {"check_status"}}, 200, contracts.KindMandate)
	want(t, "revoked mandate after end_date", st["status"], "REVOKED")
	list = mandateTestDo(t, s, srv, "GET", "/customers/cst_mandate/mandates", nil, 200, contracts.KindMandateList)
	want(t, "list count", list["count"], 2)
	o := mandateTestDo(t, s, srv, "GET", "/orders/mnd2", nil, 200, contracts.KindOrderStatus)
	want(t, "order's mandate block", o["mandate"].(map[string]any)["mandate_status"], "EXPIRED")

	events := mandateTestWebhooks(t, s, srv)
	wantEvents := []string{
		"TXN_CREATED", "MANDATE_CREATED", "TXN_CHARGED", "MANDATE_ACTIVATED", "ORDER_SUCCEEDED",
		"NOTIFICATION_SUCCEEDED", "NOTIFICATION_FAILED",
		"TXN_CREATED", "TXN_CHARGED", "ORDER_SUCCEEDED", "TXN_CREATED", "TXN_FAILED", "ORDER_FAILED",
		"MANDATE_PAUSED", "MANDATE_ACTIVATED", "MANDATE_PAUSED", "MANDATE_ACTIVATED", "MANDATE_REVOKED",
		"TXN_CREATED", "MANDATE_CREATED", "TXN_CHARGED", "MANDATE_ACTIVATED", "ORDER_SUCCEEDED",
		"MANDATE_EXPIRED",
	}
	if !slices.Equal(events, wantEvents) {
		t.Errorf("webhooks\n%v\nwant\n%v", events, wantEvents)
	}
}

// Every registration instrument: card (a MANDATE, its card shown by the mandate APIs), UPI
// intent, netbanking e-mandate (bank_details), and a registration the payment fails.
func TestMandateRegistrationByInstrument(t *testing.T) {
	s, srv := testServer(t, Config{})
	cases := []struct {
		name, typ, method, status string
		pay                       url.Values
	}{
		{"card", "MANDATE", "VISA", "ACTIVE", url.Values{"payment_method_type": {"CARD"}, "card_number": {"4111111111111111"}, "card_exp_month": {"10"}, "card_exp_year": {"30"}, "name_on_card": {"Name"}, "save_to_locker": {"true"}}},
		{"upi intent", "EMANDATE", "PAY", "ACTIVE", url.Values{"payment_method_type": {"UPI"}, "txn_type": {"UPI_PAY"}, "upi_vpa": {"successcc@upi"}, "upi_app": {"phonepe"}}},
		{"netbanking", "EMANDATE", "NB_DUMMY", "ACTIVE", url.Values{"payment_method_type": {"NB"}, "payment_method": {"NB_DUMMY"}, "bank_ifsc": {"HDFC0000053"}, "bank_account_number": {"50100013132000"}, "bank_beneficiary_name": {"test"}, "mandate_type": {"EMANDATE"}}},
		{"failed registration", "EMANDATE", "COLLECT", "FAILURE", url.Values{"payment_method_type": {"UPI"}, "upi_vpa": {"failure@upi"}}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mid := mandateTestRegister(t, s, srv, fmt.Sprintf("mndi%d", i), "cst_inst", tc.pay, nil)
			st := mandateTestDo(t, s, srv, "POST", "/mandates/"+mid, url.Values{"command": {"check_status"}}, 200, contracts.KindMandate)
			want(t, "status", st["status"], tc.status)
			want(t, "mandate_type", st["mandate_type"], tc.typ)
			info := st["payment_info"].(map[string]any)
			want(t, "payment_method", info["payment_method"], tc.method)
			switch tc.name {
			case "card":
				if info["card"] == nil {
					t.Errorf("a card mandate shows no card: %v", info)
				}
			case "netbanking":
				if info["bank_details"] == nil {
					t.Errorf("an e-mandate shows no payment_info.bank_details: %v", info)
				}
			}
		})
	}
	events := mandateTestWebhooks(t, s, srv)
	if !slices.Contains(events, "MANDATE_FAILED") {
		t.Errorf("no MANDATE_FAILED in %v", events)
	}
	// A mandate option that is not one is refused by name.
	for field, v := range map[string]string{"mandate.frequency": "HOURLY", "mandate.max_amount": "0", "options.create_mandate": "MAYBE", "mandate.end_date": "1"} {
		form := mandateTestForm("mndbad", "c", time.Now())
		form.Set(field, v)
		r := testRequest(t, srv, "POST", "/orders", form, nil)
		if r.code != 400 {
			t.Errorf("%s=%s: %d %s, want 400", field, v, r.code, r.body)
		}
		requireStrict(t, s, contracts.KindError, r.body)
	}
}

// Refund outcomes by amount: 9.91 fails (its amount is refundable again), 9.92 goes to manual
// review (its amount stays held), any other succeeds; the webhooks name each outcome.
func TestRefundOutcomes(t *testing.T) {
	s, srv := testServer(t, Config{})
	hookPay(t, srv, "rfo1", "4111111111111111")
	refund := func(uid, amt string, code int) map[string]any {
		t.Helper()
		kind := contracts.KindOrderStatus
		if code != 200 {
			kind = contracts.KindError
		}
		return mandateTestDo(t, s, srv, "POST", "/orders/rfo1/refunds", url.Values{"unique_request_id": {uid}, "amount": {amt}}, code, kind)
	}
	status := func(uid string) (string, any) {
		t.Helper()
		o := mandateTestDo(t, s, srv, "GET", "/orders/rfo1", nil, 200, contracts.KindOrderStatus)
		for _, r := range o["refunds"].([]any) {
			if m := r.(map[string]any); m["unique_request_id"] == uid {
				return m["status"].(string), o["amount_refunded"]
			}
		}
		t.Fatalf("no refund %s", uid)
		return "", nil
	}
	refund("f1", "9.91", 200)
	st, refunded := status("f1")
	want(t, "9.91", st, "FAILURE")
	want(t, "amount_refunded after a failure", refunded, 0)
	refund("m1", "9.92", 200)
	st, _ = status("m1")
	want(t, "9.92", st, "MANUAL_REVIEW")
	refund("s1", "90.08", 200) // what is left: 100 less the 9.92 under review
	st, refunded = status("s1")
	want(t, "90.08", st, "SUCCESS")
	want(t, "amount_refunded", refunded, 90.08)
	refund("x1", "0.01", 400)
	// A direct refund response names the outcome too.
	hookPay(t, srv, "rfo2", "4111111111111111")
	d := mandateTestDo(t, s, srv, "POST", "/orders/rfo2/refunds", url.Values{"unique_request_id": {"d1"}, "amount": {"9.91"}, "direct_refund_response": {"true"}}, 200, contracts.KindRefund)
	want(t, "direct refund status", d["status"], "FAILURE")
	events := mandateTestWebhooks(t, s, srv)
	for _, e := range []string{"ORDER_REFUND_FAILED", "REFUND_MANUAL_REVIEW_NEEDED", "ORDER_REFUNDED"} {
		if !slices.Contains(events, e) {
			t.Errorf("no %s in %v", e, events)
		}
	}
}

// The auto-refund cards pay late: the order ends AUTO_REFUNDED with an AUTO_REFUNDED refund that
// succeeds or fails, announced by AUTO_REFUND_SUCCEEDED or AUTO_REFUND_FAILED.
func TestAutoRefundByCard(t *testing.T) {
	s, srv := testServer(t, Config{})
	for card, c := range map[string]struct{ event, refund string }{
		"4000000000000101": {"AUTO_REFUND_SUCCEEDED", "SUCCESS"},
		"4000000000000200": {"AUTO_REFUND_FAILED", "FAILURE"},
	} {
		id := "ar" + card[12:]
		if st := hookPay(t, srv, id, card); st != "PENDING_VBV" {
			t.Errorf("%s: txn answered %s, want PENDING_VBV", card, st)
		}
		o := mandateTestDo(t, s, srv, "GET", "/orders/"+id, nil, 200, contracts.KindOrderStatus)
		want(t, card+" status", o["status"], "AUTO_REFUNDED")
		r := o["refunds"].([]any)[0].(map[string]any)
		want(t, card+" refund", r["status"], c.refund)
		want(t, card+" initiated_by", r["initiated_by"], "AUTO_REFUNDED")
		events := hookEvents(hookList(t, srv, "?order_id="+id))
		if !slices.Equal(events, []string{"TXN_CREATED", c.event}) {
			t.Errorf("%s: events %v", card, events)
		}
		mandateTestDo(t, s, srv, "POST", "/orders/"+id+"/refunds", url.Values{"unique_request_id": {"x"}, "amount": {"1"}}, 400, contracts.KindError)
	}
	mandateTestWebhooks(t, s, srv)
}

// The test clock moves forward only, by a duration or to a time, and says where it is.
func TestTestClock(t *testing.T) {
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	_, srv := testServer(t, Config{Clock: func() time.Time { return base }})
	state := func(r testResponse) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(r.body, &m); err != nil {
			t.Fatalf("%s", r.body)
		}
		return m
	}
	want(t, "now", state(testRequest(t, srv, "GET", "/_mock/clock", nil, nil))["now"], "2026-03-01T10:00:00Z")
	r := testRequest(t, srv, "POST", "/_mock/clock", url.Values{"advance": {"48h"}}, nil)
	want(t, "after advance", state(r)["now"], "2026-03-03T10:00:00Z")
	want(t, "offset", state(r)["offset_seconds"], 172800)
	r = testRequest(t, srv, "POST", "/_mock/clock", url.Values{"to": {"2026-04-01T00:00:00Z"}}, nil)
	want(t, "after to", state(r)["now"], "2026-04-01T00:00:00Z")
	// Webhooks and orders read the moved clock.
	hookPay(t, srv, "clk1", "4111111111111111")
	o := testRequest(t, srv, "GET", "/orders/clk1", nil, nil)
	want(t, "date_created", state(o)["date_created"], "2026-04-01T00:00:00Z")
	for _, form := range []url.Values{{"advance": {"-1h"}}, {"to": {"2026-01-01T00:00:00Z"}}, {"advance": {"soon"}}, {"to": {"tomorrow"}}, {}, {"advance": {"1h"}, "to": {"1"}}, {"advance": {"10000000h"}}} {
		if r := testRequest(t, srv, "POST", "/_mock/clock", form, nil); r.code != 400 {
			t.Errorf("POST /_mock/clock %v: %d %s, want 400", form, r.code, r.body)
		}
	}
}
