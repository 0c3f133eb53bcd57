package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
)

// rewardsClock is a fake clock the resend tests move by hand.
type rewardsClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *rewardsClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *rewardsClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// rewardsResp is a response whose body, as every rewards answer, is a JSON object: doc holds
// it with numbers as json.Number.
type rewardsResp struct {
	testResponse
	doc map[string]any
}

// rewardsDo is testRequest for the rewards routes: it fails unless the body is a JSON object.
func rewardsDo(t *testing.T, srv *httptest.Server, method, path string, body any, hdr map[string]string) rewardsResp {
	t.Helper()
	r, err := rewardsSend(srv, method, path, body, hdr)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// rewardsSend is rewardsDo for goroutines, which must not call t.Fatal.
func rewardsSend(srv *httptest.Server, method, path string, body any, hdr map[string]string) (rewardsResp, error) {
	r, err := sendRequest(srv, method, path, body, hdr)
	if err != nil {
		return rewardsResp{}, err
	}
	out := rewardsResp{testResponse: r}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.UseNumber()
	if err := dec.Decode(&out.doc); err != nil {
		return out, fmt.Errorf("%s %s: response is not a JSON object: %v: %s", method, path, err, r.body)
	}
	return out, nil
}

// rewardsExpect fails unless the response has the status code and validates strict as kind.
func rewardsExpect(t *testing.T, s *Server, r rewardsResp, code int, kind contracts.Kind) {
	t.Helper()
	if r.code != code {
		t.Fatalf("status %d, want %d: %s", r.code, code, r.body)
	}
	requireStrict(t, s, kind, r.body)
}

// rewardsAt reads a value at a path of keys and array indexes ("payload", "wallets", 0, ...).
func rewardsAt(t *testing.T, doc any, path ...any) any {
	t.Helper()
	cur := doc
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("%v: not an object at %q", path, k)
			}
			cur = m[k]
		case int:
			a, ok := cur.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("%v: no element %d", path, k)
			}
			cur = a[k]
		}
	}
	return cur
}

// rewardsOffers indexes the listed offers by offer_code.
func rewardsOffers(t *testing.T, doc map[string]any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	list, _ := doc["offers"].([]any)
	for _, o := range list {
		m := o.(map[string]any)
		out[m["offer_code"].(string)] = m
	}
	return out
}

func rewardsOfferRequest(amount, phone, code string, pms ...[2]string) map[string]any {
	info := []any{}
	for _, pm := range pms {
		info = append(info, map[string]any{"payment_method_type": pm[0], "payment_method_reference": pm[1]})
	}
	req := map[string]any{
		"order":               map[string]any{"order_id": "ord_1", "amount": amount, "currency": "INR"},
		"payment_method_info": info,
		"customer":            map[string]any{"id": "cust_1", "mobile": phone},
	}
	if code != "" {
		req["offer_code"] = code
	}
	return req
}

// The documented List Offer request gets the documented Cred offer back, at both paths.
func TestRewardsListOffersDocumentedRequest(t *testing.T) {
	s, srv := testServer(t, Config{})
	reqBody, err := specs.ExampleData("offers-cred-ec-api-list-request.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := specs.ExampleData("offers-cred-ec-api-list-response.json")
	if err != nil {
		t.Fatal(err)
	}
	wantDoc, err := decode(want)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/v1/offers/list", "/offers/list"} {
		t.Run(path, func(t *testing.T) {
			r := rewardsDo(t, srv, "POST", path, reqBody, nil)
			rewardsExpect(t, s, r, 200, contracts.KindListOffers)
			cred := rewardsOffers(t, r.doc)[OfferCodeCred]
			if cred == nil {
				t.Fatalf("Cred offer not listed for the documented phone %s: %s", CredSamplePhone, r.body)
			}
			for _, k := range []string{"offer_id", "status", "order_breakup", "partner_offer_info", "offer_description", "application_mode", "reason", "actions"} {
				g, _ := json.Marshal(cred[k])
				w, _ := json.Marshal(wantDoc[k])
				if !bytes.Equal(g, w) {
					t.Errorf("%s = %s, documented %s", k, g, w)
				}
			}
			if _, ok := rewardsOffers(t, r.doc)[OfferCodeCoupon]; ok {
				t.Error("coupon offer listed without offer_code")
			}
			if combos := r.doc["best_offer_combinations"].([]any); len(combos) != 0 {
				t.Errorf("best_offer_combinations without payment methods: %v", combos)
			}
		})
	}
}

