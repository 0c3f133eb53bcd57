package contracts

// detect guesses a payload's kind from its shape, for `jpcheck validate` on captured traffic
// where nobody wrote down what each line is. The order matters: the most specific shapes first.
func detect(v jvalue) (Kind, bool) {
	if v.kind != jObject {
		return "", false
	}
	has := func(k string) bool { return v.get(k).ok() }
	switch {
	case has("event_name") && has("content"):
		return KindWebhook, true
	case has("best_offer_combinations") || has("offers") && isOfferList(v.get("offers")):
		return KindListOffers, true
	case has("offer_id") && (has("offer_rules") || has("order_breakup")):
		return KindOffer, true
	}
	// The mandate APIs, before order status: a mandate carries order_id and customer_id too.
	object, _ := str(v.get("object"))
	switch {
	case object == "list" && has("list") && isMandateList(v.get("list")):
		return KindMandateList, true
	case object == "notification":
		return KindNotification, true
	case has("mandate_status") && has("mandate_id"):
		return KindMandateCommand, true
	case has("mandate_id") && has("payment_info"):
		return KindMandate, true
	}
	if p := v.get("payload"); p.kind == jObject && (has("requestId") || has("service")) {
		// The same envelope carries every Hypercheckout SDK answer (card info, net banking
		// status, payment processing); only the Twid answers' own payloads are claimed.
		object, _ := str(p.get("object"))
		action, _ := str(p.get("action"))
		switch {
		case action != "" && action != "eligibility":
			// A Hypercheckout SDK request or answer (createWallet, cardInfo, process, ...):
			// camelCase twins of Juspay's APIs that no contract of jpcheck's describes.
			return "", false
		case isTwidPaymentMethods(p.get("paymentMethods")):
			return KindPaymentMethods, true
		case object == "wallet_account" || object == "" && p.get("wallet").ok() && p.get("linked").ok():
			return KindWallet, true
		case isTwidEligibility(p.get("wallets")):
			return KindEligibility, true
		}
	}
	status, _ := str(v.get("status"))
	switch {
	case has("split_refund_details") || has("unique_request_id") && !has("customer_id") && !has("txn_detail"):
		return KindRefund, true
	case has("payment") && has("txn_id"):
		return KindTxn, true
	// The Session API's answer (sdk_payload, status NEW) is not an order create answer; an
	// order without status or status_id is a create request, not an answer.
	case has("sdk_payload"):
		return "", false
	case (status == "CREATED" || has("payment_links") && !has("amount") && !has("txn_detail")) && (has("order_id") || has("id")):
		return KindOrderCreate, true
	case has("order_id") && (has("status") || has("status_id")) && (has("amount") || has("txn_detail") || has("customer_id")):
		return KindOrderStatus, true
	case has("error_code") || has("error_info") || has("error_message") || status == "NOT_FOUND":
		return KindError, true
	}
	return "", false
}

// isTwidEligibility: the SDK's eligibility action answers for cards and wallets too; Twid's
// answer is the one whose wallets carry paymentMethodsEligibility (or its prose name).
func isTwidEligibility(v jvalue) bool {
	if v.kind != jArray {
		return false
	}
	for _, w := range v.elems() {
		if w.get("paymentMethodsEligibility").ok() || w.get("payment_methods_eligibility").ok() {
			return true
		}
	}
	return false
}

// isTwidPaymentMethods: Twid lists payment methods in snake_case (payment_method); the SDK's
// getPaymentMethods answer in camelCase (paymentMethod).
func isTwidPaymentMethods(v jvalue) bool {
	if v.kind != jArray {
		return false
	}
	for _, m := range v.elems() {
		if m.get("paymentMethod").ok() || m.get("paymentMethodType").ok() {
			return false
		}
	}
	return true
}

// isMandateList tells List Mandates from the other `"object": "list"` answers (wallets,
// outages, bank accounts): every entry is a mandate.
func isMandateList(v jvalue) bool {
	if v.kind != jArray {
		return false
	}
	for _, m := range v.elems() {
		if m.kind != jObject || !m.get("mandate_id").ok() {
			return false
		}
	}
	return true
}

func isOfferList(v jvalue) bool {
	if v.kind != jArray {
		return false
	}
	for _, o := range v.elems() {
		if o.get("offer_rules").ok() || o.get("order_breakup").ok() {
			return true
		}
	}
	return false
}
