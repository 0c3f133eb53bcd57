package suites

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// The webhooks area makes the target send every event itself (Ginkgo shuffles the areas, so
// it cannot count on the flows): payments that succeed and fail, refunds that succeed, fail and
// go to manual review, late payments auto-refunded, and a mandate through its life, with its
// notifications, a failed registration and an expiry on the test clock. Each step runs when the
// fixtures declare test_mode or name its flows/* scenario (and, for the expiry, test_clock);
// the events of a step that cannot run are skipped with that reason.

// Test-mode instruments (docs/mock.md § Test mode).
const (
	testCardCharged    = "4111111111111111"
	testCardAuthnFails = "4000000000000002"
	testVPACreditCard  = "successcc@upi"
	// testTwidSplit pays part of an order with Twid reward points (twid-v2 § 4.2).
	testTwidSplit = `[{"payment_method_type":"REWARD","payment_method":"TWID","split_amount":"20.00","reward_id":"jpcheck","reward_mode":"BURN"}]`
)

// webhookTrigger is what the area did to make the target send webhooks.
type webhookTrigger struct {
	testMode bool
	// steps are the calls the trigger made.
	steps []string
	// expected are the deliveries the steps that succeeded must produce.
	expected []expectedEvent
	// skipped names, per event, why a step that would produce it did not run or failed.
	skipped  map[string]string
	problems []string
}

type expectedEvent struct {
	event, what string
	match       func(Delivery) bool
}

// expect records events the order's steps must produce.
func (t *webhookTrigger) expect(orderID string, events ...string) {
	for _, ev := range events {
		t.expected = append(t.expected, expectedEvent{ev, "order " + orderID, matchEvent(orderID, ev)})
	}
}

func (t *webhookTrigger) skip(reason string, events ...string) {
	for _, ev := range events {
		if _, ok := t.skipped[ev]; !ok {
			t.skipped[ev] = reason
		}
	}
}

func matchEvent(orderID, event string) func(Delivery) bool {
	return func(d Delivery) bool { return d.OrderID == orderID && d.EventName == event }
}

// trigger runs the steps against one deadline.
type trigger struct {
	e   *env
	t   *webhookTrigger
	ctx context.Context
}

// triggerWebhooks runs every step it can, then waits (bounded by the webhook timeout) for the
// events those steps produce. A failed step is a problem for the trigger spec, not an assertion
// here, so the event specs can still judge what did arrive.
func (e *env) triggerWebhooks() *webhookTrigger {
	t := &webhookTrigger{testMode: e.fixtures.TestMode, skipped: map[string]string{}}
	ctx, cancel := context.WithTimeout(e.ctx, 40*e.client.http.Timeout+8*e.webhookTimeout)
	defer cancel()
	tr := &trigger{e: e, t: t, ctx: ctx}
	tr.payments()
	tr.autoRefunds()
	tr.mandates()
	// One deadline for the last waits: the events come in parallel, not one timeout each.
	waitCtx, cancelWait := context.WithTimeout(ctx, e.webhookTimeout)
	defer cancelWait()
	for _, x := range t.expected {
		if _, err := e.receiver.Wait(waitCtx, x.match); err != nil {
			break // the deadline passed: the event specs report what is missing
		}
	}
	return t
}

// value is flowValue for the trigger: the scenario's value, else docs/mock.md's under test_mode,
// else false.
func (tr *trigger) value(field func(Scenario) string, testModeValue string, scenarios ...string) (string, bool) {
	for _, name := range scenarios {
		if s, ok := tr.e.fixtures.Scenario(name); ok {
			if v := field(s); v != "" {
				return v, true
			}
		}
	}
	return testModeValue, tr.t.testMode
}

// call sends req and returns the answer when it is a 200; otherwise the events the step leads
// to are not expected, with the failure as the reason.
func (tr *trigger) call(what string, req Request, events ...string) (*Response, bool) {
	tr.t.steps = append(tr.t.steps, what)
	resp, err := tr.e.client.do(tr.ctx, req)
	problem := ""
	switch {
	case err != nil:
		problem = fmt.Sprintf("%s: %s", what, oneLine(err.Error()))
	case resp.Status != 200:
		problem = fmt.Sprintf("%s: %s answered %d, want 200; body: %s", what, resp.Request, resp.Status, clipBody(resp.Body))
	default:
		return resp, true
	}
	tr.t.problems = append(tr.t.problems, problem)
	tr.t.skip("triggering it failed: "+problem, events...)
	return nil, false
}