// order_breakup follows the request amount: final = order − discount, offer = discount +
// cashback, money strings with two decimals, PERCENTAGE benefits capped.
func TestRewardsListOffersBreakup(t *testing.T) {
	s, srv := testServer(t, Config{})
	type want struct{ final, discount, cashback, offer string }
	cases := []struct {
		name, amount, phone, code string
		offers                    map[string]*want // nil: not listed
	}{
		{"20% and 10%", "1000", CredEligiblePhone, "", map[string]*want{
			OfferCodeCred: {"800.00", "200.00", "0.00", "200.00"},
			OfferCodeCard: {"900.00", "100.00", "0.00", "100.00"},
		}},
		{"capped", "5000.50", "+91 99999 99999", "", map[string]*want{
			OfferCodeCred: {"4800.50", "200.00", "0.00", "200.00"},
			OfferCodeCard: {"4900.50", "100.00", "0.00", "100.00"},
		}},
		{"rounding", "123.45", CredEligiblePhone, "", map[string]*want{
			OfferCodeCred: {"98.76", "24.69", "0.00", "24.69"},
			OfferCodeCard: {"111.10", "12.35", "0.00", "12.35"},
		}},
		{"below card minimum", "99.99", CredEligiblePhone, "", map[string]*want{
			OfferCodeCred: {"79.99", "20.00", "0.00", "20.00"},
			OfferCodeCard: nil,
		}},
		{"phone not eligible for Cred", "1000", "9876543210", "", map[string]*want{
			OfferCodeCred: nil,
			OfferCodeCard: {"900.00", "100.00", "0.00", "100.00"},
		}},
		{"no customer phone", "1000", "", "", map[string]*want{OfferCodeCred: nil}},
		{"coupon cashback", "1000", "9876543210", "cashback50", map[string]*want{
			OfferCodeCoupon: {"1000.00", "0.00", "50.00", "50.00"},
		}},
		{"coupon below minimum", "150", "9876543210", OfferCodeCoupon, map[string]*want{OfferCodeCoupon: nil}},
		{"unknown coupon", "1000", "9876543210", "NOPE", map[string]*want{OfferCodeCoupon: nil}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rewardsDo(t, srv, "POST", "/v1/offers/list", rewardsOfferRequest(tc.amount, tc.phone, tc.code), nil)
			rewardsExpect(t, s, r, 200, contracts.KindListOffers)
			got := rewardsOffers(t, r.doc)
			for code, w := range tc.offers {
				o, listed := got[code]
				if w == nil {
					if listed {
						t.Errorf("%s listed, want it left out", code)
					}
					continue
				}
				if !listed {
					t.Errorf("%s not listed: %s", code, r.body)
					continue
				}
				if o["status"] != "ELIGIBLE" {
					t.Errorf("%s status %v", code, o["status"])
				}
				b := o["order_breakup"].(map[string]any)
				g := want{b["final_order_amount"].(string), b["discount_amount"].(string), b["cashback_amount"].(string), b["offer_amount"].(string)}
				if g != *w {
					t.Errorf("%s breakup %+v, want %+v", code, g, *w)
				}
			}
		})
	}
}

