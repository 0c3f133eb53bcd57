package mock

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
)

// List Offers test mode (facts § 4.1, cred-offers). The catalogue and the Cred-eligible phone
// numbers are an interface (docs/mock.md): fixtures name them.
const (
	// CredEligiblePhone is a customer mobile number Cred finds eligible for its partner offer.
	// In the sandbox such numbers are whitelisted on Cred's end (cred-offers § "For Sandbox/UAT
	// testing"); every other number is not eligible and the Cred offer is left out.
	CredEligiblePhone = "9999999999"
	// CredSamplePhone is the number of the documented List Offer request; it is eligible too,
	// so the documented request gets the documented Cred offer back.
	CredSamplePhone = "9741000605"

	// OfferCodeCred, OfferCodeCard and OfferCodeCoupon are the offers the mock lists:
	// the documented Cred partner offer (20% discount, capped at ₹200), an auto-applied card
	// offer (10% discount on CARD, capped at ₹100, orders of ₹100 or more) and a coupon listed
	// only when the request names it in offer_code (₹50 cashback, orders of ₹200 or more).
	OfferCodeCred   = "CRED-INTEGRATION_OFF_1724233660"
	OfferCodeCard   = "CARD10"
	OfferCodeCoupon = "CASHBACK50"
)

// maxOfferPaymentMethods bounds payment_method_info, so one request cannot ask for a response
// much larger than itself.
const maxOfferPaymentMethods = 256

// offerDef is one offer of the catalogue. Amounts are in paise so the breakup is exact.
type offerDef struct {
	id, code, title string
	partner         string // "CRED": a partner offer, eligible by the customer's phone
	benefit         string // DISCOUNT or CASHBACK
	rule            string // ABSOLUTE or PERCENTAGE
	value           float64
	maxPaise        int64  // cap of a PERCENTAGE benefit; 0 means none
	minPaise        int64  // min_order_amount
	instrument      string // the payment_method_type the offer is limited to; "" means any
	coupon          bool   // listed only when offer_code names it
	priority        int    // ui_configs.offer_display_priority
}

// offerCatalogue lists the offers in the order the response lists them. The Cred offer keeps
// the documented id, code and 20% (its cap keeps the documented 1000 → 200 breakup).
func offerCatalogue() []offerDef {
	return []offerDef{
		{id: "71098841-4180-a82c-db6d4e147b35", code: OfferCodeCred, title: "OFFER ON CRED", partner: "CRED",
			benefit: "DISCOUNT", rule: "PERCENTAGE", value: 20, maxPaise: 20000, minPaise: 100, priority: 1},
		{id: "6a0f3c52-8d1e-4b7a-9c2d-5e4f3a2b1c10", code: OfferCodeCard, title: "10% off on cards",
			benefit: "DISCOUNT", rule: "PERCENTAGE", value: 10, maxPaise: 10000, minPaise: 10000, instrument: "CARD", priority: 2},
		{id: "0b9e8d7c-6f5a-4e3d-8c2b-1a0f9e8d7c6b", code: OfferCodeCoupon, title: "Flat ₹50 cashback",
			benefit: "CASHBACK", rule: "ABSOLUTE", value: 50, minPaise: 20000, coupon: true, priority: 3},
	}
}

// credEligible reports whether Cred's eligibility check passes for phone. Numbers are compared
// by their last ten digits, so "+91 99999 99999" is the same customer.
func credEligible(phone string) bool {
	var d []byte
	for i := 0; i < len(phone); i++ {
		if phone[i] >= '0' && phone[i] <= '9' {
			d = append(d, phone[i])
		}
	}
	if len(d) > 10 {
		d = d[len(d)-10:]
	}
	switch string(d) {
	case CredEligiblePhone, CredSamplePhone:
		return true
	}
	return false
}

// lenientString reads a JSON string or number as text: the spec has the amount as a string
// ("1000"), and some clients send a number.
type lenientString string

func (l *lenientString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*l = lenientString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*l = lenientString(n.String())
	return nil
}

