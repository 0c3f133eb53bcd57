package mock

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
)

// Every documented sample order is served under its documented order_id, in strict form.
func TestSeededOrdersAreStrict(t *testing.T) {
	s, srv := testServer(t, Config{})
	ids := s.SeededOrders()
	for _, want := range []string{"JP1636474794", "JPAYNEW032", "145678234", "JPAYNEW034", "Ord_1484kmOH"} {
		found := false
		for _, id := range ids {
			found = found || id == want
		}
		if !found {
			t.Errorf("documented order %s not seeded", want)
		}
	}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			r := testRequest(t, srv, "GET", "/orders/"+url.PathEscape(id), nil, nil)
			if r.code != 200 {
				t.Fatalf("status %d: %s", r.code, r.body)
			}
			requireStrict(t, s, contracts.KindOrderStatus, r.body)
		})
	}
}

// create → pay (each test-mode instrument) → status → refund → status, every response strict.
func TestPaymentFlowByInstrument(t *testing.T) {
	s, srv := testServer(t, Config{})
	cases := []struct {
		name   string
		pay    url.Values
		status string
	}{
		{"card charged", url.Values{"payment_method_type": {"CARD"}, "card_number": {"4111111111111111"}, "card_exp_month": {"12"}, "card_exp_year": {"30"}, "name_on_card": {"Test"}}, "CHARGED"},
		{"card authentication fails", url.Values{"payment_method_type": {"CARD"}, "card_number": {"4000000000000002"}}, "AUTHENTICATION_FAILED"},
		{"card authorization fails", url.Values{"payment_method_type": {"CARD"}, "card_number": {"4000000000000069"}}, "AUTHORIZATION_FAILED"},
		{"upi collect charged", url.Values{"payment_method_type": {"UPI"}, "upi_vpa": {"success@upi"}, "txn_type": {"UPI_COLLECT"}}, "CHARGED"},
		{"upi fails", url.Values{"payment_method_type": {"UPI"}, "upi_vpa": {"failure@upi"}}, "AUTHORIZATION_FAILED"},
		{"netbanking charged", url.Values{"payment_method_type": {"NB"}, "payment_method": {"NB_DUMMY"}}, "CHARGED"},
		{"netbanking fails", url.Values{"payment_method_type": {"NB"}, "payment_method": {"NB_FAILURE"}}, "AUTHENTICATION_FAILED"},
		{"twid split", url.Values{"payment_method_type": {"CARD"}, "card_number": {"4111111111111111"}, "additional_payment_details": {`[{"payment_method_type":"REWARD","payment_method":"TWID","split_amount":"254","reward_id":"212217","reward_mode":"BURN"}]`}}, "CHARGED"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := "flow" + string(rune('a'+i))
			r := testRequest(t, srv, "POST", "/orders", url.Values{"order_id": {id}, "amount": {"1000.00"}, "customer_id": {"cst_1"}, "customer_email": {"a@b.in"}, "customer_phone": {"9999999999"}}, nil)
			if r.code != 200 {
				t.Fatalf("create: %d %s", r.code, r.body)
			}
			requireStrict(t, s, contracts.KindOrderCreate, r.body)
			r = testRequest(t, srv, "GET", "/orders/"+id, nil, nil)
			requireStrict(t, s, contracts.KindOrderStatus, r.body)
			if !strings.Contains(string(r.body), `"status":"NEW"`) {
				t.Fatalf("a created order is NEW: %s", r.body)
			}
			pay := url.Values{"order_id": {id}}
			for k, v := range tc.pay {
				pay[k] = v
			}
			r = testRequest(t, srv, "POST", "/txns", pay, nil)
			if r.code != 200 {
				t.Fatalf("txn: %d %s", r.code, r.body)
			}
			requireStrict(t, s, contracts.KindTxn, r.body)
			r = testRequest(t, srv, "GET", "/orders/"+id, nil, nil)
			requireStrict(t, s, contracts.KindOrderStatus, r.body)
			if !strings.Contains(string(r.body), `"status":"`+tc.status+`"`) {
				t.Fatalf("want %s: %s", tc.status, r.body)
			}
			refund := testRequest(t, srv, "POST", "/orders/"+id+"/refunds", url.Values{"unique_request_id": {"r_" + id}, "amount": {"100"}}, nil)
			if tc.status != "CHARGED" {
				if refund.code != 400 || !strings.Contains(string(refund.body), "invalid.amount.exceeded") {
					t.Fatalf("refund of an unpaid order: %d %s", refund.code, refund.body)
				}
				requireStrict(t, s, contracts.KindError, refund.body)
				return
			}
			if refund.code != 200 {
				t.Fatalf("refund: %d %s", refund.code, refund.body)
			}
			requireStrict(t, s, contracts.KindOrderStatus, refund.body)
			r = testRequest(t, srv, "GET", "/orders/"+id, nil, nil)
			requireStrict(t, s, contracts.KindOrderStatus, r.body)
			if !strings.Contains(string(r.body), `"amount_refunded":100`) {
				t.Fatalf("refund not settled: %s", r.body)
			}
		})
	}
}

