package mock

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
)

func (s *Server) now() string { return s.cfg.Clock().UTC().Format(time.RFC3339) }

func (s *Server) handleOrderStatus(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("order_id")
	body, ok := s.store.body(id)
	if !ok {
		orderNotFound(w, id)
		return
	}
	if strings.EqualFold(r.URL.Query().Get(v4OptionFullGatewayResponse), "true") {
		full, err := withFullGatewayResponse(body)
		if err != nil {
			internalError(w)
			return
		}
		body = full
	}
	writeRaw(w, http.StatusOK, body)
}

// withFullGatewayResponse adds payment_gateway_response.gateway_response, "the complete
// response as received from the payment gateway" (order-status § Query Parameters ›
// options.add_full_gateway_response), to the order and each txn_list entry that lacks one. The
// mock has no gateway, so it is built from what the txn recorded, under the field names the
// documented gateway responses use. Done per request, so the plain GET stays a map lookup.
func withFullGatewayResponse(body []byte) ([]byte, error) {
	doc, err := decode(body)
	if err != nil {
		return nil, err
	}
	addGatewayResponse(doc)
	if list, ok := doc["txn_list"].([]any); ok {
		for _, t := range list {
			if m, ok := t.(map[string]any); ok {
				addGatewayResponse(m)
			}
		}
	}
	return json.Marshal(doc)
}

func addGatewayResponse(txn map[string]any) {
	pgr, ok := txn["payment_gateway_response"].(map[string]any)
	if !ok {
		return
	}
	if _, has := pgr["gateway_response"]; has {
		return
	}
	gr := map[string]any{}
	put := func(key string, v any) {
		if s, ok := v.(string); ok && s != "" {
			gr[key] = s
		}
	}
	if d, ok := txn["txn_detail"].(map[string]any); ok {
		put("gatewayName", d["gateway"])
		if n, ok := d["txn_amount"].(json.Number); ok {
			if f, err := n.Float64(); err == nil {
				gr["txnAmount"] = fmt.Sprintf("%.2f", f)
			}
		}
	}
	put("paymentMode", txn["payment_method_type"])
	put("orderId", pgr["txn_id"])
	put("txnId", pgr["epg_txn_id"])
	put("bankTxnId", pgr["rrn"])
	put("resultCode", pgr["resp_code"])
	put("resultMsg", pgr["resp_message"])
	d, _ := txn["txn_detail"].(map[string]any)
	switch {
	case d != nil && d["gateway"] == "PAYTM_V2":
		// Paytm answers in its own upper-case keys (twid-v2 § 4.3 Failure Response).
		put("BANKNAME", "Juspay Test Bank")
		put("BANKTXNID", pgr["rrn"])
		put("CHECKSUMHASH", pgr["epg_txn_id"])
		put("CURRENCY", d["currency"])
		put("GATEWAYNAME", "PAYTM_V2")
		put("MERC_UNQ_REF", d["order_id"])
		put("MID", "jpcheck_test_mid")
		put("ORDERID", pgr["txn_id"])
		put("PAYMENTMODE", txn["payment_method_type"])
		put("RESPCODE", pgr["resp_code"])
		put("RESPMSG", pgr["resp_message"])
		put("STATUS", map[bool]string{true: "TXN_SUCCESS", false: "TXN_FAILURE"}[d["status"] == "CHARGED"])
		gr["TXNAMOUNT"] = gr["txnAmount"]
		put("TXNDATE", d["created"])
		put("TXNID", pgr["epg_txn_id"])
		gr["UDF_1"], gr["UDF_2"], gr["UDF_3"] = "", "", ""
	case txn["payment_method_type"] == "CARD":
		put("authCode", pgr["auth_ref_num"])
		put("cardScheme", txn["payment_method"])
		put("rrnCode", pgr["rrn"])
	}
	pgr["gateway_response"] = gr
}

