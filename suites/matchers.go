package suites

import (
	"fmt"
	"strings"

	"github.com/jpcheck/jpcheck/contracts"
	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega/types"
)

// SatisfyContract succeeds when a *Response's or *Delivery's body has no error finding
// against the contract kind. Every finding, warnings included, is recorded for the run's
// report; the failure message lists the findings by pointer.
func SatisfyContract(kind contracts.Kind) types.GomegaMatcher {
	return &contractMatcher{kind: kind}
}

type contractMatcher struct {
	kind     contracts.Kind
	request  string
	findings []Finding
}

func (m *contractMatcher) Match(actual any) (bool, error) {
	var (
		body []byte
		c    *checker
	)
	switch a := actual.(type) {
	case *Response:
		if a == nil {
			return false, fmt.Errorf("SatisfyContract: nil *Response")
		}
		body, c, m.request = a.Body, a.check, a.Request
	case *Delivery:
		if a == nil {
			return false, fmt.Errorf("SatisfyContract: nil *Delivery")
		}
		body, c, m.request = a.Body, a.check, a.Request()
	default:
		return false, fmt.Errorf("SatisfyContract expects a *suites.Response or *suites.Delivery, got %T", actual)
	}
	if c == nil {
		return false, fmt.Errorf("SatisfyContract: %s was not made by the suites' client or receiver", m.request)
	}
	fs, err := c.check(CurrentSpecReport().FullText(), m.request, m.kind, body)
	if err != nil {
		return false, err
	}
	m.findings = fs
	for _, f := range fs {
		if f.Severity == contracts.SeverityError {
			return false, nil
		}
	}
	return true, nil
}

func (m *contractMatcher) FailureMessage(any) string {
	var b strings.Builder
	errs := 0
	for _, f := range m.findings {
		if f.Severity == contracts.SeverityError {
			errs++
		}
	}
	fmt.Fprintf(&b, "%s does not satisfy the %s contract: %d error finding(s)", m.request, m.kind, errs)
	for _, f := range m.findings {
		fmt.Fprintf(&b, "\n  %s %s [%s] %s", pointerText(f.Pointer), f.Rule, f.Severity, f.Message)
	}
	return b.String()
}

func (m *contractMatcher) NegatedFailureMessage(any) string {
	return fmt.Sprintf("%s satisfies the %s contract, and was expected not to", m.request, m.kind)
}

func pointerText(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}