// best_offer_combinations names the best offer per payment method reference; an offer
// limited to cards is not offered on UPI.
func TestRewardsListOffersBestCombinations(t *testing.T) {
	s, srv := testServer(t, Config{})
	r := rewardsDo(t, srv, "POST", "/offers/list", rewardsOfferRequest("1000", "9876543210", "", [2]string{"CARD", "card_1"}, [2]string{"UPI", "upi_1"}, [2]string{"CARD", "card_1"}), nil)
	rewardsExpect(t, s, r, 200, contracts.KindListOffers)
	combos := r.doc["best_offer_combinations"].([]any)
	if len(combos) != 1 {
		t.Fatalf("want one combination (card_1): %s", r.body)
	}
	if ref := rewardsAt(t, combos, 0, "payment_method_reference"); ref != "card_1" {
		t.Errorf("reference %v", ref)
	}
	card := rewardsOffers(t, r.doc)[OfferCodeCard]
	if id := rewardsAt(t, combos, 0, "offers", 0, "offer_id"); id != card["offer_id"] {
		t.Errorf("best offer %v, want the card offer %v", id, card["offer_id"])
	}
	if got := rewardsAt(t, combos, 0, "offers", 0, "total_offered_amount"); got != "100.00" {
		t.Errorf("total_offered_amount %v", got)
	}
	refs := card["eligible_saved_payment_methods"].([]any)
	if len(refs) != 2 || refs[0] != "card_1" {
		t.Errorf("eligible_saved_payment_methods %v", refs)
	}

	// With Cred eligible, its ₹200 beats the card's ₹100 on the card, and it is the only offer on UPI.
	r = rewardsDo(t, srv, "POST", "/offers/list", rewardsOfferRequest("1000", CredEligiblePhone, "", [2]string{"CARD", "card_1"}, [2]string{"UPI", "upi_1"}), nil)
	rewardsExpect(t, s, r, 200, contracts.KindListOffers)
	combos = r.doc["best_offer_combinations"].([]any)
	cred := rewardsOffers(t, r.doc)[OfferCodeCred]
	if len(combos) != 2 {
		t.Fatalf("want two combinations: %s", r.body)
	}
	for i := range combos {
		if id := rewardsAt(t, combos, i, "offers", 0, "offer_id"); id != cred["offer_id"] {
			t.Errorf("combination %d: best offer %v, want Cred", i, id)
		}
	}
}

// Missing order or amount, a bad amount or a body that is not JSON: the documented 400 bodies.
func TestRewardsListOffersErrors(t *testing.T) {
	s, srv := testServer(t, Config{})
	cases := []struct {
		name string
		body any
	}{
		{"not JSON", "{"},
		{"empty object", "{}"},
		{"null", "null"},
		{"no amount", map[string]any{"order": map[string]any{"order_id": "o1", "currency": "INR"}}},
		{"amount not a number", rewardsOfferRequest("abc", "", "")},
		{"amount zero", rewardsOfferRequest("0", "", "")},
		{"amount negative", rewardsOfferRequest("-5", "", "")},
		{"amount wrong type", map[string]any{"order": map[string]any{"amount": true}}},
		{"reference missing", rewardsOfferRequest("100", "", "", [2]string{"CARD", ""})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rewardsDo(t, srv, "POST", "/v1/offers/list", tc.body, nil)
			rewardsExpect(t, s, r, 400, contracts.KindError)
		})
	}
	// A number is accepted for the amount, as some clients send it.
	r := rewardsDo(t, srv, "POST", "/v1/offers/list", map[string]any{"order": map[string]any{"order_id": "o1", "amount": 1000, "currency": "INR"}}, nil)
	rewardsExpect(t, s, r, 200, contracts.KindListOffers)
	// Wrong key: 401.
	r = rewardsDo(t, srv, "POST", "/v1/offers/list", rewardsOfferRequest("100", "", ""), map[string]string{"Authorization": "Basic eDo="})
	rewardsExpect(t, s, r, 401, contracts.KindError)
}

// The documented Twid payment methods, for any merchant, each with a fresh requestId.
func TestRewardsPaymentMethods(t *testing.T) {
	s, srv := testServer(t, Config{})
	a := rewardsDo(t, srv, "GET", "/merchants/some_merchant/paymentmethods", nil, nil)
	rewardsExpect(t, s, a, 200, contracts.KindPaymentMethods)
	b := rewardsDo(t, srv, "GET", "/merchants/other/paymentmethods", nil, nil)
	rewardsExpect(t, s, b, 200, contracts.KindPaymentMethods)
	if a.doc["requestId"] == b.doc["requestId"] || len(a.doc["requestId"].(string)) != 36 {
		t.Errorf("requestIds %v and %v", a.doc["requestId"], b.doc["requestId"])
	}
	if pm := rewardsAt(t, a.doc, "payload", "paymentMethods", 0, "payment_method"); pm != "TWID" {
		t.Errorf("payment_method %v", pm)
	}
}

