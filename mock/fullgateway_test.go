package mock

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
)

// options.add_full_gateway_response=true adds payment_gateway_response.gateway_response to
// every seeded order that has a gateway response (and to each txn_list entry), strict; the
// plain GET is served unchanged, and an order that already has one keeps the documented one.
func TestOrderStatusFullGatewayResponse(t *testing.T) {
	s, srv := testServer(t, Config{})
	ids := s.SeededOrders()
	slices.Sort(ids)
	for _, id := range ids {
		plain := testRequest(t, srv, http.MethodGet, "/orders/"+id, nil, nil)
		full := testRequest(t, srv, http.MethodGet, "/orders/"+id+"?options.add_full_gateway_response=true", nil, nil)
		if plain.code != http.StatusOK || full.code != http.StatusOK {
			t.Fatalf("%s: status %d / %d", id, plain.code, full.code)
		}
		requireStrict(t, s, contracts.KindOrderStatus, full.body)
		var p, f map[string]any
		if err := json.Unmarshal(plain.body, &p); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(full.body, &f); err != nil {
			t.Fatal(err)
		}
		check := func(where string, plainTxn, fullTxn map[string]any) {
			pp, ok := plainTxn["payment_gateway_response"].(map[string]any)
			if !ok {
				return
			}
			fp, _ := fullTxn["payment_gateway_response"].(map[string]any)
			gr, ok := fp["gateway_response"].(map[string]any)
			if !ok || len(gr) == 0 {
				t.Errorf("%s%s: no gateway_response with the option", id, where)
				return
			}
			if had, ok := pp["gateway_response"]; ok {
				a, _ := json.Marshal(had)
				b, _ := json.Marshal(gr)
				if string(a) != string(b) {
					t.Errorf("%s%s: the documented gateway_response was replaced", id, where)
				}
			}
		}
		check("", p, f)
		pl, _ := p["txn_list"].([]any)
		fl, _ := f["txn_list"].([]any)
		for i := range pl {
			pm, _ := pl[i].(map[string]any)
			fm, _ := fl[i].(map[string]any)
			check("/txn_list", pm, fm)
		}
	}
	if r := testRequest(t, srv, http.MethodGet, "/orders/JP1636474794?options.add_full_gateway_response=false", nil, nil); r.code != http.StatusOK {
		t.Fatalf("option false: %d", r.code)
	} else if want, _ := s.OrderJSON("JP1636474794"); string(r.body) != string(want) {
		t.Error("option false changed the order")
	}
}

// Test-mode payments get a gateway response in their gateway's own keys: Paytm's upper-case
// ones for UPI, the card network's for cards (an EMI card payment too, with its emi_details),
// and a Twid split order's txn_list; every one strict.
func TestTestModeFullGatewayResponse(t *testing.T) {
	s, srv := testServer(t, Config{})
	pays := map[string]url.Values{
		"fgupi":   {"payment_method_type": {"UPI"}, "upi_vpa": {"success@upi"}},
		"fgcard":  {"payment_method_type": {"CARD"}, "card_number": {"4111111111111111"}},
		"fgemi":   {"payment_method_type": {"CARD"}, "card_number": {"5555555555554444"}, "is_emi": {"true"}, "emi_bank": {"ICICI"}, "emi_tenure": {"6"}},
		"fgsplit": {"payment_method_type": {"CARD"}, "card_number": {"4111111111111111"}, "additional_payment_details": {`[{"payment_method_type":"REWARD","payment_method":"TWID","split_amount":"10","reward_id":"1","reward_mode":"BURN"}]`}},
		"fgfail":  {"payment_method_type": {"UPI"}, "upi_vpa": {"failure@upi"}},
	}
	wantKey := map[string]string{"fgupi": "BANKTXNID", "fgcard": "authCode", "fgemi": "cardScheme", "fgsplit": "rrnCode", "fgfail": "RESPMSG"}
	for id, pay := range pays {
		testRequest(t, srv, http.MethodPost, "/orders", url.Values{"order_id": {id}, "amount": {"600"}}, nil)
		pay.Set("order_id", id)
		if r := testRequest(t, srv, http.MethodPost, "/txns", pay, nil); r.code != http.StatusOK {
			t.Fatalf("%s: %d %s", id, r.code, r.body)
		}
		full := testRequest(t, srv, http.MethodGet, "/orders/"+id+"?options.add_full_gateway_response=true", nil, nil)
		requireStrict(t, s, contracts.KindOrderStatus, full.body)
		var o struct {
			PGR struct {
				GR map[string]any `json:"gateway_response"`
			} `json:"payment_gateway_response"`
			EMI map[string]any `json:"emi_details"`
		}
		if err := json.Unmarshal(full.body, &o); err != nil {
			t.Fatal(err)
		}
		if _, ok := o.PGR.GR[wantKey[id]]; !ok {
			t.Errorf("%s: gateway_response has no %s: %v", id, wantKey[id], o.PGR.GR)
		}
		if (id == "fgemi") != (o.EMI != nil) {
			t.Errorf("%s: emi_details %v", id, o.EMI)
		}
	}
}

// GET /ecr/orders/{id} (the path twid-v2 § 4.3 requests) answers what GET /orders/{id} answers,
// the full gateway response option included, and a missing order the same error.
func TestEcrOrderStatus(t *testing.T) {
	s, srv := testServer(t, Config{})
	ids := s.SeededOrders()
	slices.Sort(ids)
	for _, id := range ids {
		for _, q := range []string{"", "?options.add_full_gateway_response=true"} {
			want := testRequest(t, srv, http.MethodGet, "/orders/"+id+q, nil, nil)
			got := testRequest(t, srv, http.MethodGet, "/ecr/orders/"+id+q, nil, nil)
			if got.code != want.code || string(got.body) != string(want.body) {
				t.Fatalf("/ecr/orders/%s%s: %d %s, want %d %s", id, q, got.code, got.body, want.code, want.body)
			}
		}
	}
	want := testRequest(t, srv, http.MethodGet, "/orders/no-such-order", nil, nil)
	got := testRequest(t, srv, http.MethodGet, "/ecr/orders/no-such-order", nil, nil)
	if want.code == http.StatusOK || got.code != want.code || string(got.body) != string(want.body) {
		t.Fatalf("missing order: %d %s, want %d %s", got.code, got.body, want.code, want.body)
	}
}
