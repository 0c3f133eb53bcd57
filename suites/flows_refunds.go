package suites

import (
	"fmt"

	"github.com/jpcheck/jpcheck/contracts"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// refundOutcomeSpecs: refunds that do not succeed (one fails, one goes to manual review) and
// payments the target refunds on its own (auto-refunds that succeed and fail), each webhook
// against its contract and against order status right after it.
func refundOutcomeSpecs(e *env) {
	Context("a refund that fails and one that goes to manual review", Ordered, func() {
		f := &flowState{}
		var card string
		BeforeAll(func() { *f = flowState{orderID: uniqueID("jpf", 6)} })
		BeforeEach(func() {
			e.requireReceiver()
			card = e.flowValue(func(s Scenario) string { return s.CardNumber }, testCardCharged, ScenarioFlowRefundFailure, ScenarioFlowRefundReview)
		})
		It("creates the order", func() { e.flowCreate(f) })
		It("pays it on EMI with a card that charges", func() {
			// An EMI payment (is_emi, emi_bank, emi_tenure), so the order carries its EMI details.
			e.flowPayForm(f, e.flowEMIForm(f.orderID, card))
		})
		It("reports the order CHARGED in order status", func() { e.flowStatus(f, "CHARGED") })
		It("refunds an amount the gateway fails: ORDER_REFUND_FAILED agrees with order status", func() {
			amount := e.flowValue(func(s Scenario) string { return s.Amount }, testRefundFailureAmount, ScenarioFlowRefundFailure)
			e.refundOutcome(f, amount, "ORDER_REFUND_FAILED", "FAILURE")
		})
		It("refunds an amount the gateway leaves ambiguous: REFUND_MANUAL_REVIEW_NEEDED agrees with order status", func() {
			amount := e.flowValue(func(s Scenario) string { return s.Amount }, testRefundReviewAmount, ScenarioFlowRefundReview)
			e.refundOutcome(f, amount, "REFUND_MANUAL_REVIEW_NEEDED", "MANUAL_REVIEW")
		})
		It("delivers the order's events in order", func() { e.flowOrdering(f) })
	})

	for _, c := range []struct {
		name, scenario, card, event, refund string
		refunded                            bool
	}{
		{"succeeds", ScenarioFlowAutoRefundSuccess, testCardAutoRefundOK, "AUTO_REFUND_SUCCEEDED", "SUCCESS", true},
		{"fails", ScenarioFlowAutoRefundFailure, testCardAutoRefundFails, "AUTO_REFUND_FAILED", "FAILURE", false},
	} {
		Context("a late payment the target refunds on its own, and the refund "+c.name, Ordered, func() {
			f := &flowState{}
			var card string
			BeforeAll(func() { *f = flowState{orderID: uniqueID("jpf", 6)} })
			BeforeEach(func() {
				e.requireReceiver()
				card = e.flowValue(func(s Scenario) string { return s.CardNumber }, c.card, c.scenario)
			})
			It("creates the order", func() { e.flowCreate(f) })
			It("pays it with a card whose payment succeeds late", func() { e.flowPay(f, card) })
			It("sends "+c.event+", agreeing with order status", func() {
				ds := e.flowEvents(f, c.event)
				api := e.flowConsistency(f, ds)
				Expect(api["status"]).To(Equal("AUTO_REFUNDED"), "order status after %s", c.event)
				ref := initiatedRefund(api, "AUTO_REFUNDED")
				Expect(ref).NotTo(BeNil(), "after %s, order %s lists no refund initiated_by AUTO_REFUNDED: refunds %s", c.event, f.orderID, describeValue(api["refunds"], true))
				Expect(ref["status"]).To(Equal(c.refund), "the auto-refund's status after %s", c.event)
				want := "0"
				if c.refunded {
					want = describeValue(api["amount"], false)
				}
				Expect(sameValue(api["amount_refunded"], want)).To(BeTrue(), "after %s, amount_refunded is %s, want %s", c.event, describeValue(api["amount_refunded"], true), want)
			})
			It("delivers the order's events in order", func() { e.flowOrdering(f) })
		})
	}
}

// refundOutcome refunds amount of the order, then waits for REFUND_INITIATED and event (the
// outcome) and holds the outcome against order status: the refund listed with status and, as
// it did not succeed, not counted in amount_refunded.
func (e *env) refundOutcome(f *flowState, amount, event, status string) {
	GinkgoHelper()
	uid := uniqueID("jpr", 6)
	before := e.get("/orders/" + f.orderID)
	expectStatus(before, 200)
	refunded := object(before.Body)["amount_refunded"]
	resp := e.post("/orders/"+f.orderID+"/refunds", flowRefundForm(uid, amount))
	expectStatus(resp, 200)
	Expect(resp).To(SatisfyContract(contracts.KindOrderStatus))
	initiated := e.waitFor(0, fmt.Sprintf("the REFUND_INITIATED webhook of refund %s", uid), func(d Delivery) bool {
		return d.EventName == "REFUND_INITIATED" && d.OrderID == f.orderID && hasRefund(d, uid)
	})
	outcome := e.waitFor(initiated.Seq-1, fmt.Sprintf("the %s webhook of refund %s", event, uid), func(d Delivery) bool {
		return d.OrderID == f.orderID && hasRefund(d, uid) && d.EventName != "REFUND_INITIATED"
	})
	Expect(outcome.EventName).To(Equal(event), "refund %s of %s", uid, amount)
	api := e.flowConsistency(f, []*Delivery{outcome})
	var ref map[string]any
	refunds, _ := api["refunds"].([]any)
	for _, r := range refunds {
		if m, ok := r.(map[string]any); ok && m["unique_request_id"] == uid {
			ref = m
		}
	}
	Expect(ref).NotTo(BeNil(), "order status lists no refund %s after %s", uid, event)
	Expect(ref["status"]).To(Equal(status), "refund %s after %s", uid, event)
	Expect(sameValue(api["amount_refunded"], refunded)).To(BeTrue(), "a %s refund changed amount_refunded from %s to %s", status, describeValue(refunded, true), describeValue(api["amount_refunded"], true))
}

// hasRefund says whether an order webhook lists refund uid.
func hasRefund(d Delivery, uid string) bool {
	env, ok := decodeObject(d.Body)
	if !ok {
		return false
	}
	content, _ := env["content"].(map[string]any)
	order, _ := content["order"].(map[string]any)
	refunds, _ := order["refunds"].([]any)
	for _, r := range refunds {
		if m, ok := r.(map[string]any); ok && m["unique_request_id"] == uid {
			return true
		}
	}
	return false
}

// initiatedRefund is the order's refund initiated_by by, if any.
func initiatedRefund(order map[string]any, by string) map[string]any {
	refunds, _ := order["refunds"].([]any)
	for _, r := range refunds {
		if m, ok := r.(map[string]any); ok && m["initiated_by"] == by {
			return m
		}
	}
	return nil
}
