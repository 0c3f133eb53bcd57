package mock

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Refunds follow the Refund Order API (facts § 1.2, § 6.1): a refund starts PENDING, is keyed
// by unique_request_id, and may not exceed what is left to refund. Test mode settles it at
// once, so the response shows PENDING and the next order status the outcome, and the webhooks
// go REFUND_INITIATED then ORDER_REFUNDED (SUCCESS), ORDER_REFUND_FAILED (FAILURE, the amount is
// refundable again) or REFUND_MANUAL_REVIEW_NEEDED (MANUAL_REVIEW, the amount stays held): the
// refund amount decides (TestRefundAmounts).

func (s *Server) handleOrderRefund(w http.ResponseWriter, r *http.Request) {
	s.refund(w, r, r.PathValue("order_id"), "")
}

func (s *Server) handleTxnRefund(w http.ResponseWriter, r *http.Request) {
	txnID := r.PathValue("txn_id")
	s.store.mu.RLock()
	orderID, ok := s.store.txns[txnID]
	s.store.mu.RUnlock()
	if !ok {
		resourceNotFound(w, "Transaction")
		return
	}
	s.refund(w, r, orderID, txnID)
}

const (
	msgDuplicate = "A refund call was already completed with this unique_request_id for the order."
	msgExceeded  = "Refund amount exceeds the refundable amount."
)

// refund refunds an order, or one of its txns when txnID is set.
func (s *Server) refund(w http.ResponseWriter, r *http.Request, orderID, txnID string) {
	p, err := params(r)
	if err != nil || p["unique_request_id"] == "" || p["amount"] == "" {
		badRequest(w, "Mandatory fields are missing")
		return
	}
	uid := p["unique_request_id"]
	amt, ok := money(p["amount"])
	if !ok || amt <= 0 {
		refundError(w, "Amount is invalid.", "invalid amount")
		return
	}
	if len(uid) > 20 {
		invalidInput(w, "unique_request_id")
		return
	}
	var fail func()
	var pendingDoc, settledDoc map[string]any
	var direct map[string]any
	// Test mode: the amount decides how the refund settles (docs/mock.md § Test mode).
	outcome := TestRefundAmounts[moneyString(amt)]
	if outcome == "" {
		outcome = "SUCCESS"
	}
	found, err := s.store.update(orderID, func(o *order) bool {
		if o.refunds[uid] {
			fail = func() { refundError(w, msgDuplicate, "duplicate.call") }
			return false
		}
		parts, ok := refundParts(o, txnID, amt)
		if !ok {
			fail = func() { refundError(w, msgExceeded, "invalid.amount.exceeded") }
			return false
		}
		o.refunds[uid] = true
		now := s.now()
		gateway := "JUSPAY_TEST"
		if len(parts) > 0 {
			gateway = parts[0].gateway
		}
		ref := map[string]any{
			"id": uid, "amount": amount(amt), "unique_request_id": uid, "ref": randomID("rfnd_", 7),
			"created": now, "status": "PENDING", "error_message": "", "error_code": nil,
			"sent_to_gateway": false, "initiated_by": "API", "refund_source": gateway, "refund_type": "STANDARD",
			"metadata": map[string]any{"speed_requested": "NORMAL"},
		}
		refunds, _ := o.doc["refunds"].([]any)
		o.doc["refunds"] = append(refunds, ref)
		txnRefs := addTxnRefunds(o, uid, parts, ref)
		refreshEligible(o)
		pendingDoc = o.snapshot()
		settleRefund(o, append(txnRefs, ref), outcome, now, amt, parts)
		if outcome == "SUCCESS" {
			refunded := num(o.doc["amount_refunded"]) + amt
			o.doc["amount_refunded"] = amount(refunded)
			o.doc["refunded"] = refunded >= num(o.doc["amount"])-0.005
			settleTxnRefunds(o, parts)
		}
		if outcome == "FAILURE" {
			// A failed refund gives its amount back: "try again with a new unique_request_id".
			for _, part := range parts {
				o.txnLeft[part.txnID] += part.amount
			}
		}
		refreshEligible(o)
		o.doc["last_updated"] = now
		settledDoc = o.snapshot()
		if strings.EqualFold(p["direct_refund_response"], "true") {
			direct = directRefund(orderID, uid, amt, now, parts, outcome)
		}
		return true
	})
	switch {
	case !found:
		orderNotFound(w, orderID)
		return
	case fail != nil:
		fail()
		return
	case err != nil:
		internalError(w)
		return
	}
	settledEvent := map[string]string{"SUCCESS": "ORDER_REFUNDED", "FAILURE": "ORDER_REFUND_FAILED", "MANUAL_REVIEW": "REFUND_MANUAL_REVIEW_NEEDED"}[outcome]
	s.emit([]event{{"REFUND_INITIATED", "order", pendingDoc}, {settledEvent, "order", settledDoc}})
	if direct != nil {
		writeJSON(w, http.StatusOK, direct)
		return
	}
	writeJSON(w, http.StatusOK, pendingDoc)
}