// wait waits one webhook timeout for a delivery; false (with the reason recorded for events)
// when none came.
func (tr *trigger) wait(what string, match func(Delivery) bool, events ...string) bool {
	ctx, cancel := context.WithTimeout(tr.ctx, tr.e.webhookTimeout)
	defer cancel()
	if _, err := tr.e.receiver.Wait(ctx, match); err != nil {
		tr.t.skip(fmt.Sprintf("no %s within %s, so the steps after it did not run", what, tr.e.webhookTimeout), events...)
		return false
	}
	return true
}

func post(path string, form url.Values) Request {
	return Request{Method: "POST", Path: path, Form: form}
}

// payments: a card payment that succeeds and is refunded (in full success, failure and manual
// review), and one that fails.
func (tr *trigger) payments() {
	e, t := tr.e, tr.t
	refundEvents := []string{"REFUND_INITIATED", "ORDER_REFUNDED", "ORDER_REFUND_FAILED", "REFUND_MANUAL_REVIEW_NEEDED"}
	card, ok := tr.value(func(s Scenario) string { return s.CardNumber }, testCardCharged, ScenarioFlowRefundFailure, ScenarioFlowRefundReview)
	paid := uniqueID("jpw", 6)
	payEvents := append([]string{"TXN_CREATED", "TXN_CHARGED", "ORDER_SUCCEEDED"}, refundEvents...)
	if !ok {
		t.skip("the fixtures neither declare test_mode nor name scenario flows/refund-failure or flows/refund-manual-review with a card_number: jpcheck cannot make the target charge a card", payEvents...)
	} else if _, ok := tr.call("create order "+paid, post("/orders", flowOrderForm(paid, flowAmount)), payEvents...); ok {
		if _, ok := tr.call("pay order "+paid+" with card "+card, post("/txns", e.flowCardForm(paid, card)), payEvents...); ok {
			t.expect(paid, "TXN_CREATED", "TXN_CHARGED", "ORDER_SUCCEEDED")
			// Refund only what the target confirmed charged: a real sandbox may settle later.
			if tr.wait("ORDER_SUCCEEDED for order "+paid, matchEvent(paid, "ORDER_SUCCEEDED"), refundEvents...) {
				tr.refunds(paid)
			}
		}
	}
	failed := uniqueID("jpw", 6)
	failEvents := []string{"TXN_CREATED", "TXN_FAILED", "ORDER_FAILED"}
	if !t.testMode {
		t.skip("the fixtures do not declare test_mode: jpcheck cannot make a payment fail", "TXN_FAILED", "ORDER_FAILED")
		return
	}
	// A card + Twid split payment: its webhooks carry the txn_list.
	split := uniqueID("jpw", 6)
	splitEvents := []string{"TXN_CREATED", "TXN_CHARGED", "ORDER_SUCCEEDED"}
	if _, ok := tr.call("create order "+split, post("/orders", flowOrderForm(split, flowAmount)), splitEvents...); ok {
		form := e.flowCardForm(split, testCardCharged)
		form.Set("additional_payment_details", testTwidSplit)
		if _, ok := tr.call("pay order "+split+" by card and Twid", post("/txns", form), splitEvents...); ok {
			t.expect(split, splitEvents...)
		}
	}
	if _, ok := tr.call("create order "+failed, post("/orders", flowOrderForm(failed, flowAmount)), failEvents...); ok {
		if _, ok := tr.call("pay order "+failed+" with card "+testCardAuthnFails, post("/txns", e.flowCardForm(failed, testCardAuthnFails)), failEvents...); ok {
			t.expect(failed, failEvents...)
		}
	}
}

// refunds refunds part of the charged order, then an amount that fails and one that goes to
// manual review.
func (tr *trigger) refunds(orderID string) {
	t := tr.t
	path := "/orders/" + orderID + "/refunds"
	if _, ok := tr.call("refund order "+orderID, post(path, flowRefundForm(uniqueID("jpr", 6), flowRefundAmount)), "REFUND_INITIATED", "ORDER_REFUNDED"); ok {
		t.expect(orderID, "REFUND_INITIATED", "ORDER_REFUNDED")
	}
	for _, o := range []struct{ scenario, def, event string }{
		{ScenarioFlowRefundFailure, testRefundFailureAmount, "ORDER_REFUND_FAILED"},
		{ScenarioFlowRefundReview, testRefundReviewAmount, "REFUND_MANUAL_REVIEW_NEEDED"},
	} {
		amount, ok := tr.value(func(s Scenario) string { return s.Amount }, o.def, o.scenario)
		if !ok {
			t.skip(fmt.Sprintf("the fixtures neither declare test_mode nor name scenario %s with an amount", o.scenario), o.event)
			continue
		}
		if _, ok := tr.call(fmt.Sprintf("refund %s of order %s", amount, orderID), post(path, flowRefundForm(uniqueID("jpr", 6), amount)), o.event); ok {
			t.expect(orderID, o.event)
		}
	}
}

