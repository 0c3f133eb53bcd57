package suites

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	. "github.com/onsi/ginkgo/v2"
)

// webhookSpecs: every delivery the receiver got, whichever spec caused it, judged against its
// event's contract, plus the receiver's own view of each delivery (auth, whole body) and their
// order. Ginkgo shuffles top-level containers, so the area makes its own events through test
// mode rather than rely on the flows having run first.
func webhookSpecs(e *env) {
	Describe("webhooks", Label(LabelWebhooks), Ordered, ContinueOnFailure, func() {
		var trig *webhookTrigger
		// Skip per spec, not in BeforeAll: Ginkgo would give every later spec its own generic
		// reason instead of this one.
		BeforeEach(e.requireReceiver)
		BeforeAll(func() {
			if e.receiver != nil {
				trig = e.triggerWebhooks()
			}
		})

		It("triggers events through test-mode payments and a refund", func() {
			if !trig.testMode {
				Skip("the fixtures do not declare test_mode: jpcheck cannot make the target pay or refund, so it only judges what arrives")
			}
			if len(trig.problems) > 0 {
				Fail("triggering webhooks failed:\n  " + strings.Join(trig.problems, "\n  "))
			}
		})

		for _, event := range e.check.set.Events() {
			It("delivers "+event+" satisfying its webhook contract", func() {
				e.webhookEventSpec(trig, event)
			})
		}

		It("delivers every webhook with the expected Basic auth and a whole body", func() {
			ds := e.receiver.Deliveries()
			if len(ds) == 0 {
				Skip("no webhook arrived during the run")
			}
			fs := receiptFindings(ds)
			e.failOnFindings(fs, "deliveries the receiver could not accept")
		})

		It("delivers no event carrying an older state than one delivered before it (duplicates are recorded)", func() {
			ds := e.receiver.Deliveries()
			if len(ds) == 0 {
				Skip("no webhook arrived during the run")
			}
			e.failOnFindings(deliveryOrder(ds), "deliveries out of order")
		})
	})
}

// webhookTrigger is what the area did to make the target send webhooks.
type webhookTrigger struct {
	testMode bool
	// expected are the deliveries the steps that succeeded must produce.
	expected []expectedEvent
	// skipped names, per event, why a step that would produce it did not run or failed.
	skipped  map[string]string
	problems []string
}

type expectedEvent struct{ event, orderID string }

// Test-mode instruments (docs/mock.md § Test mode).
const (
	testCardCharged    = "4111111111111111"
	testCardAuthnFails = "4000000000000002"
)

