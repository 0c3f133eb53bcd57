package contracts

// detect guesses a payload's kind from its shape, for `jpcheck validate` on captured traffic
// where nobody wrote down what each line is. The order matters: the most specific shapes first.
func detect(v *jvalue) (Kind, bool) {
	if v.kind != jObject {
		return "", false
	}
	has := func(k string) bool { return v.get(k) != nil }
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
	if p := v.get("payload"); p != nil && p.kind == jObject {
		// The same envelope carries every Hypercheckout SDK answer (card info, net banking
		// status, payment processing); only the Twid answers' own payloads are claimed.
		object, _ := str(p.get("object"))
		action, _ := str(p.get("action"))
		switch {
		case p.get("paymentMethods") != nil:
			return KindPaymentMethods, true
		case object == "wallet_account" || object == "" && p.get("wallet") != nil && p.get("linked") != nil:
			return KindWallet, true
		case action == "eligibility" || p.get("wallets") != nil && p.get("wallets").kind == jArray:
			return KindEligibility, true
		}
	}
	status, _ := str(v.get("status"))
	switch {
	case has("split_refund_details") || has("unique_request_id") && !has("customer_id") && !has("txn_detail"):
		return KindRefund, true
	case has("payment") && has("txn_id"):
		return KindTxn, true
	case status == "CREATED" || has("payment_links") && !has("amount") && !has("txn_detail"):
		return KindOrderCreate, true
	case has("order_id") && (has("amount") || has("txn_detail") || has("customer_id")):
		return KindOrderStatus, true
	case has("error_code") || has("error_info") || has("error_message") || status == "NOT_FOUND":
		return KindError, true
	}
	return "", false
}

// isMandateList tells List Mandates from the other `"object": "list"` answers (wallets,
// outages, bank accounts): every entry is a mandate.
func isMandateList(v *jvalue) bool {
	if v == nil || v.kind != jArray {
		return false
	}
	for _, m := range v.arr {
		if m.kind != jObject || m.get("mandate_id") == nil {
			return false
		}
	}
	return true
}

func isOfferList(v *jvalue) bool {
	if v == nil || v.kind != jArray {
		return false
	}
	for _, o := range v.arr {
		if o.get("offer_rules") != nil || o.get("order_breakup") != nil {
			return true
		}
	}
	return false
}
