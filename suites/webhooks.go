package suites

import (
	"fmt"
	"strings"

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

		It("triggers events through test-mode payments, refunds and a mandate's life", func() {
			if len(trig.steps) == 0 {
				Skip("the fixtures neither declare test_mode nor name a flows/* scenario: jpcheck cannot make the target pay, refund or register a mandate, so it only judges what arrives")
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
		if x.event == event && !hasDelivery(ds, x.match) {
			problems = append(problems, fmt.Sprintf("expected %s %s delivery for %s within %s", article(event), event, x.what, e.webhookTimeout))
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

func hasDelivery(ds []Delivery, match func(Delivery) bool) bool {
	for _, d := range ds {
		if match(d) {
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