// autoRefunds pays two orders with the cards whose late payments are auto-refunded.
func (tr *trigger) autoRefunds() {
	for _, a := range []struct{ scenario, def, event string }{
		{ScenarioFlowAutoRefundSuccess, testCardAutoRefundOK, "AUTO_REFUND_SUCCEEDED"},
		{ScenarioFlowAutoRefundFailure, testCardAutoRefundFails, "AUTO_REFUND_FAILED"},
	} {
		card, ok := tr.value(func(s Scenario) string { return s.CardNumber }, a.def, a.scenario)
		if !ok {
			tr.t.skip(fmt.Sprintf("the fixtures neither declare test_mode nor name scenario %s with a card_number", a.scenario), a.event)
			continue
		}
		id := uniqueID("jpw", 6)
		if _, ok := tr.call("create order "+id, post("/orders", flowOrderForm(id, flowAmount)), a.event); !ok {
			continue
		}
		if _, ok := tr.call("pay order "+id+" with card "+card, post("/txns", tr.e.flowCardForm(id, card)), a.event); ok {
			tr.t.expect(id, a.event)
		}
	}
}

var (
	mandateEventNames      = []string{"MANDATE_CREATED", "MANDATE_ACTIVATED", "MANDATE_FAILED", "MANDATE_PAUSED", "MANDATE_EXPIRED", "MANDATE_REVOKED"}
	notificationEventNames = []string{"NOTIFICATION_SUCCEEDED", "NOTIFICATION_FAILED"}
)

// mandates registers a UPI mandate and takes it through notifications, a pause, a resume and a
// revoke; fails a netbanking registration; and expires a mandate on the test clock.
func (tr *trigger) mandates() {
	e, t := tr.e, tr.t
	// Test mode registers this one by intent from a UPI app, on a credit card (UPICC), so the
	// webhooks carry the UPI details the flows' collect does not.
	vpa, ok := tr.value(func(s Scenario) string { return s.UPIVPA }, testVPACreditCard, ScenarioFlowMandate)
	if !ok {
		t.skip("the fixtures neither declare test_mode nor name scenario flows/mandate: jpcheck cannot make the target register a mandate", append(mandateEventNames, notificationEventNames...)...)
		return
	}
	life := append([]string{"MANDATE_PAUSED", "MANDATE_REVOKED"}, notificationEventNames...)
	orderID, mandateID := tr.registerMandate(vpa, 365*24*time.Hour, life...)
	if mandateID != "" {
		path := "/mandates/" + url.PathEscape(mandateID)
		tr.notify(path, mandateDebitAmount, "NOTIFICATION_SUCCEEDED")
		if t.testMode {
			tr.notify(path, mandateOverMax, "NOTIFICATION_FAILED")
		} else {
			t.skip("the fixtures do not declare test_mode: jpcheck cannot make the target's gateway refuse a notification", "NOTIFICATION_FAILED")
		}
		steps := []struct {
			form  url.Values
			event string
		}{
			{url.Values{"command": {"pause"}, "pause_end_date": {strconv.FormatInt(tr.now().Add(30*24*time.Hour).Unix(), 10)}}, "MANDATE_PAUSED"},
			{url.Values{"command": {"resume"}}, "MANDATE_ACTIVATED"},
			{url.Values{"command": {"revoke"}}, "MANDATE_REVOKED"},
		}
		for i, s := range steps {
			mark := e.mark()
			what := fmt.Sprintf("%s mandate %s", s.form.Get("command"), mandateID)
			if _, ok := tr.call(what, post(path, s.form), s.event); !ok {
				break
			}
			t.expect(orderID, s.event)
			later := []string{}
			for _, n := range steps[i+1:] {
				later = append(later, n.event)
			}
			if !tr.wait(s.event+" for mandate "+mandateID, func(d Delivery) bool { return d.Seq > mark && d.EventName == s.event && mandateOf(d) == mandateID }, later...) {
				break
			}
		}
	}
	if !t.testMode {
		t.skip("the fixtures do not declare test_mode: jpcheck cannot make a mandate registration fail", "MANDATE_FAILED")
	} else {
		id := uniqueID("jpw", 6)
		start := tr.now()
		if _, ok := tr.call("create mandate order "+id, post("/orders", mandateOrderForm(id, start, 365*24*time.Hour)), "MANDATE_FAILED"); ok {
			if _, ok := tr.call("register a mandate for order "+id+" with bank "+testBankFails, post("/txns", e.mandateNBForm(id, testBankFails)), "MANDATE_FAILED"); ok {
				t.expect(id, "MANDATE_CREATED", "MANDATE_FAILED", "ORDER_FAILED")
			}
		}
	}
	if !e.fixtures.TestClock {
		t.skip("the fixtures do not declare test_clock: jpcheck cannot move the target's time to a mandate's end date", "MANDATE_EXPIRED")
		return
	}
	orderID, mandateID = tr.registerMandate(vpa, 30*24*time.Hour, "MANDATE_EXPIRED")
	if mandateID == "" {
		return
	}
	end := tr.endDate(mandateID)
	if end == 0 {
		return
	}
	if _, ok := tr.call("move the test clock to mandate "+mandateID+"'s end date", post("/_mock/clock", url.Values{"to": {strconv.FormatInt(end, 10)}}), "MANDATE_EXPIRED"); ok {
		t.expect(orderID, "MANDATE_EXPIRED")
	}
}