// triggerWebhooks pays one order, fails another and refunds part of the first, then waits
// (bounded by the webhook timeout) for the events those steps produce. A failed step is a
// problem for the trigger spec, not an assertion here, so the event specs can still judge
// what did arrive.
func (e *env) triggerWebhooks() *webhookTrigger {
	t := &webhookTrigger{testMode: e.fixtures.TestMode, skipped: map[string]string{}}
	if !t.testMode {
		return t
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*e.client.http.Timeout+e.webhookTimeout)
	defer cancel()
	// One deadline for every wait: the events come in parallel, not one timeout each.
	waitCtx, cancelWait := context.WithDeadline(ctx, time.Now().Add(e.webhookTimeout))
	defer cancelWait()

	paid := uniqueID("jpw", 6)
	if e.triggerStep(ctx, t, "create order "+paid, Request{Method: "POST", Path: "/orders", Form: flowOrderForm(paid, flowAmount)}, "TXN_CREATED", "TXN_CHARGED", "ORDER_SUCCEEDED", "REFUND_INITIATED", "ORDER_REFUNDED") &&
		e.triggerStep(ctx, t, "pay order "+paid+" with card "+testCardCharged, Request{Method: "POST", Path: "/txns", Form: e.flowCardForm(paid, testCardCharged)}, "TXN_CREATED", "TXN_CHARGED", "ORDER_SUCCEEDED", "REFUND_INITIATED", "ORDER_REFUNDED") {
		t.expect(paid, "TXN_CREATED", "TXN_CHARGED", "ORDER_SUCCEEDED")
		// Refund only what the target confirmed charged: a real sandbox may settle later.
		if _, err := e.receiver.Wait(waitCtx, matchEvent(paid, "ORDER_SUCCEEDED")); err != nil {
			t.skip(fmt.Sprintf("no ORDER_SUCCEEDED for order %s within %s, so it was not refunded", paid, e.webhookTimeout), "REFUND_INITIATED", "ORDER_REFUNDED")
		} else if e.triggerStep(ctx, t, "refund order "+paid, Request{Method: "POST", Path: "/orders/" + paid + "/refunds", Form: flowRefundForm(uniqueID("jpr", 6), flowRefundAmount)}, "REFUND_INITIATED", "ORDER_REFUNDED") {
			t.expect(paid, "REFUND_INITIATED", "ORDER_REFUNDED")
		}
	}
	failed := uniqueID("jpw", 6)
	if e.triggerStep(ctx, t, "create order "+failed, Request{Method: "POST", Path: "/orders", Form: flowOrderForm(failed, flowAmount)}, "TXN_CREATED", "TXN_FAILED", "ORDER_FAILED") &&
		e.triggerStep(ctx, t, "pay order "+failed+" with card "+testCardAuthnFails, Request{Method: "POST", Path: "/txns", Form: e.flowCardForm(failed, testCardAuthnFails)}, "TXN_CREATED", "TXN_FAILED", "ORDER_FAILED") {
		t.expect(failed, "TXN_CREATED", "TXN_FAILED", "ORDER_FAILED")
	}
	for _, x := range t.expected {
		if _, err := e.receiver.Wait(waitCtx, matchEvent(x.orderID, x.event)); err != nil {
			break // the deadline passed: the event specs report what is missing
		}
	}
	return t
}

// triggerStep sends req and reports whether the target answered 200; otherwise the events
// the step leads to are not expected, with the failure as the reason.
func (e *env) triggerStep(ctx context.Context, t *webhookTrigger, what string, req Request, events ...string) bool {
	resp, err := e.client.do(ctx, req)
	problem := ""
	switch {
	case err != nil:
		problem = fmt.Sprintf("%s: %s", what, oneLine(err.Error()))
	case resp.Status != 200:
		problem = fmt.Sprintf("%s: %s answered %d, want 200; body: %s", what, resp.Request, resp.Status, clipBody(resp.Body))
	default:
		return true
	}
	t.problems = append(t.problems, problem)
	t.skip("triggering it failed: "+problem, events...)
	return false
}

