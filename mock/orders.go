package mock

import (
	"encoding/json"
	"fmt"
	"net/http"
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
	pgr["gateway_response"] = gr
}

// OrderJSON returns the order as GET /orders/{id} serves it, for the V4 API and tests.
func (s *Server) OrderJSON(id string) ([]byte, bool) { return s.store.body(id) }

func (s *Server) handleCreateOrder(w http.ResponseWriter, r *http.Request) {
	p, err := params(r)
	if err != nil {
		badRequest(w, "Invalid request body")
		return
	}
	id := p["order_id"]
	if id == "" {
		badRequest(w, "order_id is missing")
		return
	}
	if len(id) > 21 || strings.ContainsAny(id, " /?#%") {
		invalidInput(w, "order_id")
		return
	}
	amt, ok := money(p["amount"])
	if !ok || amt <= 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"status": "ERROR", "error_message": "Invalid amount", "error_code": "invalid_request"})
		return
	}
	juspayID := randomID("ordeh_", 16)
	base := baseURL(r)
	links := map[string]any{
		"web":    base + "/merchant/pay/" + juspayID,
		"mobile": base + "/merchant/pay/" + juspayID + "?mobile=true",
		"iframe": base + "/merchant/ipay/" + juspayID,
	}
	currency := p["currency"]
	if currency == "" {
		currency = "INR"
	}
	doc := map[string]any{
		"customer_email": p["customer_email"], "customer_phone": p["customer_phone"], "customer_id": p["customer_id"],
		"status_id": 10, "status": "NEW", "id": juspayID, "merchant_id": s.merchantID(r),
		"amount": amount(amt), "currency": currency, "order_id": id, "date_created": s.now(),
		"return_url": p["return_url"], "product_id": p["product_id"], "payment_links": links,
		"refunded": false, "amount_refunded": amount(0), "effective_amount": amount(amt),
	}
	for i := 1; i <= 10; i++ {
		doc[fmt.Sprintf("udf%d", i)] = p[fmt.Sprintf("udf%d", i)]
	}
	if added, err := s.store.put(id, doc); err != nil {
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

// handleTxn runs a test-mode payment: the instrument decides the outcome at once (testmode.go).
func (s *Server) handleTxn(w http.ResponseWriter, r *http.Request) {
	p, err := params(r)
	if err != nil {
		badRequest(w, "Invalid request body")
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
	var resp map[string]any
	var events []event
	var conflict string
	found, err := s.store.update(id, func(o *order) bool {
		if st, _ := o.doc["status"].(string); st == "CHARGED" || st == "AUTO_REFUNDED" || st == "PARTIAL_CHARGED" {
			conflict = "Order is already paid"
			return false
		}
		resp, events = s.pay(o, r, p, pmt, splits)
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

type event struct {
	name, key string
	content   map[string]any
}

// pay applies a payment to o (under the store lock) and returns the txn response and the
// webhooks to send once the lock is released.
func (s *Server) pay(o *order, r *http.Request, p map[string]string, pmt string, splits []split) (map[string]any, []event) {
	o.txnSeq++
	orderID := o.doc["order_id"].(string)
	mid, _ := o.doc["merchant_id"].(string)
	total := num(o.doc["amount"])
	rewards := 0.0
	for _, sp := range splits {
		rewards += sp.amount
	}
	method := strings.ToUpper(p["payment_method"])
	card := strings.ReplaceAll(p["card_number"], " ", "")
	vpa := p["upi_vpa"]
	out := outcome(pmt, method, card, vpa)
	if method == "" {
		switch pmt {
		case "CARD":
			method = cardBrand(card)
		case "UPI":
			method = "UPI"
		}
	}
	base := fmt.Sprintf("%s-%s-%d", mid, orderID, o.txnSeq)
	now := s.now()
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
			"saved_to_locker": false, "name_on_card": p["name_on_card"], "card_issuer": "Juspay Test Bank",
			"last_four_digits": card[len(card)-4:], "using_saved_card": false, "card_fingerprint": randomID("", 13),
			"card_isin": card[:6], "card_type": "CREDIT", "card_brand": cardBrand(card),
		}
	}
	if pmt == "UPI" {
		flow := "COLLECT"
		if strings.EqualFold(p["txn_type"], "UPI_PAY") {
			flow = "INTENT"
		}
		o.doc["upi"] = map[string]any{"payer_vpa": vpa, "txn_flow_type": flow}
		o.doc["payer_vpa"] = vpa
	}
	// The order takes the main txn's fields, as order status shows the last attempt.
	for _, k := range []string{"txn_id", "txn_uuid", "payment_method_type", "payment_method", "auth_type", "txn_detail", "payment_gateway_response", "gateway_id", "gateway_reference_id", "bank_error_code", "bank_error_message", "resp_code", "resp_message"} {
		o.doc[k] = mainTxn[k]
	}
	if len(splits) > 0 {
		list := []any{mainTxn}
		for i, sp := range splits {
			tw := s.txn(fmt.Sprintf("%s-%d", base, i+2), orderID, "REWARD", "TWID", sp.amount, charged, now)
			tw["txn_detail"].(map[string]any)["gateway"] = "TWID_V2"
			list = append(list, tw)
		}
		o.doc["txn_list"] = list
	}
	pending := statusPair("PENDING_VBV")
	o.doc["status"], o.doc["status_id"] = pending.status, pending.id
	created := o.snapshot()
	final := statusPair(out.Status)
	o.doc["status"], o.doc["status_id"] = final.status, final.id
	o.doc["last_updated"] = now
	// Every txn of a split can be refunded by its txn id (twid-v2 § 5.2), the Twid one too.
	for _, id := range txnIDs(o.doc) {
		s.store.txns[id] = orderID
	}
	snap := o.snapshot()
	events := []event{{"TXN_CREATED", "order", created}}
	txnContent := webhookTxn(mainTxn, snap)
	if out.Status == "CHARGED" {
		events = append(events, event{"TXN_CHARGED", "txn", txnContent}, event{"ORDER_SUCCEEDED", "order", snap})
	} else {
		events = append(events, event{"TXN_FAILED", "txn", txnContent}, event{"ORDER_FAILED", "order", snap})
	}
	resp := map[string]any{
		"order_id": orderID, "status": out.Status,
		"payment":  map[string]any{"authentication": map[string]any{"url": baseURL(r) + "/_mock/authenticate/" + mainTxn["txn_uuid"].(string), "method": "GET"}},
		"txn_uuid": mainTxn["txn_uuid"], "offer_details": map[string]any{"offers": []any{}}, "txn_id": mainTxn["txn_id"],
	}
	return resp, events
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
	gateway, gatewayID := "JUSPAY_TEST", 100
	detail := map[string]any{
		"txn_id": txnID, "order_id": orderID, "status": out.Status, "error_code": nilIfEmpty(out.ErrCode),
		"error_message": out.ErrorMsg, "net_amount": amount(amt), "surcharge_amount": nil, "tax_amount": nil,
		"txn_amount": amount(amt), "gateway_id": gatewayID, "currency": "INR", "express_checkout": false,
		"redirect": true, "txn_uuid": uuid, "gateway": gateway, "created": now,
		"txn_amount_breakup": []any{map[string]any{"name": "BASE", "amount": amount(amt), "sno": 1, "method": "ADD"}},
	}
	pgr := map[string]any{
		"resp_code": out.Code, "rrn": randomID("", 6), "created": now, "epg_txn_id": randomID("pay_", 7),
		"resp_message": out.Message, "auth_id_code": "", "txn_id": txnID,
	}
	st := statusPair(out.Status)
	auth := ""
	if pmt == "CARD" || pmt == "NB" {
		auth = "THREE_DS"
	}
	return map[string]any{
		"txn_id": txnID, "payment_method_type": pmt, "auth_type": auth, "payment_method": method,
		"refunded": false, "effective_amount": amount(amt), "resp_code": nil, "resp_message": nil,
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
	if c, ok := order["card"]; ok {
		out["card"] = c
	}
	return out
}

// emit sends webhooks in order, after the store lock is released.
func (s *Server) emit(events []event) {
	for _, e := range events {
		s.hooks.send(e.name, e.key, e.content)
	}
}