func TestRefundRules(t *testing.T) {
	s, srv := testServer(t, Config{})
	testRequest(t, srv, "POST", "/orders", url.Values{"order_id": {"rf1"}, "amount": {"500"}}, nil)
	testRequest(t, srv, "POST", "/txns", url.Values{"order_id": {"rf1"}, "payment_method_type": {"CARD"}, "card_number": {"4111111111111111"}, "additional_payment_details": {`[{"payment_method_type":"REWARD","payment_method":"TWID","split_amount":"200","reward_id":"1","reward_mode":"BURN"}]`}}, nil)
	cases := []struct {
		name string
		path string
		form url.Values
		code int
		want string
		kind contracts.Kind
	}{
		{"missing fields", "/orders/rf1/refunds", url.Values{"amount": {"10"}}, 400, "Mandatory fields are missing", contracts.KindError},
		{"zero amount", "/orders/rf1/refunds", url.Values{"unique_request_id": {"z"}, "amount": {"0"}}, 400, "invalid amount", contracts.KindError},
		{"split refund", "/orders/rf1/refunds", url.Values{"unique_request_id": {"u1"}, "amount": {"450"}, "direct_refund_response": {"true"}}, 200, `"split_refund_details"`, contracts.KindRefund},
		{"duplicate id", "/orders/rf1/refunds", url.Values{"unique_request_id": {"u1"}, "amount": {"10"}}, 400, "duplicate.call", contracts.KindError},
		{"exceeds", "/orders/rf1/refunds", url.Values{"unique_request_id": {"u2"}, "amount": {"60"}}, 400, "invalid.amount.exceeded", contracts.KindError},
		{"rest", "/orders/rf1/refunds", url.Values{"unique_request_id": {"u3"}, "amount": {"50"}}, 200, `"refunds"`, contracts.KindOrderStatus},
		{"unknown order", "/orders/nope/refunds", url.Values{"unique_request_id": {"u4"}, "amount": {"1"}}, 400, "NOT_FOUND", contracts.KindError},
		// Seeded orders keep their documented refunds: the wallet sample is refunded in full,
		// the netbanking one not at all.
		{"seeded order already refunded", "/orders/145678234/refunds", url.Values{"unique_request_id": {"s1"}, "amount": {"1"}}, 400, "invalid.amount.exceeded", contracts.KindError},
		{"seeded order refunded", "/orders/JPAYNEW032/refunds", url.Values{"unique_request_id": {"s2"}, "amount": {"8999"}}, 200, `"unique_request_id":"s2"`, contracts.KindOrderStatus},
		{"seeded txn refunded", "/orders/txns/merchantId-JPAYNEW032-1/refunds", url.Values{"unique_request_id": {"s3"}, "amount": {"1"}}, 200, `"unique_request_id":"s3"`, contracts.KindOrderStatus},
		{"seeded txn exhausted", "/orders/txns/merchantId-JPAYNEW032-1/refunds", url.Values{"unique_request_id": {"s4"}, "amount": {"1"}}, 400, "invalid.amount.exceeded", contracts.KindError},
		{"unknown txn", "/orders/txns/nope/refunds", url.Values{"unique_request_id": {"u5"}, "amount": {"1"}}, 400, "NOT_FOUND", contracts.KindError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := testRequest(t, srv, "POST", tc.path, tc.form, nil)
			if r.code != tc.code || !strings.Contains(string(r.body), tc.want) {
				t.Fatalf("%d %s, want %d with %s", r.code, r.body, tc.code, tc.want)
			}
			requireStrict(t, s, tc.kind, r.body)
		})
	}
	r := testRequest(t, srv, "GET", "/orders/rf1", nil, nil)
	requireStrict(t, s, contracts.KindOrderStatus, r.body)
	if !strings.Contains(string(r.body), `"refunded":true`) {
		t.Fatalf("fully refunded order: %s", r.body)
	}
}