// registerMandate creates a mandate order valid for term and registers it with a UPI collect
// from vpa; it waits for MANDATE_ACTIVATED and returns the order and the mandate id (empty when
// a step failed, with later's events skipped for that reason).
func (tr *trigger) registerMandate(vpa string, term time.Duration, later ...string) (string, string) {
	e, t := tr.e, tr.t
	id := uniqueID("jpw", 6)
	events := append([]string{"MANDATE_CREATED", "MANDATE_ACTIVATED"}, later...)
	if _, ok := tr.call("create mandate order "+id, post("/orders", mandateOrderForm(id, tr.now(), term)), events...); !ok {
		return "", ""
	}
	if _, ok := tr.call("register a mandate for order "+id+" with VPA "+vpa, post("/txns", e.mandateUPIForm(id, vpa, true)), events...); !ok {
		return "", ""
	}
	t.expect(id, "TXN_CREATED", "MANDATE_CREATED", "MANDATE_ACTIVATED", "ORDER_SUCCEEDED")
	if !tr.wait("MANDATE_ACTIVATED for order "+id, matchEvent(id, "MANDATE_ACTIVATED"), later...) {
		return id, ""
	}
	resp, ok := tr.call("order status of "+id, Request{Method: "GET", Path: "/orders/" + id}, later...)
	if !ok {
		return id, ""
	}
	var o struct {
		Mandate struct {
			MandateID string `json:"mandate_id"`
		} `json:"mandate"`
	}
	if json.Unmarshal(resp.Body, &o) != nil || o.Mandate.MandateID == "" {
		problem := fmt.Sprintf("%s carries no mandate.mandate_id after the registration payment", resp.Request)
		t.problems = append(t.problems, problem)
		t.skip(problem, later...)
		return id, ""
	}
	return id, o.Mandate.MandateID
}

// notify sends a pre-debit notification of amount and expects event for it.
func (tr *trigger) notify(path, amount, event string) {
	form := mandateNotifyForm(uniqueID("jpn", 6), amount, tr.now().Add(24*time.Hour), event == "NOTIFICATION_FAILED")
	resp, ok := tr.call("pre-debit notification of "+amount+" on "+path, post(path, form), event)
	if !ok {
		return
	}
	var n struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(resp.Body, &n) != nil || n.ID == "" {
		problem := fmt.Sprintf("%s answered no notification id", resp.Request)
		tr.t.problems = append(tr.t.problems, problem)
		tr.t.skip(problem, event)
		return
	}
	tr.t.expected = append(tr.t.expected, expectedEvent{event, "notification " + n.ID, func(d Delivery) bool {
		return d.EventName == event && notificationOf(d) == n.ID
	}})
}

// now is the target's time (its test clock's when it has one), without assertions: a failure
// is a problem and this machine's time is used.
func (tr *trigger) now() time.Time {
	if !tr.e.fixtures.TestClock {
		return time.Now()
	}
	resp, ok := tr.call("read the test clock", Request{Method: "GET", Path: "/_mock/clock"})
	var c struct {
		NowEpoch int64 `json:"now_epoch"`
	}
	if !ok || json.Unmarshal(resp.Body, &c) != nil || c.NowEpoch == 0 {
		return time.Now()
	}
	return time.Unix(c.NowEpoch, 0)
}

// endDate is the mandate's end date as the Mandate Status API says; 0 on failure.
func (tr *trigger) endDate(mandateID string) int64 {
	resp, ok := tr.call("mandate status of "+mandateID, post("/mandates/"+url.PathEscape(mandateID), url.Values{"command": {"check_status"}}), "MANDATE_EXPIRED")
	if !ok {
		return 0
	}
	var m struct {
		EndDate string `json:"end_date"`
	}
	json.Unmarshal(resp.Body, &m)
	n, err := strconv.ParseInt(m.EndDate, 10, 64)
	if err != nil || n <= 0 {
		problem := fmt.Sprintf("%s: no end_date in epoch seconds (%q)", resp.Request, m.EndDate)
		tr.t.problems = append(tr.t.problems, problem)
		tr.t.skip(problem, "MANDATE_EXPIRED")
		return 0
	}
	return n
}