type listOffersRequest struct {
	Order *struct {
		OrderID  string         `json:"order_id"`
		Amount   *lenientString `json:"amount"`
		Currency string         `json:"currency"`
	} `json:"order"`
	PaymentMethodInfo []offerPaymentMethod `json:"payment_method_info"`
	Customer          *struct {
		ID     string `json:"id"`
		Mobile string `json:"mobile"`
		// The cred-offers request sends the number as phone, the declared name; mobile (facts § 4.1) is its field-alias variant.
		Phone string `json:"phone"`
	} `json:"customer"`
	OfferCode string `json:"offer_code"`
}

// offerPaymentMethod is the part of a payment_method_info entry the mock reads.
type offerPaymentMethod struct {
	Type string `json:"payment_method_type"`
	Ref  string `json:"payment_method_reference"`
}

// listedOffer is an offer that applies to the order, with its amounts.
type listedOffer struct {
	def                      offerDef
	discount, cashback, base int64
	doc                      map[string]any
}

func (s *Server) handleListOffers(w http.ResponseWriter, r *http.Request) {
	var req listOffersRequest
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&req); err != nil {
		badRequest(w, "Invalid request body")
		return
	}
	if req.Order == nil {
		invalidInput(w, "order")
		return
	}
	if req.Order.Amount == nil {
		invalidInput(w, "order.amount")
		return
	}
	amt, ok := money(string(*req.Order.Amount))
	if !ok || amt <= 0 {
		invalidInput(w, "order.amount")
		return
	}
	if len(req.PaymentMethodInfo) > maxOfferPaymentMethods {
		invalidInput(w, "payment_method_info")
		return
	}
	for _, pm := range req.PaymentMethodInfo {
		if pm.Ref == "" {
			invalidInput(w, "payment_method_info.payment_method_reference")
			return
		}
	}
	currency := req.Order.Currency
	if currency == "" {
		currency = "INR"
	}
	phone := ""
	if c := req.Customer; c != nil {
		phone = c.Mobile
		if phone == "" {
			phone = c.Phone
		}
	}
	tmpl := s.rewards.offer
	orderPaise := int64(math.Round(amt * 100))
	var listed []listedOffer
	for _, def := range offerCatalogue() {
		switch {
		case orderPaise < def.minPaise:
		case def.coupon && !strings.EqualFold(req.OfferCode, def.code):
		case def.partner == "CRED" && !credEligible(phone):
		default:
			o, err := buildOffer(tmpl, def, orderPaise, currency, req.PaymentMethodInfo)
			if err != nil {
				internalError(w)
				return
			}
			listed = append(listed, o)
		}
	}
	offers := make([]any, 0, len(listed))
	for _, o := range listed {
		offers = append(offers, o.doc)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"offers":                  offers,
		"best_offer_combinations": bestOfferCombinations(listed, req.PaymentMethodInfo),
	})
}