func TestAuthAndErrors(t *testing.T) {
	s, srv := testServer(t, Config{MerchantID: "m1"})
	key := func(v string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(v)) }
	cases := []struct {
		name string
		hdr  map[string]string
		path string
		code int
		want string
	}{
		{"key with colon", map[string]string{"x-merchantid": "m1"}, "/orders/JP1636474794", 200, `"order_id":"JP1636474794"`},
		{"key without colon (Node SDK)", map[string]string{"x-merchantid": "m1", "Authorization": key(DefaultAPIKey)}, "/orders/JP1636474794", 200, `"order_id"`},
		{"wrong key", map[string]string{"x-merchantid": "m1", "Authorization": key("nope:")}, "/orders/JP1636474794", 401, "access_denied"},
		{"no auth", map[string]string{"x-merchantid": "m1", "Authorization": ""}, "/orders/JP1636474794", 401, "access_denied"},
		{"no merchant id", map[string]string{"x-merchantid": ""}, "/orders/JP1636474794", 400, "x-merchantid"},
		{"other merchant id", map[string]string{"x-merchantid": "m2"}, "/orders/JP1636474794", 400, "x-merchantid"},
		{"unknown order", map[string]string{"x-merchantid": "m1"}, "/orders/NOPE", 400, `"status_id":40`},
		{"unknown route", map[string]string{"x-merchantid": "m1"}, "/nope", 404, "error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := testRequest(t, srv, "GET", tc.path, nil, tc.hdr)
			if r.code != tc.code || !strings.Contains(string(r.body), tc.want) {
				t.Fatalf("%d %s, want %d with %s", r.code, r.body, tc.code, tc.want)
			}
			kind := contracts.KindError
			if tc.code == 200 {
				kind = contracts.KindOrderStatus
			}
			requireStrict(t, s, kind, r.body)
		})
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"create without order_id", url.Values{"amount": {"1"}}, "order_id is missing"},
		{"create with a bad amount", url.Values{"order_id": {"x1"}, "amount": {"abc"}}, "Invalid amount"},
		{"txn without payment_method_type", url.Values{"order_id": {"JP1636474794"}}, "payment_method_type is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := "/orders"
			if strings.HasPrefix(tc.name, "txn") {
				path = "/txns"
			}
			r := testRequest(t, srv, "POST", path, tc.form, map[string]string{"x-merchantid": "m1"})
			if r.code != 400 || !strings.Contains(string(r.body), tc.want) {
				t.Fatalf("%d %s", r.code, r.body)
			}
			requireStrict(t, s, contracts.KindError, r.body)
		})
	}
}

// Bodies and headers are bounded; malformed input gets a documented error, never a panic.
func TestBadRequestsAreBounded(t *testing.T) {
	s, srv := testServer(t, Config{})
	big := strings.Repeat("a", MaxBodyBytes+10)
	for _, tc := range []struct {
		name, path, ctype, body string
	}{
		{"huge form", "/orders", "application/x-www-form-urlencoded", "order_id=x&amount=1&pad=" + big},
		{"broken json", "/orders", "application/json", `{"order_id": "x", "amount": `},
		{"json array", "/txns", "application/json", `[1,2,3]`},
		{"bad split json", "/txns", "application/x-www-form-urlencoded", "order_id=JP1636474794&payment_method_type=CARD&additional_payment_details=%5B%7B"},
		{"bad multipart", "/orders", "multipart/form-data; boundary=x", "--x\r\nbroken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testRequest(t, srv, "POST", tc.path, tc.body, map[string]string{"Content-Type": tc.ctype, "x-merchantid": "m"})
			if r.code != 400 {
				t.Fatalf("%d %s", r.code, r.body)
			}
			requireStrict(t, s, contracts.KindError, r.body)
		})
	}
	// No Authorization: the header size is refused before auth is looked at.
	r := testRequest(t, srv, "GET", "/orders/JP1636474794", nil, map[string]string{"Authorization": "", "x-merchantid": "m", "X-Pad": strings.Repeat("b", MaxHeaderBytes)})
	if r.code != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("oversized headers: %d", r.code)
	}
}
