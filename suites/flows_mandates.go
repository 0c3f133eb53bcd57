package suites

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The test-mode conventions of the mandate, refund-outcome and auto-refund flows (docs/mock.md § Test
// mode). A fixtures file may name other values for its target through the flows/* scenarios.
const (
	testVPACharged          = "success@upi"
	testBankFails           = "NB_FAILURE"
	testRefundFailureAmount = "9.91"
	testRefundReviewAmount  = "9.92"
	testCardAutoRefundOK    = "4000000000000101"
	testCardAutoRefundFails = "4000000000000200"
	// A mandate order registers for 1.00 (the UPI mandate sample's amount) with max_amount
	// 1000.00; a notification or debit of 5000.00 is over it.
	mandateOrderAmount = "1.00"
	mandateMaxAmount   = "1000.00"
	mandateDebitAmount = "100.00"
	mandateOverMax     = "5000.00"
	mandateCustomer    = "jpcheck_mandates"
)

// flowValue returns the value a flow uses: the first of the scenarios the fixtures name with
// that field, else the test-mode value (docs/mock.md) when the fixtures declare test_mode; otherwise
// the spec is skipped, saying what would let it run.
func (e *env) flowValue(field func(Scenario) string, testModeValue string, scenarios ...string) string {
	for _, name := range scenarios {
		if s, ok := e.fixtures.Scenario(name); ok {
			if v := field(s); v != "" {
				return v
			}
		}
	}
	if e.fixtures.TestMode {
		return testModeValue
	}
	Skip(fmt.Sprintf("the fixtures neither declare test_mode nor name scenario %s with the value this flow needs: jpcheck cannot make the target do this", strings.Join(scenarios, " or ")))
	return ""
}

// requireTestClock skips a spec that moves the target's time when the fixtures do not say it
// serves the test clock.
func (e *env) requireTestClock() {
	if !e.fixtures.TestClock {
		Skip("the fixtures do not declare test_clock: jpcheck cannot move the target's time to a mandate's end date")
	}
}

// targetNow is the target's time: its test clock's when it has one (earlier specs may have
// moved it), else this machine's.
func (e *env) targetNow() time.Time {
	GinkgoHelper()
	if !e.fixtures.TestClock {
		return time.Now()
	}
	resp := e.get("/_mock/clock")
	expectStatus(resp, 200)
	var c struct {
		NowEpoch int64 `json:"now_epoch"`
	}
	Expect(json.Unmarshal(resp.Body, &c)).To(Succeed(), "%s: %s", resp.Request, clipBody(resp.Body))
	Expect(c.NowEpoch).To(BeNumerically(">", 0), "%s: no now_epoch", resp.Request)
	return time.Unix(c.NowEpoch, 0)
}

// mandateOrderForm is an order create with mandate options (the UPI mandate sample's
// fields, mandates/create-order/request-upi.sh), valid from start for term.
func mandateOrderForm(orderID string, start time.Time, term time.Duration) url.Values {
	f := flowOrderForm(orderID, mandateOrderAmount)
	f.Set("customer_id", mandateCustomer)
	f.Set("customer_phone_country_code", "+91")
	for k, v := range map[string]string{
		"options.create_mandate": "REQUIRED", "mandate.amount_rule": "VARIABLE", "mandate.max_amount": mandateMaxAmount,
		"mandate.revokable_by_customer": "true", "mandate.block_funds": "false", "mandate.frequency": "MONTHLY",
		"mandate.rule_type": "ON", "mandate.rule_value": "1",
		"mandate.start_date": strconv.FormatInt(start.Unix(), 10), "mandate.end_date": strconv.FormatInt(start.Add(term).Unix(), 10),
		"metadata.PAYTM_V2:gateway_reference_id": "upimandate",
	} {
		f.Set(k, v)
	}
	return f
}

// mandateUPIForm registers a mandate with a UPI collect (mandates/register/request-collect.sh),
// or an intent paid from a UPI app (mandates/register/intent.json).
func (e *env) mandateUPIForm(orderID, vpa string, intent bool) url.Values {
	f := url.Values{
		"order_id": {orderID}, "payment_method_type": {"UPI"}, "payment_method": {"UPI_COLLECT"}, "upi_vpa": {vpa},
		"txn_type": {"UPI_COLLECT"}, "redirect_after_payment": {"true"}, "format": {"json"},
		"should_create_mandate": {"true"}, "mandate_type": {"EMANDATE"},
	}
	if intent {
		f.Set("payment_method", "UPI_PAY")
		f.Set("txn_type", "UPI_PAY")
		f.Set("upi_app", "phonepe")
	}
	if e.merchantID != "" {
		f.Set("merchant_id", e.merchantID)
	}
	return f
}

// mandateCardForm registers a card mandate (mandates/register/request-card.sh).
func (e *env) mandateCardForm(orderID, card string) url.Values {
	f := e.flowCardForm(orderID, card)
	f.Set("should_create_mandate", "true")
	f.Set("save_to_locker", "true")
	return f
}

// mandateNBForm registers a netbanking e-mandate (mandates/register/request-nb.sh).
func (e *env) mandateNBForm(orderID, bank string) url.Values {
	f := url.Values{
		"order_id": {orderID}, "payment_method_type": {"NB"}, "payment_method": {bank},
		"bank_ifsc": {"HDFC0000053"}, "bank_account_number": {"50100013132000"}, "bank_beneficiary_name": {"jpcheck"},
		"should_create_mandate": {"true"}, "mandate_type": {"EMANDATE"}, "format": {"json"}, "redirect_after_payment": {"true"},
	}
	if e.merchantID != "" {
		f.Set("merchant_id", e.merchantID)
	}
	return f
}

// mandateNotifyForm asks for a pre-debit notification of amount (mandates/notification/request.sh).
// The invoice number goes in the flat key both samples show, or with nested in the
// source_info.mandate object the Webhooks document's table describes, with metadata.
func mandateNotifyForm(ref, amount string, at time.Time, nested bool) url.Values {
	info := map[string]any{"amount": amount, "txn_date": strconv.FormatInt(at.Unix(), 10)}
	form := url.Values{"command": {"pre_debit_notify"}, "object_reference_id": {ref}, "description": {"jpcheck pre-debit notification"}}
	if nested {
		info["mandate"] = map[string]string{"display_invoice_number": "INV" + ref}
		form.Set("metadata", "jpcheck")
	} else {
		info["mandate.display_invoice_number"] = "INV" + ref
	}
	b, _ := json.Marshal(info)
	form.Set("source_info", string(b))
	return form
}

// mandateDebitForm executes a mandate with its own order (mandates/execution/request.sh).
func (e *env) mandateDebitForm(mandateID, orderID, amount, notificationID string) url.Values {
	f := url.Values{
		"mandate_id": {mandateID}, "order.order_id": {orderID}, "order.amount": {amount}, "order.customer_id": {mandateCustomer},
		"order.currency": {"INR"}, "format": {"json"},
	}
	if notificationID != "" {
		f.Set("mandate.notification_id", notificationID)
	}
	if e.merchantID != "" {
		f.Set("merchant_id", e.merchantID)
	}
	return f
}

// contentString reads content.<family>.<key> of a delivery.
func contentString(d Delivery, family, key string) string {
	env, ok := decodeObject(d.Body)
	if !ok {
		return ""
	}
	content, _ := env["content"].(map[string]any)
	obj, _ := content[family].(map[string]any)
	s, _ := obj[key].(string)
	return s
}

// mandateOf and notificationOf name the mandate or notification a delivery is about.
func mandateOf(d Delivery) string      { return contentString(d, "mandate", "mandate_id") }
func notificationOf(d Delivery) string { return contentString(d, "notification", "id") }

// waitFor waits for the first delivery after seq that matches, judges it against its event's
// contract and fails the spec when none arrives in time.
func (e *env) waitFor(after int, what string, match func(Delivery) bool) *Delivery {
	GinkgoHelper()
	e.requireReceiver()
	ctx, cancel := context.WithTimeout(e.ctx, e.webhookTimeout)
	defer cancel()
	d, err := e.receiver.Wait(ctx, func(d Delivery) bool { return d.Seq > after && match(d) })
	Expect(err).NotTo(HaveOccurred(), "waiting %s for %s", e.webhookTimeout, what)
	dp := e.delivery(d)
	Expect(dp).To(SatisfyContract(contracts.KindWebhook))
	return dp
}

// mandateEvent waits for event of mandateID after seq.
func (e *env) mandateEvent(after int, mandateID, event string) *Delivery {
	GinkgoHelper()
	return e.waitFor(after, fmt.Sprintf("the %s webhook of mandate %s", event, mandateID), func(d Delivery) bool {
		return d.EventName == event && mandateOf(d) == mandateID
	})
}

// mark is the receiver's delivery count, so a later wait only takes deliveries after it.
func (e *env) mark() int {
	if e.receiver == nil {
		return 0
	}
	return e.receiver.Count()
}

// mandateStatus asks the Mandate Status API (command=check_status) and checks the answer
// against the mandate contract.
func (e *env) mandateStatus(mandateID string) (*Response, map[string]any) {
	GinkgoHelper()
	resp := e.post("/mandates/"+url.PathEscape(mandateID), url.Values{"command": {"check_status"}})
	expectStatus(resp, 200)
	Expect(resp).To(SatisfyContract(contracts.KindMandate))
	m, ok := decodeObject(resp.Body)
	Expect(ok).To(BeTrue(), "%s: body is not a JSON object", resp.Request)
	Expect(m).To(HaveKeyWithValue("mandate_id", mandateID), "%s answered for another mandate", resp.Request)
	return resp, m
}

// agreeWithMandate fetches the mandate right after the deliveries and fails on every field
// they disagree with it on; it returns the mandate.
func (e *env) agreeWithMandate(mandateID string, ds ...*Delivery) map[string]any {
	GinkgoHelper()
	resp, m := e.mandateStatus(mandateID)
	var fs []Finding
	for _, d := range ds {
		fs = append(fs, compareDelivery(*d, m, resp.Request)...)
	}
	e.failOnFindings(fs, fmt.Sprintf("differences between the webhooks and %s", resp.Request))
	return m
}

// mandateFlow carries one mandate from spec to spec (the containers are Ordered).
type mandateFlow struct {
	flowState
	mandateID   string
	notifyID    string
	endDate     int64
	debitOrder  string
	lastCommand int // receiver count before the last command
}

// mandateSpecs: a mandate through its life, a mandate expiring on the test clock and a
// registration that fails, each webhook against its contract and against the mandate, order or
// notification status right after it.
func mandateSpecs(e *env) {
	Context("a UPI mandate: registered, notified, debited, paused, resumed, revoked", Ordered, func() {
		f := &mandateFlow{}
		var vpa string
		BeforeAll(func() { *f = mandateFlow{flowState: flowState{orderID: uniqueID("jpm", 6)}} })
		BeforeEach(func() {
			e.requireReceiver()
			vpa = e.flowValue(func(s Scenario) string { return s.UPIVPA }, testVPACharged, ScenarioFlowMandate)
		})
		It("creates a mandate order (options.create_mandate)", func() {
			e.mandateCreate(f, 365*24*time.Hour)
		})
		It("registers the mandate with a UPI collect payment", func() {
			f.lastCommand = e.mark()
			resp := e.post("/txns", e.mandateUPIForm(f.orderID, vpa, false))
			expectStatus(resp, 200)
			Expect(resp).To(SatisfyContract(contracts.KindTxn))
		})
		It("reports the order CHARGED carrying its mandate ACTIVE", func() { e.mandateRegistered(f, "CHARGED", "ACTIVE") })
		It("sends MANDATE_CREATED, MANDATE_ACTIVATED and ORDER_SUCCEEDED, agreeing with mandate and order status", func() {
			e.mandateEvent(f.lastCommand, f.mandateID, "MANDATE_CREATED")
			activated := e.mandateEvent(f.lastCommand, f.mandateID, "MANDATE_ACTIVATED")
			succeeded := e.waitEvent(f.orderID, "ORDER_SUCCEEDED")
			Expect(succeeded).To(SatisfyContract(contracts.KindWebhook))
			// MANDATE_CREATED carries a state the mandate has left; delivery order covers it.
			st := e.agreeWithMandate(f.mandateID, activated)
			Expect(st["status"]).To(Equal("ACTIVE"), "mandate status after MANDATE_ACTIVATED")
			e.flowConsistency(&f.flowState, []*Delivery{succeeded})
		})
		It("sends a pre-debit notification: NOTIFICATION_SUCCEEDED agrees with notification status", func() {
			f.notifyID = e.mandateNotify(f, mandateDebitAmount, "NOTIFICATION_SUCCEEDED", "SUCCESS")
		})
		It("refuses a notification over max_amount: NOTIFICATION_FAILED agrees with notification status", func() {
			e.fixturesTestMode("a notification the target's gateway refuses")
			e.mandateNotify(f, mandateOverMax, "NOTIFICATION_FAILED", "FAILURE")
		})
		It("debits the mandate with its own order: ORDER_SUCCEEDED carries the mandate and agrees with order status", func() {
			e.mandateDebit(f)
		})
		It("pauses the mandate: MANDATE_PAUSED agrees with mandate status", func() {
			end := e.targetNow().Add(30 * 24 * time.Hour)
			e.mandateCommand(f, url.Values{"command": {"pause"}, "pause_end_date": {strconv.FormatInt(end.Unix(), 10)}}, "PAUSED", "MANDATE_PAUSED")
		})
		It("lists the paused mandate under its customer", func() { e.mandateListed(f.mandateID, "PAUSED") })
		It("resumes the mandate: MANDATE_ACTIVATED agrees with mandate status", func() {
			e.mandateCommand(f, url.Values{"command": {"resume"}}, "ACTIVE", "MANDATE_ACTIVATED")
		})
		It("revokes the mandate: MANDATE_REVOKED agrees with mandate status", func() {
			e.mandateCommand(f, url.Values{"command": {"revoke"}}, "REVOKED", "MANDATE_REVOKED")
		})
		It("delivers the mandate's events in the order its states changed", func() {
			e.mandateOrdering(f.mandateID, "MANDATE_CREATED", "MANDATE_ACTIVATED", "MANDATE_PAUSED", "MANDATE_ACTIVATED", "MANDATE_REVOKED")
		})
	})

	Context("a card mandate expiring on the test clock", Ordered, func() {
		f := &mandateFlow{}
		BeforeAll(func() { *f = mandateFlow{flowState: flowState{orderID: uniqueID("jpm", 6)}} })
		BeforeEach(func() {
			e.requireReceiver()
			e.requireTestClock()
			e.fixturesTestMode("a test-mode card mandate")
		})
		It("creates a mandate order ending in 30 days", func() { e.mandateCreate(f, 30*24*time.Hour) })
		It("registers the mandate with test card "+testCardCharged, func() {
			f.lastCommand = e.mark()
			resp := e.post("/txns", e.mandateCardForm(f.orderID, testCardCharged))
			expectStatus(resp, 200)
			Expect(resp).To(SatisfyContract(contracts.KindTxn))
		})
		It("reports the order CHARGED carrying its mandate ACTIVE", func() { e.mandateRegistered(f, "CHARGED", "ACTIVE") })
		It("moves the test clock to the mandate's end date: MANDATE_EXPIRED agrees with mandate status", func() {
			mark := e.mark()
			resp := e.post("/_mock/clock", url.Values{"to": {strconv.FormatInt(f.endDate, 10)}})
			expectStatus(resp, 200)
			d := e.mandateEvent(mark, f.mandateID, "MANDATE_EXPIRED")
			st := e.agreeWithMandate(f.mandateID, d)
			Expect(st["status"]).To(Equal("EXPIRED"), "mandate status after its end date")
		})
	})

	Context("a netbanking e-mandate whose registration fails", Ordered, func() {
		f := &mandateFlow{}
		BeforeAll(func() { *f = mandateFlow{flowState: flowState{orderID: uniqueID("jpm", 6)}} })
		BeforeEach(func() {
			e.requireReceiver()
			e.fixturesTestMode("a netbanking registration the target fails")
		})
		It("creates a mandate order", func() { e.mandateCreate(f, 365*24*time.Hour) })
		It("registers the mandate with test bank "+testBankFails, func() {
			f.lastCommand = e.mark()
			resp := e.post("/txns", e.mandateNBForm(f.orderID, testBankFails))
			expectStatus(resp, 200)
			Expect(resp).To(SatisfyContract(contracts.KindTxn))
		})
		It("reports the order AUTHENTICATION_FAILED carrying its mandate FAILURE", func() {
			e.mandateRegistered(f, "AUTHENTICATION_FAILED", "FAILURE")
		})
		It("sends MANDATE_FAILED and ORDER_FAILED, agreeing with mandate and order status", func() {
			failed := e.mandateEvent(f.lastCommand, f.mandateID, "MANDATE_FAILED")
			orderFailed := e.waitEvent(f.orderID, "ORDER_FAILED")
			Expect(orderFailed).To(SatisfyContract(contracts.KindWebhook))
			e.agreeWithMandate(f.mandateID, failed)
			e.flowConsistency(&f.flowState, []*Delivery{orderFailed})
		})
		It("lists the failed mandate under its customer", func() { e.mandateListed(f.mandateID, "FAILURE") })
	})
}

// fixturesTestMode skips a spec that needs the test mode itself (docs/mock.md) (no scenario names
// data for it).
func (e *env) fixturesTestMode(what string) {
	if !e.fixtures.TestMode {
		Skip(fmt.Sprintf("the fixtures do not declare test_mode: jpcheck cannot make the target do %s", what))
	}
}

// mandateCreate creates the flow's mandate order, valid from the target's now for term.
func (e *env) mandateCreate(f *mandateFlow, term time.Duration) {
	GinkgoHelper()
	now := e.targetNow()
	f.endDate = now.Add(term).Unix()
	resp := e.post("/orders", mandateOrderForm(f.orderID, now, term))
	expectStatus(resp, 200)
	Expect(resp).To(SatisfyContract(contracts.KindOrderCreate))
	Expect(object(resp.Body)).To(HaveKeyWithValue("order_id", f.orderID), "%s answered for another order", resp.Request)
}

// mandateRegistered checks order status after the registration payment: the order's status
// and its mandate block's, whose mandate_id the next specs use.
func (e *env) mandateRegistered(f *mandateFlow, orderStatus, mandateStatus string) {
	GinkgoHelper()
	resp := e.get("/orders/" + f.orderID + "?options.add_full_gateway_response=true")
	expectStatus(resp, 200)
	Expect(resp).To(SatisfyContract(contracts.KindOrderStatus))
	o := object(resp.Body)
	Expect(o["status"]).To(Equal(orderStatus), "%s: status", resp.Request)
	m, _ := o["mandate"].(map[string]any)
	Expect(m).NotTo(BeNil(), "%s carries no mandate block after the registration payment", resp.Request)
	Expect(m["mandate_status"]).To(Equal(mandateStatus), "%s: mandate.mandate_status", resp.Request)
	id, _ := m["mandate_id"].(string)
	Expect(id).NotTo(BeEmpty(), "%s: the mandate block has no mandate_id", resp.Request)
	f.mandateID = id
	_, st := e.mandateStatus(id)
	Expect(st["status"]).To(Equal(mandateStatus), "the Mandate Status API disagrees with the order's mandate block")
}

// mandateListed checks List Mandates of the flows' customer: the mandate is there, in status.
func (e *env) mandateListed(mandateID, status string) {
	GinkgoHelper()
	Expect(mandateID).NotTo(BeEmpty(), "no mandate: the registration specs failed")
	resp := e.get("/customers/" + mandateCustomer + "/mandates")
	expectStatus(resp, 200)
	Expect(resp).To(SatisfyContract(contracts.KindMandateList))
	var list struct {
		List []map[string]any `json:"list"`
	}
	Expect(json.Unmarshal(resp.Body, &list)).To(Succeed())
	for _, m := range list.List {
		if m["mandate_id"] == mandateID {
			Expect(m["status"]).To(Equal(status), "%s: mandate %s", resp.Request, mandateID)
			return
		}
	}
	Fail(fmt.Sprintf("%s does not list mandate %s", resp.Request, mandateID))
}

// mandateNotify sends a pre-debit notification of amount and waits for its outcome event; it
// returns the notification's id.
func (e *env) mandateNotify(f *mandateFlow, amount, event, status string) string {
	GinkgoHelper()
	Expect(f.mandateID).NotTo(BeEmpty(), "no mandate: the registration specs failed")
	mark := e.mark()
	resp := e.post("/mandates/"+url.PathEscape(f.mandateID), mandateNotifyForm(uniqueID("jpn", 6), amount, e.targetNow().Add(24*time.Hour), event == "NOTIFICATION_FAILED"))
	expectStatus(resp, 200)
	Expect(resp).To(SatisfyContract(contracts.KindNotification))
	id, _ := object(resp.Body)["id"].(string)
	Expect(id).NotTo(BeEmpty(), "%s answered no notification id", resp.Request)
	d := e.waitFor(mark, fmt.Sprintf("the %s webhook of notification %s", event, id), func(d Delivery) bool {
		return notificationOf(d) == id && (d.EventName == "NOTIFICATION_SUCCEEDED" || d.EventName == "NOTIFICATION_FAILED")
	})
	Expect(d.EventName).To(Equal(event), "notification %s of %s (max_amount %s)", id, amount, mandateMaxAmount)
	st := e.get("/notifications/" + url.PathEscape(id))
	expectStatus(st, 200)
	Expect(st).To(SatisfyContract(contracts.KindNotification))
	n := object(st.Body)
	Expect(n["status"]).To(Equal(status), "%s: status after %s", st.Request, event)
	api, _ := decodeObject(st.Body)
	e.failOnFindings(compareDelivery(*d, api, st.Request), fmt.Sprintf("differences between the webhook and %s", st.Request))
	return id
}

// mandateDebit executes the mandate with its own order within max_amount.
func (e *env) mandateDebit(f *mandateFlow) {
	GinkgoHelper()
	Expect(f.mandateID).NotTo(BeEmpty(), "no mandate: the registration specs failed")
	debit := &flowState{orderID: uniqueID("jpd", 6)}
	resp := e.post("/txns", e.mandateDebitForm(f.mandateID, debit.orderID, mandateDebitAmount, f.notifyID))
	expectStatus(resp, 200)
	Expect(resp).To(SatisfyContract(contracts.KindTxn))
	ds := e.flowEvents(debit, "TXN_CHARGED", "ORDER_SUCCEEDED")
	api := e.flowConsistency(debit, ds[1:])
	m, _ := api["mandate"].(map[string]any)
	Expect(m).NotTo(BeNil(), "the debit's order %s carries no mandate block", debit.orderID)
	Expect(m["mandate_id"]).To(Equal(f.mandateID), "the debit's order names another mandate")
	f.debitOrder = debit.orderID
}

// mandateCommand sends a pause, resume or revoke, checks the answer, then waits for event and
// holds it against mandate status.
func (e *env) mandateCommand(f *mandateFlow, form url.Values, status, event string) {
	GinkgoHelper()
	Expect(f.mandateID).NotTo(BeEmpty(), "no mandate: the registration specs failed")
	mark := e.mark()
	resp := e.post("/mandates/"+url.PathEscape(f.mandateID), form)
	expectStatus(resp, 200)
	Expect(resp).To(SatisfyContract(contracts.KindMandateCommand))
	Expect(object(resp.Body)["mandate_status"]).To(Equal(status), "%s (command=%s): mandate_status", resp.Request, form.Get("command"))
	d := e.mandateEvent(mark, f.mandateID, event)
	st := e.agreeWithMandate(f.mandateID, d)
	Expect(st["status"]).To(Equal(status), "mandate status after %s", event)
}

// mandateOrdering fails unless the mandate's deliveries hold want in this order (duplicates and
// other events between are allowed).
func (e *env) mandateOrdering(mandateID string, want ...string) {
	GinkgoHelper()
	Expect(mandateID).NotTo(BeEmpty(), "no mandate: the registration specs failed")
	var got []string
	seen := map[string]bool{}
	for _, d := range e.receiver.Deliveries() {
		if mandateOf(d) != mandateID || (d.EventID != "" && seen[d.EventID]) {
			continue
		}
		seen[d.EventID] = true
		got = append(got, d.EventName)
	}
	i := 0
	for _, ev := range got {
		if i < len(want) && ev == want[i] {
			i++
		}
	}
	Expect(i).To(Equal(len(want)), "mandate %s's webhooks arrived as %v; want %v in this order", mandateID, got, want)
}
