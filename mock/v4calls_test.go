package mock

import (
	"encoding/json"
	"net/http"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jpcheck/jpcheck/contracts"
)

// The V4 calls the Node SDK makes with jweAuth (POST /v4/txns, /v4/orders/{id}/refunds), and
// /v4/orders: each answer is the plain API's, sealed in the request's shape and JWS form, and
// strict as its kind; an error answer goes back unencrypted; a foreign signature is 401.
func TestV4Calls(t *testing.T) {
	s, srv := testServer(t, Config{})
	c := v4TestNewClient(t, s.cfg.Keys)
	// call seals payload as the Node SDK does (Shape A, JSON JWS) or in Shape B with a compact
	// JWS, POSTs it to path without Basic auth, and opens a 200 answer.
	call := func(path string, payload map[string]any, shape v4Shape, jsonJWS bool) (int, []byte) {
		t.Helper()
		b, err := json.Marshal(payload)
		if err != nil {
			t.Fatal(err)
		}
		tok := c.seal(t, b, jose.RSA_OAEP_256, jsonJWS)
		body := v4TestShapeA(t, tok)
		if shape == v4ShapeB {
			body = v4TestShapeB(t, tok)
		}
		r := testRequest(t, srv, http.MethodPost, path, body, map[string]string{"Authorization": "", "Content-Type": "application/json"})
		if r.code != http.StatusOK {
			return r.code, r.body
		}
		return r.code, c.open(t, s, r.body, shape, jsonJWS)
	}
	for _, tc := range []struct {
		name    string
		shape   v4Shape
		jsonJWS bool
	}{{"node sdk form", v4ShapeA, true}, {"compact form", v4ShapeB, false}} {
		t.Run(tc.name, func(t *testing.T) {
			id := "v4c" + string(rune('a'+int(tc.shape)))
			code, body := call("/v4/orders", map[string]any{"order_id": id, "amount": 100.5, "currency": "INR", "customer_id": "cst_v4"}, tc.shape, tc.jsonJWS)
			if code != http.StatusOK {
				t.Fatalf("/v4/orders: %d %s", code, body)
			}
			requireStrict(t, s, contracts.KindOrderCreate, body)
			code, body = call("/v4/txns", map[string]any{"order_id": id, "payment_method_type": "CARD", "payment_method": "VISA",
				"card_number": "4111111111111111", "card_exp_month": "12", "card_exp_year": "30", "merchant_id": "m", "format": "json"}, tc.shape, tc.jsonJWS)
			if code != http.StatusOK {
				t.Fatalf("/v4/txns: %d %s", code, body)
			}
			requireStrict(t, s, contracts.KindTxn, body)
			code, body = call("/v4/orders/"+id+"/refunds", map[string]any{"unique_request_id": "r" + id, "order_id": id, "amount": 20.25}, tc.shape, tc.jsonJWS)
			if code != http.StatusOK {
				t.Fatalf("/v4/orders/%s/refunds: %d %s", id, code, body)
			}
			requireStrict(t, s, contracts.KindOrderStatus, body)
			var o map[string]any
			json.Unmarshal(body, &o)
			want(t, "refund order status", o["status"], "CHARGED")
			// An error of the plain API comes back as it is: SDKs decrypt only a 2xx body.
			code, body = call("/v4/orders/"+id+"/refunds", map[string]any{"unique_request_id": "r" + id, "amount": 1}, tc.shape, tc.jsonJWS)
			if code != http.StatusBadRequest {
				t.Fatalf("repeated refund: %d %s", code, body)
			}
			requireStrict(t, s, contracts.KindError, body)
		})
	}
	// A request signed with another key is refused; a body that is no token is 400.
	other := v4TestNewClient(t, mustKeys(t))
	r := testRequest(t, srv, http.MethodPost, "/v4/txns", v4TestShapeA(t, c.sealWithKey(t, []byte(`{"order_id":"x"}`), other)), map[string]string{"Authorization": ""})
	if r.code != http.StatusUnauthorized {
		t.Errorf("foreign signature: %d %s, want 401", r.code, r.body)
	}
	requireStrict(t, s, contracts.KindError, r.body)
	r = testRequest(t, srv, http.MethodPost, "/v4/orders/x/refunds", `{"hello":"world"}`, map[string]string{"Authorization": ""})
	if r.code != http.StatusBadRequest {
		t.Errorf("no token: %d %s, want 400", r.code, r.body)
	}
	requireStrict(t, s, contracts.KindError, r.body)
}

func mustKeys(t *testing.T) *Keys {
	t.Helper()
	k, err := NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// sealWithKey encrypts to the mock's key a payload signed with another merchant's key.
func (c *v4TestClient) sealWithKey(t *testing.T, payload []byte, signer *v4TestClient) string {
	t.Helper()
	jws := v4TestSign(t, payload, jose.SigningKey{Algorithm: jose.RS256, Key: signer.merchant}, c.kid, true)
	return v4TestEncrypt(t, jws, jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: c.server, KeyID: c.kid}, jose.A256GCM)
}