// settleRefund moves a refund (and its per-txn parts) from PENDING to its test-mode outcome.
func settleRefund(o *order, refs []map[string]any, outcome, now string, amt float64, parts []refundPart) {
	for _, r := range refs {
		r["status"], r["sent_to_gateway"], r["last_updated"] = outcome, true, now
		switch outcome {
		case "SUCCESS":
			r["pg_processed_at"], r["bank_processed_at"] = now, now
			r["arn"] = randomID("", 6)
			r["metadata"].(map[string]any)["speed_processed"] = "NORMAL"
		case "FAILURE":
			r["error_code"], r["error_message"] = "REFUND_FAILED", "Refund failed at the gateway (test mode)"
		case "MANUAL_REVIEW":
			r["error_message"] = "The gateway's answer was ambiguous: the refund is under manual review (test mode)"
		}
	}
	if outcome != "SUCCESS" {
		return
	}
	main := refs[len(refs)-1]
	// A split refund says what went back to the gateway and what to the reward points
	// (twid-v2 § 4.3); a card refund carries the gateway's break-up.
	if len(parts) > 1 {
		pg, points := 0.0, 0.0
		for _, part := range parts {
			if part.gateway == "TWID_V2" {
				points += part.amount
			} else {
				pg += part.amount
			}
		}
		md := main["metadata"].(map[string]any)
		md["refund_pg_amount"], md["refund_points_amount"], md["refund_total_amount"] = amount(pg), amount(points), amount(amt)
	}
	if c, ok := o.doc["card"].(map[string]any); ok {
		last4, _ := c["last_four_digits"].(string)
		main["gateway_refund_response"] = map[string]any{"refund_break_up_details": []any{map[string]any{
			"card_scheme": c["card_brand"], "issuing_bank_name": c["card_issuer"], "masked_card_number": "XXXXXXXXXXXX" + last4,
			"pay_method": "CREDIT_CARD", "refund_amount": moneyString(amt), "refund_type": "TO_SOURCE", "rrn": randomID("", 6),
			"user_credit_expected_date": now,
		}}}
	}
}

// refreshEligible keeps maximum_eligible_refund_amount (on the orders the mock created) at what
// is left to refund: the amount less every refund that succeeded, is pending or under review.
func refreshEligible(o *order) {
	if _, ok := o.doc["maximum_eligible_refund_amount"]; !ok {
		return
	}
	st, _ := o.doc["status"].(string)
	if st != "CHARGED" && st != "PARTIAL_CHARGED" {
		o.doc["maximum_eligible_refund_amount"] = amount(0)
		return
	}
	left := num(o.doc["amount"])
	refunds, _ := o.doc["refunds"].([]any)
	for _, r := range refunds {
		if m, ok := r.(map[string]any); ok && m["status"] != "FAILURE" {
			left -= num(m["amount"])
		}
	}
	o.doc["maximum_eligible_refund_amount"] = amount(max(left, 0))
}

