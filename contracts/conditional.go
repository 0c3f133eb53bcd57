package contracts

import "fmt"

// Conditional requiredness: fields the documents make mandatory only in some cases. A plain
// `required` would fail the other cases (a FIXED mandate without max_amount, a card mandate
// without dates), so each condition is an invariant citing the sentence that states it.

const (
	mandateFieldsSource    = "Webhooks § For Mandate Status › Callback Object (content.mandate) › max_amount, start_date, end_date"
	customerIdentitySource = "Twid_V2 Onboarding (EC Merchants) § 4.1 Order API Substep (“customer_id” or “customer_mobile” is mandatory to be passed)"
)

// checkMandateFields: max_amount is mandatory if amount_rule is VARIABLE; start_date and
// end_date only for UPI mandates. On an order (order status, order webhooks) the mandate sits in
// order.mandate and the payment method on the order; on a mandate, in payment_info.
func checkMandateFields(w *walker, s *schema, v jvalue) {
	mandate, method := v, ""
	if m := v.get("mandate"); m.kind == jObject {
		mandate = m
		method, _ = str(v.get("payment_method_type"))
		w.at("mandate", func() { mandateFields(w, s, mandate, method) })
		return
	}
	if pi := v.get("payment_info"); pi.kind == jObject {
		method, _ = str(pi.get("payment_method_type"))
	}
	mandateFields(w, s, mandate, method)
}

func mandateFields(w *walker, s *schema, m jvalue, method string) {
	rule, _ := str(m.get("amount_rule"))
	if rule == "VARIABLE" && isNullish(m.get("max_amount")) {
		w.add(RuleMandateFields, SeverityError, "a VARIABLE mandate must carry max_amount", "max_amount", "missing", s.spec, mandateFieldsSource)
	}
	if method != "UPI" {
		return
	}
	for _, f := range []string{"start_date", "end_date"} {
		if isNullish(m.get(f)) {
			w.add(RuleMandateFields, SeverityError, fmt.Sprintf("a UPI mandate must carry %s", f), f, "missing", s.spec, mandateFieldsSource)
		}
	}
}

// checkCustomerIdentity: "customer_id or customer_mobile is mandatory" on Twid's order create.
func checkCustomerIdentity(w *walker, s *schema, v jvalue) {
	empty := func(k string) bool {
		x := v.get(k)
		return isNullish(x) || x.kind == jString && x.s == ""
	}
	if empty("customer_id") && empty("customer_mobile") && empty("customer_phone") {
		w.add(RuleCustomerIdentity, SeverityError, "customer_id or customer_mobile is mandatory", "customer_id or customer_mobile", "neither", s.spec, customerIdentitySource)
	}
}