// emi records a card payment on EMI (is_emi=true, emi_bank, emi_tenure, emi_type): the order
// shows emi_bank, emi_tenure and emi_details, whose monthly payment test mode works out with no
// interest (a no-cost EMI).
func (s *Server) emi(o *order, p map[string]string, principal float64) {
	bank := strings.ToUpper(p["emi_bank"])
	if bank == "" {
		bank = "HDFC"
	}
	tenure, err := strconv.Atoi(p["emi_tenure"])
	if err != nil || tenure < 1 || tenure > 60 {
		tenure = 3
	}
	emiType := strings.ToUpper(p["emi_type"])
	if emiType == "" {
		emiType = "STANDARD_EMI"
	}
	o.doc["emi_bank"], o.doc["emi_tenure"] = bank, tenure
	o.doc["emi_details"] = map[string]any{
		"bank": bank, "monthly_payment": amount(principal / float64(tenure)), "interest": amount(0), "subvention_amount": amount(0),
		"conversion_details": nil, "principal_amount": amount(principal), "additional_processing_fee_info": nil,
		"tenure": tenure, "subvention_info": []any{}, "emi_type": emiType, "processed_by": "BANK",
	}
}

// OrderJSON returns the order as GET /orders/{id} serves it, for the V4 API and tests.
func (s *Server) OrderJSON(id string) ([]byte, bool) { return s.store.body(id) }

func (s *Server) handleCreateOrder(w http.ResponseWriter, r *http.Request) {
	p, err := params(r)
	if err != nil {
		badRequest(w, "Invalid request body")
		return
	}
	o, ok := s.newOrder(w, r, p)
	if !ok {
		return
	}
	id := o.doc["order_id"].(string)
	juspayID, _ := o.doc["id"].(string)
	links, _ := o.doc["payment_links"].(map[string]any)
	if added, err := s.store.insert(id, o); err != nil {
		internalError(w)
		return
	} else if !added {
		// Order create is keyed by the merchant's order_id: a repeat names the same order.
		s.store.mu.RLock()
		o := s.store.orders[id]
		juspayID, _ = o.doc["id"].(string)
		links, _ = o.doc["payment_links"].(map[string]any)
		s.store.mu.RUnlock()
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "CREATED", "status_id": 1, "id": juspayID, "order_id": id, "payment_links": links})
}

// newOrder builds the order an order create's fields describe, with its mandate options when
// it is a mandate order. A bad field is answered with the documented error and false.
func (s *Server) newOrder(w http.ResponseWriter, r *http.Request, p map[string]string) (*order, bool) {
	id := p["order_id"]
	if id == "" {
		badRequest(w, "order_id is missing")
		return nil, false
	}
	if len(id) > 21 || strings.ContainsAny(id, " /?#%") {
		invalidInput(w, "order_id")
		return nil, false
	}
	amt, ok := money(p["amount"])
	if !ok || amt <= 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"status": "ERROR", "error_message": "Invalid amount", "error_code": "invalid_request"})
		return nil, false
	}
	currency := p["currency"]
	if currency == "" {
		currency = "INR"
	}
	if !isCurrencyCode(currency) {
		// The documented INVALID_INPUT answer names currency (facts § 6.1).
		invalidInput(w, "currency")
		return nil, false
	}
	opts, field, ok := parseMandateOptions(p, s.clock.now(), currency)
	if !ok {
		invalidInput(w, field)
		return nil, false
	}
	juspayID := randomID("ordeh_", 16)
	base := baseURL(r)
	links := map[string]any{
		"web":    base + "/merchant/pay/" + juspayID,
		"mobile": base + "/merchant/pay/" + juspayID + "?mobile=true",
		"iframe": base + "/merchant/ipay/" + juspayID,
	}
	doc := map[string]any{
		"customer_email": p["customer_email"], "customer_phone": p["customer_phone"], "customer_id": p["customer_id"],
		"status_id": 10, "status": "NEW", "id": juspayID, "merchant_id": s.merchantID(r),
		"amount": amount(amt), "currency": currency, "order_id": id, "date_created": s.now(),
		"return_url": p["return_url"], "product_id": p["product_id"], "payment_links": links,
		"refunded": false, "amount_refunded": amount(0), "effective_amount": amount(amt),
		"maximum_eligible_refund_amount": amount(0), "offers": []any{}, "bank_pg": nil,
	}
	for i := 1; i <= 10; i++ {
		doc[fmt.Sprintf("udf%d", i)] = p[fmt.Sprintf("udf%d", i)]
	}
	if cc := p["customer_phone_country_code"]; cc != "" {
		doc["customer_phone_country_code"] = cc
	}
	// metadata.KEY fields (the UPI mandate sample's metadata.PAYTM_V2:gateway_reference_id)
	// are kept as order.metadata; a gateway reference id is also the order's.
	meta := map[string]any{}
	for k, v := range p {
		key, ok := strings.CutPrefix(k, "metadata.")
		if !ok || key == "" {
			continue
		}
		meta[key] = v
		if strings.HasSuffix(key, ":gateway_reference_id") {
			doc["gateway_reference_id"] = v
		}
	}
	if len(meta) > 0 {
		doc["metadata"] = meta
	}
	return &order{doc: doc, mandateOpts: opts}, true
}

