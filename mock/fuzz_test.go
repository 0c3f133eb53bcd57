package mock

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzServe sends arbitrary paths, content types and bodies to every route: the mock answers
// each with a JSON body and never reaches its panic guard (a 500).
func FuzzServe(f *testing.F) {
	for _, seed := range []struct{ method, path, ctype, body string }{
		{"POST", "/orders", "application/x-www-form-urlencoded", "order_id=a1&amount=10"},
		{"POST", "/txns", "application/x-www-form-urlencoded", "order_id=JP1636474794&payment_method_type=CARD&card_number=4111111111111111"},
		{"POST", "/txns", "application/json", `{"order_id":"JPAYNEW034","payment_method_type":"UPI","additional_payment_details":[{"split_amount":"x"}]}`},
		{"POST", "/orders/JP1636474794/refunds", "application/x-www-form-urlencoded", "unique_request_id=u&amount=1e309"},
		{"POST", "/orders/txns/merchant_success-JP1636474794-1/refunds", "application/json", `{"unique_request_id":"u","amount":"1"}`},
		{"GET", "/orders/%2e%2e", "", ""},
		{"POST", "/v4/order-status", "application/json", `{"JWT":"a.b.c.d.e"}`},
		{"POST", "/v1/offers/list", "application/json", `{"order":{"amount":"-1"}}`},
		{"POST", "/customers/c1/eligibility", "application/x-www-form-urlencoded", "amount=1&mobile_number=9999999999"},
		{"POST", "/wallets/wlm_x", "application/x-www-form-urlencoded", "command=link&otp=1"},
	} {
		f.Add(seed.method, seed.path, seed.ctype, seed.body)
	}
	s, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	f.Fuzz(func(t *testing.T, method, path, ctype, body string) {
		if method != "GET" && method != "POST" {
			method = "POST"
		}
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#") {
			path = "/orders"
		}
		req, err := http.NewRequest(method, "http://mock"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Authorization", testAuth)
		req.Header.Set("x-merchantid", "fuzz")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code == http.StatusInternalServerError {
			t.Fatalf("%s %s (%s) %q: 500 %s", method, path, ctype, body, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: body is not JSON: %s", method, path, rec.Body)
		}
	})
}