func rewardsEligibility(t *testing.T, srv *httptest.Server, customer, mobile string) rewardsResp {
	t.Helper()
	form := url.Values{"amount": {"100"}, "gateway_reference_id": {"refId"}, "order_id": {"ord_tw_1"}, "mobile_number": {mobile}}
	return rewardsDo(t, srv, "POST", "/customers/"+customer+"/eligibility", form, map[string]string{"version": "2024-01-15"})
}

// rewardsBlock is payload.wallets[0].paymentMethodsEligibility[0].
func rewardsBlock(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	return rewardsAt(t, doc, "payload", "wallets", 0, "paymentMethodsEligibility", 0).(map[string]any)
}

// Eligibility by mobile number: rewards, exhausted, first-time user.
func TestRewardsEligibilityByMobile(t *testing.T) {
	s, srv := testServer(t, Config{})
	r := rewardsEligibility(t, srv, "cust_9", TwidRewardsMobile)
	rewardsExpect(t, s, r, 200, contracts.KindEligibility)
	blk := rewardsBlock(t, r.doc)
	if blk["isEligible"] != true || rewardsAt(t, blk, "rewardDetails", "otpVerificationRequired") != false {
		t.Errorf("rewards user: %s", r.body)
	}
	types := map[any]bool{}
	for _, ri := range blk["redeemableInfo"].([]any) {
		types[ri.(map[string]any)["rewardType"]] = true
	}
	if !types["BURN"] || !types["EARN"] {
		t.Errorf("reward types %v, want BURN and EARN", types)
	}
	if got := rewardsAt(t, r.doc, "payload", "wallets", 0, "orderId"); got != "ord_tw_1" {
		t.Errorf("orderId %v", got)
	}
	if got := rewardsAt(t, r.doc, "payload", "wallets", 0, "customerId"); got != "cust_9" {
		t.Errorf("customerId %v", got)
	}

	r = rewardsEligibility(t, srv, "cust_9", TwidExhaustedMobile)
	rewardsExpect(t, s, r, 200, contracts.KindEligibility)
	blk = rewardsBlock(t, r.doc)
	if blk["isEligible"] != false || len(blk["redeemableInfo"].([]any)) != 0 {
		t.Errorf("exhausted user: %s", r.body)
	}

	for _, mobile := range []string{TwidNewUserMobile, "9123456789"} {
		r = rewardsEligibility(t, srv, "cust_9", mobile)
		rewardsExpect(t, s, r, 200, contracts.KindEligibility)
		blk = rewardsBlock(t, r.doc)
		if blk["isEligible"] != true || rewardsAt(t, blk, "rewardDetails", "otpVerificationRequired") != true || len(blk["redeemableInfo"].([]any)) != 0 {
			t.Errorf("first-time user %s: %s", mobile, r.body)
		}
	}
}