// isCurrencyCode says whether c is an ISO 4217 code's shape: three capital letters.
func isCurrencyCode(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// handleTxn runs a test-mode payment: the instrument decides the outcome at once (testmode.go).
// With mandate_id it debits that mandate instead (mandate execution), creating the order from
// order.* fields when no order_id is given.
func (s *Server) handleTxn(w http.ResponseWriter, r *http.Request) {
	p, err := params(r)
	if err != nil {
		badRequest(w, "Invalid request body")
		return
	}
	if p["mandate_id"] != "" {
		s.executeMandate(w, r, p)
		return
	}
	id, pmt := p["order_id"], strings.ToUpper(p["payment_method_type"])
	switch {
	case id == "":
		badRequest(w, "order_id is missing")
		return
	case pmt == "":
		badRequest(w, "payment_method_type is missing")
		return
	}
	splits, err := rewardSplits(p["additional_payment_details"])
	if err != nil {
		invalidInput(w, "additional_payment_details")
		return
	}
	method := strings.ToUpper(p["payment_method"])
	card := strings.ReplaceAll(p["card_number"], " ", "")
	pm := payment{pmt: pmt, method: method, splits: splits, out: outcome(pmt, method, card, p["upi_vpa"])}
	if succeeds, ok := TestAutoRefundCards[card]; ok && pmt == "CARD" {
		pm.out, pm.autoRefund = charged, &autoRefund{succeeds: succeeds}
	}
	s.runPayment(w, r, p, id, pm)
}

// payment is what one POST /txns does to an order.
type payment struct {
	pmt, method string
	splits      []split
	out         Outcome
	// autoRefund: the payment succeeds late and Juspay refunds it (TestAutoRefundCards).
	autoRefund *autoRefund
	// debit is the mandate a mandate execution debits.
	debit *mandate
}

// runPayment applies pm to order id and answers the txn.
func (s *Server) runPayment(w http.ResponseWriter, r *http.Request, p map[string]string, id string, pm payment) {
	var resp map[string]any
	var events []event
	var conflict string
	found, err := s.store.update(id, func(o *order) bool {
		if st, _ := o.doc["status"].(string); st == "CHARGED" || st == "AUTO_REFUNDED" || st == "PARTIAL_CHARGED" {
			conflict = "Order is already paid"
			return false
		}
		if m := pm.debit; m != nil && m.status != mandateActive {
			conflict = fmt.Sprintf("Mandate is %s; only an active mandate can be debited", m.status)
			return false
		}
		resp, events = s.pay(o, r, p, pm)
		return true
	})
	switch {
	case !found:
		orderNotFound(w, id)
		return
	case conflict != "":
		writeJSON(w, http.StatusBadRequest, map[string]any{"status": "ERROR", "error_message": conflict, "error_code": "invalid_request"})
		return
	case err != nil:
		internalError(w)
		return
	}
	s.emit(events)
	writeJSON(w, http.StatusOK, resp)
}

type split struct {
	amount float64
	detail map[string]any
}

// rewardSplits reads additional_payment_details: the Twid reward part of a split payment.
func rewardSplits(raw string) ([]split, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var items []map[string]any
	if err := json.Unmarshal([]byte(raw), &items); err != nil {
		return nil, err
	}
	var out []split
	for _, it := range items {
		a, ok := money(fmt.Sprint(it["split_amount"]))
		if !ok || a <= 0 {
			return nil, fmt.Errorf("split_amount")
		}
		out = append(out, split{amount: a, detail: it})
	}
	return out, nil
}

// autoRefund is what happens to a payment that succeeds late: Juspay refunds it on its own,
// and the refund succeeds or fails.
type autoRefund struct {
	succeeds bool
}

type event struct {
	name, key string
	content   map[string]any
}

// gatewayFor is the test gateway a payment method goes through: UPI through Paytm (the
// mandate samples' PAYTM_V2, gateway_id 19), everything else Juspay's test gateway.
func gatewayFor(pmt string) (string, int) {
	if pmt == "UPI" {
		return "PAYTM_V2", 19
	}
	return "JUSPAY_TEST", 100
}

// pay applies a payment to o (under the store lock) and returns the txn response and the
// webhooks to send once the lock is released. A mandate order's payment registers its mandate;
// a mandate execution carries the debited mandate.
func (s *Server) pay(o *order, r *http.Request, p map[string]string, pm payment) (map[string]any, []event) {
	o.txnSeq++
	orderID := o.doc["order_id"].(string)
	mid, _ := o.doc["merchant_id"].(string)
	total := num(o.doc["amount"])
	rewards := 0.0
	for _, sp := range pm.splits {
		rewards += sp.amount
	}
	pmt, method, out := pm.pmt, pm.method, pm.out
	card := strings.ReplaceAll(p["card_number"], " ", "")
	vpa := p["upi_vpa"]
	if method == "" {
		switch pmt {
		case "CARD":
			method = cardBrand(card)
		case "UPI":
			method = "UPI"
		}
	}
	base := fmt.Sprintf("%s-%s-%d", mid, orderID, o.txnSeq)
	nowT := s.clock.now()
	now := rfc3339(nowT)
	mainTxn := s.txn(base, orderID, pmt, method, total-rewards, out, now)
	if pmt == "CARD" && len(card) >= 10 {
		expMonth, expYear := p["card_exp_month"], p["card_exp_year"]
		if len(expYear) == 2 {
			expYear = "20" + expYear // the txn API takes two digits; order status shows four
		}
		if expMonth == "" || expYear == "" {
			expMonth, expYear = "12", "2099" // test mode: expiry is not checked
		}
		o.doc["card"] = map[string]any{
			"expiry_year": expYear, "card_reference": randomID("", 16), "expiry_month": expMonth,
			"saved_to_locker": strings.EqualFold(p["save_to_locker"], "true"), "name_on_card": p["name_on_card"], "card_issuer": "Juspay Test Bank",
			"last_four_digits": card[len(card)-4:], "using_saved_card": false, "card_fingerprint": randomID("", 13),
			"card_isin": card[:6], "card_type": "CREDIT", "card_brand": cardBrand(card), "using_token": false,
			"token_type": "CARD",
		}
		if strings.EqualFold(p["is_emi"], "true") {
			s.emi(o, p, total-rewards)
		}
	}
	if pmt == "UPI" {
		upi := map[string]any{"payer_vpa": vpa, "txn_flow_type": "COLLECT"}
		if strings.EqualFold(p["txn_type"], "UPI_PAY") {
			upi["txn_flow_type"] = "INTENT"
		}
		if app := p["upi_app"]; app != "" {
			upi["payer_app"] = app
			o.doc["payer_app_name"] = app
		}
		if TestUPICreditVPAs[strings.ToLower(vpa)] {
			upi["payment_method_sub_detail"] = map[string]any{"mode": "CREDIT_CARD"}
		}
		o.doc["upi"] = upi
		o.doc["payer_vpa"] = vpa
	}
	// The order takes the main txn's fields, as order status shows the last attempt.
	for _, k := range []string{"txn_id", "txn_uuid", "payment_method_type", "payment_method", "auth_type", "txn_detail", "payment_gateway_response", "gateway_id", "gateway_reference_id", "bank_error_code", "bank_error_message", "resp_code", "resp_message", "resp_category"} {
		if k == "gateway_reference_id" && o.doc[k] != nil && o.doc[k] != "" {
			continue // the order's own, from its metadata
		}
		o.doc[k] = mainTxn[k]
	}
	if len(pm.splits) > 0 {
		// Split orders show these two as the Twid and Debit + eNACH samples do.
		o.doc["additional_info"], o.doc["rewards_breakup"] = map[string]any{}, nil
		list := []any{mainTxn}
		for i, sp := range pm.splits {
			tw := s.txn(fmt.Sprintf("%s-%d", base, i+2), orderID, "REWARD", "TWID", sp.amount, charged, now)
			tw["txn_detail"].(map[string]any)["gateway"] = "TWID_V2"
			list = append(list, tw)
		}
		o.doc["txn_list"] = list
	}
	pending := statusPair("PENDING_VBV")
	o.doc["status"], o.doc["status_id"] = pending.status, pending.id
	created := o.snapshot()
	events := []event{{"TXN_CREATED", "order", created}}

	// A mandate order's payment registers the mandate; a debit names it.
	var reg *mandate
	if o.mandateOpts != nil && (o.mandateOpts.required || strings.EqualFold(p["should_create_mandate"], "true")) && pm.debit == nil {
		reg = s.store.registerMandate(o, p, pmt, method, nowT)
		events = append(events, event{"MANDATE_CREATED", "mandate", reg.webhook()})
	}
	if m := pm.debit; m != nil {
		d := o.doc["txn_detail"].(map[string]any)
		d["txn_object_type"], d["source_object"], d["source_object_id"] = "EMANDATE_PAYMENT", "MANDATE", m.id
		if pmt == "CARD" {
			d["txn_object_type"] = "MANDATE_PAYMENT"
		}
		m.orders = append(m.orders, orderID)
		o.doc["mandate"] = m.orderBlock()
	}

	if pm.autoRefund != nil {
		return s.autoRefunded(o, r, mainTxn, pm.autoRefund, nowT, events)
	}
	final := statusPair(out.Status)
	o.doc["status"], o.doc["status_id"] = final.status, final.id
	o.doc["last_updated"] = now
	if out.Status == "CHARGED" {
		o.doc["amount_debited"] = amount(total)
		o.doc["maximum_eligible_refund_amount"] = amount(total)
	}
	// Every txn of a split can be refunded by its txn id (twid-v2 § 5.2), the Twid one too.
	for _, id := range txnIDs(o.doc) {
		s.store.txns[id] = orderID
	}
	var mandateEvent []event
	if reg != nil {
		status := mandateFailure
		if out.Status == "CHARGED" {
			status = mandateActive
		}
		// setMandateStatus refreshes the block of the orders carrying it, this one included.
		mandateEvent = append(mandateEvent, s.store.setMandateStatus(reg, status, nowT))
	}
	snap := o.snapshot()
	txnContent := webhookTxn(mainTxn, snap)
	if out.Status == "CHARGED" {
		events = append(events, event{"TXN_CHARGED", "txn", txnContent})
		events = append(events, mandateEvent...)
		events = append(events, event{"ORDER_SUCCEEDED", "order", snap})
	} else {
		events = append(events, event{"TXN_FAILED", "txn", txnContent})
		events = append(events, mandateEvent...)
		events = append(events, event{"ORDER_FAILED", "order", snap})
	}
	return txnAnswer(r, orderID, out.Status, mainTxn), events
}

// txnAnswer is the Txn API's answer.
func txnAnswer(r *http.Request, orderID, status string, t map[string]any) map[string]any {
	return map[string]any{
		"order_id": orderID, "status": status,
		"payment":  map[string]any{"authentication": map[string]any{"url": baseURL(r) + "/_mock/authenticate/" + t["txn_uuid"].(string), "method": "GET"}},
		"txn_uuid": t["txn_uuid"], "offer_details": map[string]any{"offers": []any{}}, "txn_id": t["txn_id"],
	}
}

type pair struct {
	status string
	id     int
}

func statusPair(status string) pair {
	id, _ := contracts.StatusID(status)
	return pair{status, id}
}

// txn builds one transaction as order status and txn_list show it.
func (s *Server) txn(txnID, orderID, pmt, method string, amt float64, out Outcome, now string) map[string]any {
	uuid := randomID("mock", 8)
	gateway, gatewayID := gatewayFor(pmt)
	detail := map[string]any{
		"txn_id": txnID, "order_id": orderID, "status": out.Status, "error_code": nilIfEmpty(out.ErrCode),
		"error_message": out.ErrorMsg, "net_amount": amount(amt), "surcharge_amount": nil, "tax_amount": nil,
		"txn_amount": amount(amt), "gateway_id": gatewayID, "currency": "INR", "express_checkout": false,
		"redirect": true, "txn_uuid": uuid, "gateway": gateway, "created": now, "last_updated": now,
		"txn_amount_breakup":     []any{map[string]any{"name": "BASE", "value": amount(amt), "sno": 1, "method": "ADD"}},
		"offer_deduction_amount": nil, "response_code": out.Code, "response_message": out.Message,
		"metadata": map[string]any{"payment_channel": "WEB", "microapp": "jpcheck_mock"},
	}
	if pmt == "CARD" {
		detail["is_cvv_less_txn"] = false
	}
	if pmt == "UPI" || pmt == "CARD" || pmt == "NB" {
		detail["txn_flow_type"] = map[string]string{"UPI": "COLLECT", "CARD": "REDIRECT", "NB": "NET_BANKING"}[pmt]
	}
	pgr := map[string]any{
		"resp_code": out.Code, "rrn": randomID("", 6), "created": now, "epg_txn_id": randomID("pay_", 7),
		"resp_message": out.Message, "auth_id_code": "", "txn_id": txnID, "offer_availed": false,
	}
	if pmt == "CARD" {
		// The card network's side, as the cred-offers HyperCheckout webhook sample shows it.
		pgr["auth_ref_num"], pgr["eci"], pgr["gateway_merchant_id"] = randomID("", 6), "05", "jpcheck_test_mid"
		pgr["network_error_code"], pgr["network_error_message"], pgr["arn"] = nil, nil, nil
	}
	st := statusPair(out.Status)
	auth := ""
	if pmt == "CARD" || pmt == "NB" {
		auth = "THREE_DS"
	}
	var category any
	if out.ErrCode != "" {
		category = "USER_ERROR"
	}
	return map[string]any{
		"txn_id": txnID, "payment_method_type": pmt, "auth_type": auth, "payment_method": method,
		"refunded": false, "effective_amount": amount(amt), "resp_code": nil, "resp_message": nil, "resp_category": category,
		"bank_error_code": out.ErrCode, "bank_error_message": out.ErrorMsg, "txn_uuid": uuid,
		"txn_detail": detail, "payment_gateway_response": pgr, "gateway_id": gatewayID,
		"gateway_reference_id": "", "status": st.status, "offers": []any{},
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

var webhookCardKeys = []string{"using_token", "using_saved_card", "saved_to_locker", "last_four_digits", "name_on_card", "expiry_year",
	"expiry_month", "card_type", "card_reference", "card_issuer", "card_isin", "card_fingerprint", "card_brand"}

// webhookTxn is a txn as TXN_CHARGED / TXN_FAILED carry it (facts § 3.3).
func webhookTxn(t map[string]any, order map[string]any) map[string]any {
	d := t["txn_detail"].(map[string]any)
	st := statusPair(d["status"].(string))
	out := map[string]any{
		"txn_id": d["txn_id"], "txn_uuid": d["txn_uuid"], "order_id": d["order_id"], "status": st.status, "status_id": st.id,
		"txn_amount": d["txn_amount"], "net_amount": d["net_amount"], "surcharge_amount": d["surcharge_amount"], "tax_amount": d["tax_amount"],
		"currency": d["currency"], "gateway": d["gateway"], "gateway_id": d["gateway_id"], "created": d["created"],
		"express_checkout": d["express_checkout"], "redirect": d["redirect"], "error_code": d["error_code"], "error_message": d["error_message"],
		"payment_method": t["payment_method"], "payment_method_type": t["payment_method_type"],
		"payment_gateway_response": t["payment_gateway_response"],
	}
	if f, ok := d["txn_flow_type"]; ok {
		out["txn_flow_type"] = f
	}
	if c, ok := order["card"].(map[string]any); ok {
		// content.txn.card has the Card Object table's keys (webhooks § Card Object Parameters).
		card := map[string]any{}
		for _, k := range webhookCardKeys {
			if v, ok := c[k]; ok {
				card[k] = v
			}
		}
		out["card"] = card
	}
	return out
}

// emit sends webhooks in order, after the store lock is released.
func (s *Server) emit(events []event) {
	for _, e := range events {
		s.hooks.send(e.name, e.key, e.content)
	}
}
