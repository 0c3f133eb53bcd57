package suites

import (
	"fmt"
	"net/url"

	"github.com/jpcheck/jpcheck/contracts"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Amounts of the flows' orders and refund: a partial refund, so the order stays refundable.
const (
	flowAmount       = "100.00"
	flowRefundAmount = "40.00"
)

// flowSpecs: an order through the target's test mode, end to end, each step checked on both
// channels: the API's answers and the webhooks, which must agree field by field.
func flowSpecs(e *env) {
	Describe("flows", Label(LabelFlows), func() {
		Context("a card payment that succeeds, then a partial refund", Ordered, func() {
			f := &flowState{}
			BeforeAll(func() { *f = flowState{orderID: uniqueID("jpf", 6)} })
			BeforeEach(e.flowRequirements)
			It("creates the order", func() { e.flowCreate(f) })
			It("pays it with test card "+testCardCharged, func() { e.flowPay(f, testCardCharged) })
			It("reports the order CHARGED in order status", func() { e.flowStatus(f, "CHARGED") })
			It("sends TXN_CHARGED and ORDER_SUCCEEDED satisfying the webhook contract", func() {
				f.compare = e.flowEvents(f, "TXN_CHARGED", "ORDER_SUCCEEDED")
			})
			It("agrees field by field with order status right after those webhooks", func() {
				e.flowConsistency(f, f.compare)
			})
			It("refunds part of the order and shows the refund in order status", func() { e.flowRefund(f) })
			It("sends REFUND_INITIATED and ORDER_REFUNDED satisfying the webhook contract", func() {
				ds := e.flowEvents(f, "REFUND_INITIATED", "ORDER_REFUNDED")
				// REFUND_INITIATED carries the refund PENDING, a state test mode has already
				// left; only the settled one can agree with order status now. Delivery order
				// covers the other.
				f.compare = ds[1:]
			})
			It("agrees field by field with order status right after the refund webhook", func() {
				api := e.flowConsistency(f, f.compare)
				Expect(sameValue(api["amount_refunded"], flowRefundAmount)).To(BeTrue(),
					"after ORDER_REFUNDED, GET /orders/%s shows amount_refunded %s, want %s", f.orderID, describeValue(api["amount_refunded"], true), flowRefundAmount)
			})
			It("delivers the order's events in order", func() { e.flowOrdering(f) })
		})

		Context("a card payment that fails authentication", Ordered, func() {
			f := &flowState{}
			BeforeAll(func() { *f = flowState{orderID: uniqueID("jpf", 6)} })
			BeforeEach(e.flowRequirements)
			It("creates the order", func() { e.flowCreate(f) })
			It("pays it with test card "+testCardAuthnFails, func() { e.flowPay(f, testCardAuthnFails) })
			It("reports the order AUTHENTICATION_FAILED in order status", func() { e.flowStatus(f, "AUTHENTICATION_FAILED") })
			It("sends TXN_FAILED and ORDER_FAILED satisfying the webhook contract", func() {
				f.compare = e.flowEvents(f, "TXN_FAILED", "ORDER_FAILED")
			})
			It("agrees field by field with order status right after those webhooks", func() {
				e.flowConsistency(f, f.compare)
			})
			It("delivers the order's events in order", func() { e.flowOrdering(f) })
		})

		refundOutcomeSpecs(e)
		mandateSpecs(e)
	})
}

// flowRequirements skips each spec, with its reason, when the flow cannot run: skipping in
// BeforeAll would give the later specs only Ginkgo's generic reason.
func (e *env) flowRequirements() {
	e.requireTestMode()
	e.requireReceiver()
}

// flowState carries one flow's order from spec to spec (the container is Ordered).
type flowState struct {
	orderID string
	txnID   string
	// compare are the deliveries the next consistency spec holds against order status.
	compare []*Delivery
}

// flowOrderForm is an Order Create request (twid-v2 § 4.1's fields).
func flowOrderForm(orderID, amount string) url.Values {
	return url.Values{
		"order_id": {orderID}, "amount": {amount}, "currency": {"INR"},
		"customer_id": {"jpcheck_flows"}, "customer_email": {"flows@example.com"}, "customer_phone": {"9000000002"},
		"return_url": {"https://example.com/return"},
	}
}

// flowCardForm pays orderID with a test card (twid-v2 § 4.2's fields, docs/mock.md § Test mode).
func (e *env) flowCardForm(orderID, card string) url.Values {
	f := url.Values{
		"order_id": {orderID}, "payment_method_type": {"CARD"}, "payment_method": {"VISA"},
		"card_number": {card}, "card_exp_month": {"12"}, "card_exp_year": {"30"},
		"name_on_card": {"jpcheck"}, "card_security_code": {"123"},
		"redirect_after_payment": {"true"}, "format": {"json"},
	}
	if e.merchantID != "" {
		f.Set("merchant_id", e.merchantID)
	}
	return f
}

func flowRefundForm(uniqueRequestID, amount string) url.Values {
	return url.Values{"unique_request_id": {uniqueRequestID}, "amount": {amount}}
}

func (e *env) flowCreate(f *flowState) {
	resp := e.post("/orders", flowOrderForm(f.orderID, flowAmount))
	expectStatus(resp, 200)
	Expect(resp).To(SatisfyContract(contracts.KindOrderCreate))
	Expect(object(resp.Body)).To(HaveKeyWithValue("order_id", f.orderID), "%s answered for another order", resp.Request)
}

func (e *env) flowPay(f *flowState, card string) {
	GinkgoHelper()
	e.flowPayForm(f, e.flowCardForm(f.orderID, card))
}

// flowEMIForm pays orderID with card on a 3-month EMI.
func (e *env) flowEMIForm(orderID, card string) url.Values {
	f := e.flowCardForm(orderID, card)
	f.Set("is_emi", "true")
	f.Set("emi_bank", "HDFC")
	f.Set("emi_tenure", "3")
	f.Set("emi_type", "STANDARD_EMI")
	return f
}

// flowPayForm pays the flow's order with form; the answer's txn_id is the flow's txn.
func (e *env) flowPayForm(f *flowState, form url.Values) {
	resp := e.post("/txns", form)
	expectStatus(resp, 200)
	Expect(resp).To(SatisfyContract(contracts.KindTxn))
	o := object(resp.Body)
	Expect(o).To(HaveKeyWithValue("order_id", f.orderID), "%s answered for another order", resp.Request)
	id, _ := o["txn_id"].(string)
	Expect(id).NotTo(BeEmpty(), "%s answered no txn_id", resp.Request)
	f.txnID = id
}

// flowStatus checks order status after the payment: the outcome the test-mode table gives the
// card, with its status_id, the amount ordered and the txn just made.
func (e *env) flowStatus(f *flowState, want string) {
	// With the full gateway response (order-status § Query Parameters), so what the gateway
	// answered is checked too.
	resp := e.get("/orders/" + f.orderID + "?options.add_full_gateway_response=true")
	expectStatus(resp, 200)
	Expect(resp).To(SatisfyContract(contracts.KindOrderStatus))
	o := object(resp.Body)
	Expect(o["status"]).To(Equal(want), "%s: status", resp.Request)
	id, _ := contracts.StatusID(want)
	Expect(sameValue(o["status_id"], id)).To(BeTrue(), "%s: status_id is %s, want %d", resp.Request, describeValue(o["status_id"], true), id)
	Expect(sameValue(o["amount"], flowAmount)).To(BeTrue(), "%s: amount is %s, want %s", resp.Request, describeValue(o["amount"], true), flowAmount)
	Expect(o).To(HaveKeyWithValue("txn_id", f.txnID), "%s: the txn is not the one POST /txns answered", resp.Request)
}

// flowEvents waits for each event of the flow's order and checks it against its contract.
func (e *env) flowEvents(f *flowState, events ...string) []*Delivery {
	GinkgoHelper()
	out := make([]*Delivery, 0, len(events))
	for _, ev := range events {
		d := e.waitEvent(f.orderID, ev)
		Expect(d).To(SatisfyContract(contracts.KindWebhook))
		out = append(out, d)
	}
	return out
}

// flowConsistency fetches order status and fails on every field a delivery disagrees with it
// on; it returns the order for further checks.
func (e *env) flowConsistency(f *flowState, ds []*Delivery) map[string]any {
	GinkgoHelper()
	Expect(ds).NotTo(BeEmpty(), "no webhook to compare: the previous spec did not receive them")
	resp := e.get("/orders/" + f.orderID)
	expectStatus(resp, 200)
	api, ok := decodeObject(resp.Body)
	Expect(ok).To(BeTrue(), "%s: body is not a JSON object: %s", resp.Request, clipBody(resp.Body))
	var fs []Finding
	for _, d := range ds {
		fs = append(fs, compareDelivery(*d, api, resp.Request)...)
	}
	e.failOnFindings(fs, fmt.Sprintf("differences between the webhooks and %s", resp.Request))
	return api
}

// flowRefund refunds part of the order, then order status must list the refund under its
// unique_request_id with its amount, and count it in amount_refunded once it succeeded.
func (e *env) flowRefund(f *flowState) {
	uid := uniqueID("jpr", 6)
	resp := e.post("/orders/"+f.orderID+"/refunds", flowRefundForm(uid, flowRefundAmount))
	expectStatus(resp, 200)
	// Without direct_refund_response the Refund Order API answers with the order (facts § 1.2).
	Expect(resp).To(SatisfyContract(contracts.KindOrderStatus))

	status := e.get("/orders/" + f.orderID)
	expectStatus(status, 200)
	Expect(status).To(SatisfyContract(contracts.KindOrderStatus))
	o := object(status.Body)
	refunds, _ := o["refunds"].([]any)
	var ref map[string]any
	for _, r := range refunds {
		if m, ok := r.(map[string]any); ok && m["unique_request_id"] == uid {
			ref = m
		}
	}
	Expect(ref).NotTo(BeNil(), "%s lists no refund with unique_request_id %s: refunds %s", status.Request, uid, describeValue(o["refunds"], true))
	Expect(sameValue(ref["amount"], flowRefundAmount)).To(BeTrue(), "%s: refund %s has amount %s, want %s", status.Request, uid, describeValue(ref["amount"], true), flowRefundAmount)
	Expect(ref["status"]).To(BeElementOf("PENDING", "SUCCESS"), "%s: refund %s status", status.Request, uid)
	want := "0"
	if ref["status"] == "SUCCESS" {
		want = flowRefundAmount
	}
	Expect(sameValue(o["amount_refunded"], want)).To(BeTrue(), "%s: amount_refunded is %s with refund %s %s, want %s",
		status.Request, describeValue(o["amount_refunded"], true), uid, ref["status"], want)
}

// flowOrdering judges the order's deliveries so far: duplicates are recorded, a later event
// carrying an older state fails the spec.
func (e *env) flowOrdering(f *flowState) {
	GinkgoHelper()
	var ds []Delivery
	for _, d := range e.receiver.Deliveries() {
		if d.OrderID == f.orderID {
			ds = append(ds, d)
		}
	}
	Expect(ds).NotTo(BeEmpty(), "no webhook arrived for order %s", f.orderID)
	e.failOnFindings(deliveryOrder(ds), fmt.Sprintf("deliveries of order %s out of order", f.orderID))
}