// autoRefunded settles a payment that succeeded late (test-mode cards, testmode.go): Juspay
// refunds it on its own, so the txn and the order end AUTO_REFUNDED (36) with a refund
// initiated_by AUTO_REFUNDED that succeeds or fails (AUTO_REFUND_SUCCEEDED/FAILED samples). The
// txn answer shows the payment still pending, as it was when the customer left.
func (s *Server) autoRefunded(o *order, r *http.Request, t map[string]any, ar *autoRefund, now time.Time, events []event) (map[string]any, []event) {
	orderID := o.doc["order_id"].(string)
	at := rfc3339(now)
	total := num(o.doc["amount"])
	st := statusPair("AUTO_REFUNDED")
	o.doc["status"], o.doc["status_id"], o.doc["last_updated"] = st.status, st.id, at
	if d, ok := o.doc["txn_detail"].(map[string]any); ok {
		d["status"], d["last_updated"] = st.status, at
	}
	gateway, _ := gatewayFor(strings.ToUpper(fmt.Sprint(o.doc["payment_method_type"])))
	uid := "AR" + randomID("", 7)
	ref := map[string]any{
		"id": uid, "unique_request_id": uid, "amount": amount(total), "created": at, "last_updated": at,
		"initiated_by": "AUTO_REFUNDED", "refund_type": "STANDARD", "refund_source": gateway, "sent_to_gateway": true,
		"metadata": map[string]any{"speed_requested": "NORMAL"},
	}
	name := "AUTO_REFUND_SUCCEEDED"
	if ar.succeeds {
		ref["status"], ref["ref"], ref["error_message"], ref["error_code"] = "SUCCESS", randomID("rfnd_", 7), "processed", nil
		ref["pg_processed_at"] = at
		o.doc["amount_refunded"], o.doc["refunded"] = amount(total), true
	} else {
		name = "AUTO_REFUND_FAILED"
		ref["status"], ref["ref"], ref["error_message"], ref["error_code"] = "FAILURE", nil, "Refund FAILURE - declined by the gateway (test mode)", "105"
	}
	o.refunds[uid] = true
	o.doc["refunds"] = []any{ref}
	o.doc["maximum_eligible_refund_amount"] = amount(0)
	for _, id := range txnIDs(o.doc) {
		s.store.txns[id] = orderID
	}
	events = append(events, event{name, "order", o.snapshot()})
	return txnAnswer(r, orderID, "PENDING_VBV", t), events
}

type refundPart struct {
	txnID   string
	gateway string
	amount  float64
}

// refundParts splits a refund across the order's charged txns: the payment gateway first,
// then the Twid reward (twid-v2 § 5.2). It reports false when the amount exceeds what is left.
func refundParts(o *order, txnID string, amt float64) ([]refundPart, bool) {
	if st, _ := o.doc["status"].(string); st != "CHARGED" && st != "PARTIAL_CHARGED" && st != "COD_INITIATED" {
		return nil, false
	}
	var txns []map[string]any
	if list, ok := o.doc["txn_list"].([]any); ok && len(list) > 0 {
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				txns = append(txns, m)
			}
		}
	} else {
		txns = []map[string]any{{"txn_id": o.doc["txn_id"], "effective_amount": o.doc["amount"], "amount_refunded": o.doc["amount_refunded"], "txn_detail": o.doc["txn_detail"]}}
	}
	left := amt
	var parts []refundPart
	for _, t := range txns {
		id, _ := t["txn_id"].(string)
		if txnID != "" && id != txnID {
			continue
		}
		d, _ := t["txn_detail"].(map[string]any)
		if d != nil {
			if st, _ := d["status"].(string); st != "CHARGED" {
				continue
			}
		}
		if _, ok := o.txnLeft[id]; !ok {
			// First refund here: what the txn shows as refunded already (seeded orders carry
			// documented refunds) is not available again.
			o.txnLeft[id] = num(t["effective_amount"]) - num(t["amount_refunded"])
		}
		avail := o.txnLeft[id]
		take := min(avail, left)
		if take <= 0.005 {
			continue
		}
		gw := "JUSPAY_TEST"
		if d != nil {
			gw, _ = d["gateway"].(string)
		}
		parts = append(parts, refundPart{txnID: id, gateway: gw, amount: take})
		left -= take
		if left <= 0.005 {
			break
		}
	}
	if left > 0.005 {
		return nil, false
	}
	for _, part := range parts {
		o.txnLeft[part.txnID] -= part.amount
	}
	return parts, true
}