// The version header is mandatory (YYYY-MM-DD) and so are the four form fields.
func TestRewardsEligibilityErrors(t *testing.T) {
	s, srv := testServer(t, Config{})
	full := url.Values{"amount": {"100"}, "gateway_reference_id": {"refId"}, "order_id": {"o1"}, "mobile_number": {TwidRewardsMobile}}
	for _, v := range []string{"", "2023/06/30", "2023-13-45", "20230630", "2023-06-30x"} {
		t.Run("version "+v, func(t *testing.T) {
			r := rewardsDo(t, srv, "POST", "/customers/c1/eligibility", full, map[string]string{"version": v})
			rewardsExpect(t, s, r, 400, contracts.KindError)
			if got := rewardsAt(t, r.doc, "error_info", "fields", 0, "field_name"); got != "version" {
				t.Errorf("field_name %v", got)
			}
		})
	}
	for _, f := range []string{"amount", "gateway_reference_id", "order_id", "mobile_number"} {
		t.Run("missing "+f, func(t *testing.T) {
			form := url.Values{}
			for k, v := range full {
				if k != f {
					form[k] = v
				}
			}
			r := rewardsDo(t, srv, "POST", "/customers/c1/eligibility", form, map[string]string{"version": "2024-01-15"})
			rewardsExpect(t, s, r, 400, contracts.KindError)
			if got := rewardsAt(t, r.doc, "error_info", "fields", 0, "field_name"); got != f {
				t.Errorf("field_name %v", got)
			}
		})
	}
	bad := url.Values{"amount": {"ten"}, "gateway_reference_id": {"refId"}, "order_id": {"o1"}, "mobile_number": {TwidRewardsMobile}}
	r := rewardsDo(t, srv, "POST", "/customers/c1/eligibility", bad, map[string]string{"version": "2024-01-15"})
	rewardsExpect(t, s, r, 400, contracts.KindError)
}

func rewardsAuthenticate(t *testing.T, srv *httptest.Server, customer, mobile string) rewardsResp {
	t.Helper()
	form := url.Values{"gateway": {"TWID_V2"}, "command": {"authenticate"}, "gateway_reference_id": {"testmode"}, "mobile_number": {mobile}}
	return rewardsDo(t, srv, "POST", "/customers/"+customer+"/wallets", form, nil)
}

func rewardsCommand(t *testing.T, srv *httptest.Server, walletID string, form url.Values) rewardsResp {
	t.Helper()
	return rewardsDo(t, srv, "POST", "/wallets/"+walletID, form, nil)
}

// authenticate → wrong OTP → link with the test OTP → eligibility answers with rewards.
func TestRewardsWalletLinkFlow(t *testing.T) {
	s, srv := testServer(t, Config{})
	r := rewardsAuthenticate(t, srv, "cust_new", TwidNewUserMobile)
	rewardsExpect(t, s, r, 200, contracts.KindWallet)
	id, _ := rewardsAt(t, r.doc, "payload", "id").(string)
	if !strings.HasPrefix(id, "wlm_") || len(id) != 20 {
		t.Fatalf("wallet id %q", id)
	}
	if rewardsAt(t, r.doc, "payload", "linked") != false || rewardsAt(t, r.doc, "payload", "token") != nil || r.doc["error"] != false {
		t.Errorf("fresh wallet: %s", r.body)
	}
	if got := rewardsAt(t, r.doc, "payload", "metadata", "mobile_number"); got != TwidNewUserMobile {
		t.Errorf("mobile_number %v", got)
	}
	// Authenticating again names the same wallet.
	again := rewardsAuthenticate(t, srv, "cust_new", TwidNewUserMobile)
	rewardsExpect(t, s, again, 200, contracts.KindWallet)
	if got := rewardsAt(t, again.doc, "payload", "id"); got != id {
		t.Errorf("second authenticate: wallet %v, want %v", got, id)
	}

	r = rewardsCommand(t, srv, id, url.Values{"command": {"link"}, "otp": {"0000"}})
	rewardsExpect(t, s, r, 200, contracts.KindWallet)
	if r.doc["error"] != true || r.doc["errorCode"] != TwidErrInvalidOTP || rewardsAt(t, r.doc, "payload", "linked") != false {
		t.Errorf("wrong OTP: %s", r.body)
	}
	if blk := rewardsBlock(t, rewardsEligibility(t, srv, "cust_new", TwidNewUserMobile).doc); rewardsAt(t, blk, "rewardDetails", "otpVerificationRequired") != true {
		t.Errorf("OTP no longer required before linking")
	}

	r = rewardsCommand(t, srv, id, url.Values{"command": {"link"}, "otp": {TwidTestOTP}})
	rewardsExpect(t, s, r, 200, contracts.KindWallet)
	tok, _ := rewardsAt(t, r.doc, "payload", "token").(string)
	if r.doc["error"] != false || rewardsAt(t, r.doc, "payload", "linked") != true || tok == "" {
		t.Fatalf("link: %s", r.body)
	}
	if rewardsAt(t, r.doc, "payload", "auth_params", "is_submit_allowed") != false {
		t.Errorf("submit still allowed after linking")
	}

	e := rewardsEligibility(t, srv, "cust_new", TwidNewUserMobile)
	rewardsExpect(t, s, e, 200, contracts.KindEligibility)
	blk := rewardsBlock(t, e.doc)
	if rewardsAt(t, blk, "rewardDetails", "otpVerificationRequired") != false || len(blk["redeemableInfo"].([]any)) == 0 {
		t.Errorf("linked user gets no rewards: %s", e.body)
	}
	// Linking is per customer: another customer with the same number still has to link.
	if blk := rewardsBlock(t, rewardsEligibility(t, srv, "cust_other", TwidNewUserMobile).doc); rewardsAt(t, blk, "rewardDetails", "otpVerificationRequired") != true {
		t.Errorf("another customer inherited the link")
	}

	// Linking again keeps the wallet and its token; resending is refused.
	r = rewardsCommand(t, srv, id, url.Values{"command": {"link"}, "otp": {TwidTestOTP}})
	rewardsExpect(t, s, r, 200, contracts.KindWallet)
	if rewardsAt(t, r.doc, "payload", "token") != tok {
		t.Errorf("token changed on a second link")
	}
	r = rewardsCommand(t, srv, id, url.Values{"command": {"resend"}})
	rewardsExpect(t, s, r, 200, contracts.KindWallet)
	if r.doc["errorCode"] != TwidErrAlreadyLinked {
		t.Errorf("resend after linking: %s", r.body)
	}
}