// buildOffer fills the documented Cred offer (the template) with def and the order's amounts.
func buildOffer(tmpl []byte, def offerDef, orderPaise int64, currency string, pms []offerPaymentMethod) (listedOffer, error) {
	doc, err := decode(tmpl)
	if err != nil {
		return listedOffer{}, err
	}
	benefit := int64(math.Round(def.value * 100))
	if def.rule == "PERCENTAGE" {
		benefit = int64(math.Round(float64(orderPaise) * def.value / 100))
		if def.maxPaise > 0 && benefit > def.maxPaise {
			benefit = def.maxPaise
		}
	}
	// No benefit exceeds what the customer pays: final_order_amount never goes negative.
	benefit = min(benefit, orderPaise)
	o := listedOffer{def: def, base: orderPaise, doc: doc}
	if def.benefit == "CASHBACK" {
		o.cashback = benefit
	} else {
		o.discount = benefit
	}
	doc["offer_id"] = def.id
	doc["offer_code"] = def.code
	doc["status"] = "ELIGIBLE"
	doc["offer_description"] = map[string]any{"title": def.title, "description": "", "tnc": ""}
	autoApply := "true"
	if def.coupon {
		autoApply = "false"
	}
	doc["ui_configs"] = map[string]any{"auto_apply": autoApply, "should_validate": "false", "is_hidden": "false", "offer_display_priority": def.priority}
	instruments := []any{}
	rules := map[string]any{
		"amount":             map[string]any{"currency": currency, "min_order_amount": paise(def.minPaise)},
		"payment_instrument": instruments,
		"filters":            map[string]any{"whitelist": []any{}, "blacklist": []any{}},
		"txn_type":           []any{"ORDER"},
	}
	if def.instrument != "" {
		// The mock's own instrument offers carry the rule fields facts § 4.1 lists; the
		// documented Cred offer keeps its document's shape.
		doc["offer_description"].(map[string]any)["sponsored_by"] = "Juspay Test Bank"
		rules["payment_instrument"] = []any{map[string]any{
			"payment_method_type": def.instrument, "payment_method": []any{"VISA", "MASTERCARD", "RUPAY"},
			"variant": []any{}, "app": []any{}, "type": []any{"CREDIT", "DEBIT"}, "issuer": []any{},
		}}
		rules["amount"].(map[string]any)["amount_info"] = []any{"base_amount"}
		rules["gateways"], rules["order_basket"] = []any{}, []any{}
		rules["additional_payment_filters"] = map[string]any{"emi_eligibility": []any{}}
	}
	doc["offer_rules"] = rules
	doc["order_breakup"] = o.breakup()
	// The documented window ended in 2025; an offer the mock lists as ELIGIBLE must be running.
	doc["end_time_utc"] = "2099-12-31T18:29:59.999Z"
	if def.partner == "" {
		delete(doc, "partner_offer_info")
	}
	refs := []any{}
	for _, pm := range pms {
		if o.appliesTo(pm.Type) {
			refs = append(refs, pm.Ref)
		}
	}
	doc["eligible_saved_payment_methods"] = refs
	return o, nil
}

func (o listedOffer) appliesTo(pmt string) bool {
	return o.def.instrument == "" || strings.EqualFold(o.def.instrument, pmt)
}

// breakup is the offer's order_breakup (facts § 4.2: final = order − discount, offer amount =
// discount + cashback).
func (o listedOffer) breakup() map[string]any {
	b := map[string]any{
		"order_amount":             paise(o.base),
		"applicable_order_amount":  paise(o.base),
		"final_order_amount":       paise(o.base - o.discount),
		"discount_amount":          paise(o.discount),
		"merchant_discount_amount": paise(0),
		"cashback_amount":          paise(o.cashback),
		"offer_amount":             paise(o.discount + o.cashback),
		"benefits":                 []any{map[string]any{"type": o.def.benefit, "calculation_rule": o.def.rule, "value": o.def.value}},
	}
	if o.def.instrument != "" {
		b["benefits"].([]any)[0].(map[string]any)["amount_info"] = []any{"base_amount"}
		b["product_discounts"], b["emi_discounts"] = []any{}, []any{}
	}
	return b
}

// bestOfferCombinations names, for each payment method of the request, the listed offer worth
// most on it. Offers are not stacked: the samples never show two offers applied together.
func bestOfferCombinations(listed []listedOffer, pms []offerPaymentMethod) []any {
	out := []any{}
	seen := map[string]bool{}
	for _, pm := range pms {
		if seen[pm.Ref] {
			continue
		}
		seen[pm.Ref] = true
		best := -1
		for i, o := range listed {
			if o.appliesTo(pm.Type) && (best < 0 || o.discount+o.cashback > listed[best].discount+listed[best].cashback) {
				best = i
			}
		}
		if best < 0 {
			continue
		}
		o := listed[best]
		out = append(out, map[string]any{
			"payment_method_reference": pm.Ref,
			"offers": []any{map[string]any{
				"offer_id":                 o.def.id,
				"discount_amount":          paise(o.discount),
				"cashback_amount":          paise(o.cashback),
				"merchant_discount_amount": paise(0),
				"total_offered_amount":     paise(o.discount + o.cashback),
			}},
			"order_breakup": o.breakup(),
		})
	}
	return out
}

// paise renders an amount in paise as the money string of the offers API ("800.00").
func paise(p int64) string {
	sign := ""
	if p < 0 {
		sign, p = "-", -p
	}
	return fmt.Sprintf("%s%d.%02d", sign, p/100, p%100)
}