func (t *webhookTrigger) expect(orderID string, events ...string) {
	for _, ev := range events {
		t.expected = append(t.expected, expectedEvent{ev, orderID})
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

// webhookEventSpec judges every delivery of event against the contract, and fails when an
// event the area triggered never came.
func (e *env) webhookEventSpec(t *webhookTrigger, event string) {
	GinkgoHelper()
	var ds []Delivery
	for _, d := range e.receiver.Deliveries() {
		if d.EventName == event {
			ds = append(ds, d)
		}
	}
	var problems []string
	for _, x := range t.expected {
		if x.event == event && !hasDelivery(ds, x.orderID) {
			problems = append(problems, fmt.Sprintf("expected %s %s delivery for order %s within %s", article(event), event, x.orderID, e.webhookTimeout))
		}
	}
	if len(ds) == 0 && len(problems) == 0 {
		Skip(fmt.Sprintf("no %s delivery arrived during the run; jpcheck cannot make the target send it (%s)", event, untriggeredReason(t, event)))
	}
	for _, d := range ds {
		m := SatisfyContract(contracts.KindWebhook)
		dp := e.delivery(d)
		ok, err := m.Match(dp)
		switch {
		case err != nil:
			problems = append(problems, err.Error())
		case !ok:
			problems = append(problems, m.FailureMessage(dp))
		}
	}
	if len(problems) > 0 {
		Fail(fmt.Sprintf("%d %s deliveries judged:\n%s", len(ds), event, clipList(problems, 20)))
	}
}

func article(word string) string {
	if word != "" && strings.ContainsRune("AEIOU", rune(word[0])) {
		return "an"
	}
	return "a"
}

func hasDelivery(ds []Delivery, orderID string) bool {
	for _, d := range ds {
		if d.OrderID == orderID {
			return true
		}
	}
	return false
}

// untriggeredReason says why jpcheck did not make the target send event.
func untriggeredReason(t *webhookTrigger, event string) string {
	if r, ok := t.skipped[event]; ok {
		return r
	}
	if !t.testMode {
		return "the fixtures do not declare test_mode"
	}
	family, _ := contracts.EventFamily(event)
	switch {
	case family == "mandate" || family == "notification":
		return "mandates and their pre-debit notifications need a customer's registration, which test mode does not script"
	case strings.Contains(event, "REFUND"):
		return "the reference implementation's test mode (docs/mock.md) settles every refund at once: no refund fails, needs review or is auto-refunded"
	}
	return "no step of the test mode (docs/mock.md) produces it"
}

// receiptFindings are the deliveries the receiver could not accept: wrong or missing Basic auth,
// a body cut at the size bound or not read whole.
func receiptFindings(ds []Delivery) []Finding {
	var out []Finding
	for _, d := range ds {
		if !d.AuthOK {
			out = append(out, Finding{
				Rule: RuleWebhookAuth, Severity: contracts.SeverityError, Request: d.Request(),
				Message: fmt.Sprintf("delivery #%d from %s carried no or the wrong Basic auth (answered 401)", d.Seq, d.Remote),
			})
		}
		switch {
		case d.Truncated:
			out = append(out, Finding{
				Rule: RuleWebhookBody, Severity: contracts.SeverityError, Request: d.Request(),
				Message: fmt.Sprintf("delivery #%d has a body over %d bytes, cut there (answered 413)", d.Seq, MaxWebhookBytes),
			})
		case d.ReadError != "":
			out = append(out, Finding{
				Rule: RuleWebhookBody, Severity: contracts.SeverityError, Request: d.Request(),
				Message: fmt.Sprintf("delivery #%d's body could not be read whole after %d bytes: %s (answered 400)", d.Seq, len(d.Body), d.ReadError),
			})
		}
	}
	return out
}

// failOnFindings records fs under the current spec and fails it when one is an error.
func (e *env) failOnFindings(fs []Finding, what string) {
	GinkgoHelper()
	spec := CurrentSpecReport().FullText()
	var errs []string
	for i := range fs {
		fs[i].Spec = spec
		if fs[i].Severity == contracts.SeverityError {
			errs = append(errs, findingLine(fs[i]))
		}
	}
	e.check.rec.add(fs...)
	if len(errs) > 0 {
		Fail(fmt.Sprintf("%d %s:\n%s", len(errs), what, clipList(errs, 20)))
	}
}

func findingLine(f Finding) string {
	s := fmt.Sprintf("%s %s %s [%s] %s", f.Request, pointerText(f.Pointer), f.Rule, f.Severity, f.Message)
	if f.RelatedRequest != "" {
		s += fmt.Sprintf(" (vs %s %s)", f.RelatedRequest, pointerText(f.RelatedPointer))
	}
	return s
}

// clipList joins lines, indented, keeping a failure message readable when many deliveries fail.
func clipList(lines []string, max int) string {
	extra := 0
	if len(lines) > max {
		lines, extra = lines[:max], len(lines)-max
	}
	s := "  " + strings.Join(lines, "\n  ")
	if extra > 0 {
		s += fmt.Sprintf("\n  … and %d more", extra)
	}
	return s
}