// Resend only 15 s after the last OTP, at most 5 times in 30 minutes (fake clock).
func TestRewardsWalletResendLimits(t *testing.T) {
	clock := &rewardsClock{t: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)}
	s, srv := testServer(t, Config{Clock: clock.now})
	id := rewardsAt(t, rewardsAuthenticate(t, srv, "cust_r", "9111111111").doc, "payload", "id").(string)
	resend := func() rewardsResp {
		t.Helper()
		r := rewardsCommand(t, srv, id, url.Values{"command": {"resend"}})
		rewardsExpect(t, s, r, 200, contracts.KindWallet)
		return r
	}

	clock.add(14 * time.Second)
	if r := resend(); r.doc["errorCode"] != TwidErrResendTooSoon || r.doc["error"] != true {
		t.Fatalf("resend after 14 s: %s", r.body)
	}
	for i := 1; i <= TwidResendLimit; i++ {
		clock.add(time.Second) // 15 s after the last OTP
		if r := resend(); r.doc["error"] != false {
			t.Fatalf("resend %d: %s", i, r.body)
		}
		clock.add(14 * time.Second)
		if i < TwidResendLimit {
			if r := resend(); r.doc["errorCode"] != TwidErrResendTooSoon {
				t.Fatalf("resend %d+14 s: %s", i, r.body)
			}
		}
	}
	clock.add(time.Second)
	r := resend()
	if r.doc["errorCode"] != TwidErrResendLimit {
		t.Fatalf("sixth resend: %s", r.body)
	}
	if rewardsAt(t, r.doc, "payload", "auth_params", "is_resend_allowed") != false {
		t.Errorf("is_resend_allowed true at the limit")
	}
	// The first resend was at +15 s; it leaves the window 30 minutes later (now +90 s).
	clock.add(30*time.Minute - 76*time.Second)
	if r := resend(); r.doc["errorCode"] != TwidErrResendLimit {
		t.Fatalf("resend just inside the window: %s", r.body)
	}
	clock.add(time.Second)
	if r := resend(); r.doc["error"] != false {
		t.Fatalf("resend after the window: %s", r.body)
	}
	// The test OTP still links after resends.
	if r := rewardsCommand(t, srv, id, url.Values{"command": {"link"}, "otp": {TwidTestOTP}}); rewardsAt(t, r.doc, "payload", "linked") != true {
		t.Errorf("link after resends: %s", r.body)
	}
}