// partRefundID is the unique_request_id of the i-th part of a split refund: the request's
// own, then "-1", "-2" (twid-v2 § 4.3 Success Response and § 5.1 Response).
func partRefundID(uid string, i int) string {
	if i == 0 {
		return uid
	}
	return uid + "-" + strconv.Itoa(i)
}

// txnEntry finds a txn of a split order's txn_list.
func txnEntry(o *order, txnID string) map[string]any {
	list, _ := o.doc["txn_list"].([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && m["txn_id"] == txnID {
			return m
		}
	}
	return nil
}

// addTxnRefunds lists each part of a refund of a split order under its txn, as the documented
// order status does (twid-v2 § 4.3 Success Response), and returns the entries it added so the
// caller can settle them with the order's own.
func addTxnRefunds(o *order, uid string, parts []refundPart, ref map[string]any) []map[string]any {
	var added []map[string]any
	for i, part := range parts {
		m := txnEntry(o, part.txnID)
		if m == nil {
			continue
		}
		id := partRefundID(uid, i)
		r := map[string]any{}
		for k, v := range ref {
			r[k] = v
		}
		r["id"], r["unique_request_id"], r["amount"] = id, id, amount(part.amount)
		r["metadata"] = map[string]any{"speed_requested": "NORMAL"}
		r["ref"], r["refund_source"] = randomID("rfnd_", 7), part.gateway
		list, _ := m["refunds"].([]any)
		m["refunds"] = append(list, r)
		added = append(added, r)
	}
	return added
}

// settleTxnRefunds keeps the per-txn view of split orders in step once the refund succeeded.
func settleTxnRefunds(o *order, parts []refundPart) {
	for _, part := range parts {
		m := txnEntry(o, part.txnID)
		if m == nil {
			continue
		}
		refunded := num(m["amount_refunded"]) + part.amount
		m["amount_refunded"] = amount(refunded)
		m["refunded"] = refunded >= num(m["effective_amount"])-0.005
		if d, ok := m["txn_detail"].(map[string]any); ok {
			if _, has := d["remaining_refundable_amount"]; has {
				d["remaining_refundable_amount"] = amount(o.txnLeft[part.txnID])
			}
		}
	}
}

// directRefund is the refund object returned with direct_refund_response=true (twid-v2 § 5.1).
func directRefund(orderID, uid string, amt float64, now string, parts []refundPart, outcome string) map[string]any {
	var details []any
	for i, part := range parts {
		id := partRefundID(uid, i)
		details = append(details, map[string]any{
			"status": outcome, "amount": amount(part.amount), "sent_to_gateway": false, "unique_request_id": id,
			"gateway": part.gateway, "refund_source": part.gateway, "txn_id": part.txnID, "refund_type": "STANDARD",
			"epg_txn_id": nil, "refund_arn": nil, "authorization_id": nil, "reference_id": nil,
		})
	}
	first := parts[0]
	return map[string]any{
		"order_id": orderID, "status": outcome, "amount": amount(amt), "sent_to_gateway": false, "unique_request_id": uid,
		"gateway": first.gateway, "created": now, "initiated_by": "API", "split_refund_details": details,
		"refund_source": first.gateway, "refund_arn": nil, "error_message": nil, "epg_txn_id": nil, "txn_id": first.txnID,
		"authorization_id": nil, "reference_id": nil, "response_code": nil, "refund_type": "STANDARD",
	}
}