// Missing or wrong fields and unknown wallets: the documented 400 bodies.
func TestRewardsWalletErrors(t *testing.T) {
	s, srv := testServer(t, Config{})
	full := url.Values{"gateway": {"TWID_V2"}, "command": {"authenticate"}, "gateway_reference_id": {"testmode"}, "mobile_number": {"9222222222"}}
	cases := []struct {
		name, field string
		form        url.Values
	}{
		{"wrong command", "command", url.Values{"command": {"link"}}},
		{"wrong gateway", "gateway", url.Values{"gateway": {"PAYU"}}},
	}
	for _, f := range []string{"gateway", "command", "gateway_reference_id", "mobile_number"} {
		cases = append(cases, struct {
			name, field string
			form        url.Values
		}{"missing " + f, f, url.Values{f: {""}}})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{}
			for k, v := range full {
				form[k] = v
			}
			for k, v := range tc.form {
				form[k] = v
			}
			r := rewardsDo(t, srv, "POST", "/customers/c1/wallets", form, nil)
			rewardsExpect(t, s, r, 400, contracts.KindError)
			if got := rewardsAt(t, r.doc, "error_info", "fields", 0, "field_name"); got != tc.field {
				t.Errorf("field_name %v, want %s", got, tc.field)
			}
		})
	}

	r := rewardsCommand(t, srv, "wlm_doesnotexist0000", url.Values{"command": {"link"}, "otp": {TwidTestOTP}})
	rewardsExpect(t, s, r, 400, contracts.KindError)

	id := rewardsAt(t, rewardsAuthenticate(t, srv, "c1", "9222222222").doc, "payload", "id").(string)
	for name, form := range map[string]url.Values{
		"link without otp": {"command": {"link"}},
		"no command":       {"otp": {TwidTestOTP}},
		"unknown command":  {"command": {"delink"}},
	} {
		t.Run(name, func(t *testing.T) {
			r := rewardsCommand(t, srv, id, form)
			rewardsExpect(t, s, r, 400, contracts.KindError)
		})
	}
}

// Concurrent authenticate, link and eligibility calls (run with -race).
func TestRewardsConcurrent(t *testing.T) {
	s, srv := testServer(t, Config{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cust := fmt.Sprintf("cust_c%d", i%3)
			auth := url.Values{"gateway": {"TWID_V2"}, "command": {"authenticate"}, "gateway_reference_id": {"testmode"}, "mobile_number": {"9333333333"}}
			r, err := rewardsSend(srv, "POST", "/customers/"+cust+"/wallets", auth, nil)
			if err != nil || r.code != 200 {
				t.Errorf("authenticate: %v %s", err, r.body)
				return
			}
			payload, _ := r.doc["payload"].(map[string]any)
			id, _ := payload["id"].(string)
			for _, form := range []url.Values{{"command": {"resend"}}, {"command": {"link"}, "otp": {TwidTestOTP}}} {
				if _, err := rewardsSend(srv, "POST", "/wallets/"+id, form, nil); err != nil {
					t.Error(err)
				}
			}
			elig := url.Values{"amount": {"100"}, "gateway_reference_id": {"refId"}, "order_id": {"o"}, "mobile_number": {"9333333333"}}
			if r, err := rewardsSend(srv, "POST", "/customers/"+cust+"/eligibility", elig, map[string]string{"version": "2024-01-15"}); err != nil || r.code != 200 {
				t.Errorf("eligibility: %v %s", err, r.body)
			}
		}(i)
	}
	wg.Wait()
	for i := 0; i < 3; i++ {
		if !s.rewards.linked(walletOwner{fmt.Sprintf("cust_c%d", i), "9333333333"}) {
			t.Errorf("cust_c%d not linked", i)
		}
	}
	s.rewards.mu.Lock()
	n := len(s.rewards.wallets)
	s.rewards.mu.Unlock()
	if n != 3 {
		t.Errorf("%d wallets, want one per customer (3)", n)
	}
}
