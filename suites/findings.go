package suites

import (
	"encoding/json"
	"sort"
	"sync"

	"github.com/jpcheck/jpcheck/contracts"
)

// Rules the suites add to the contracts' own: they judge channels and deliveries rather than
// one payload. They are an interface: never rename one.
const (
	// RuleAssertion is a failed spec that found no contract finding: a wrong status code, a
	// missing event, an unreachable endpoint. Its message is the spec's failure.
	RuleAssertion contracts.Rule = "assertion"
	// RuleConsistency is a field of the order inside a webhook that differs from what
	// GET /orders/{id} returns right after.
	RuleConsistency contracts.Rule = "consistency.webhook-order"
	// RuleDuplicate is a webhook delivered more than once (at-least-once allows it: a warning).
	RuleDuplicate contracts.Rule = "delivery.duplicate"
	// RuleOutOfOrder is a later event that carries an older state of its order.
	RuleOutOfOrder contracts.Rule = "delivery.out-of-order"
	// RuleWebhookAuth is a delivery without the expected Basic auth.
	RuleWebhookAuth contracts.Rule = "delivery.auth"
	// RuleWebhookBody is a delivery whose body could not be read whole (too large, cut off).
	RuleWebhookBody contracts.Rule = "delivery.body"
)

// Finding is one departure of the target from the documents, found by a spec. Field names
// are an interface (jpcheck conform --format json prints them as they are).
type Finding struct {
	Spec string `json:"spec"`
	// Pointer is from the payload root; for a webhook, from the envelope.
	Pointer  string             `json:"pointer"`
	Rule     contracts.Rule     `json:"rule"`
	Severity contracts.Severity `json:"severity"`
	Message  string             `json:"message"`
	// Request names what produced the payload: "GET /orders/o1", "webhook ORDER_SUCCEEDED evt_V2_…".
	Request string `json:"request"`
	// RelatedRequest and RelatedPointer name the other side of a consistency finding.
	RelatedRequest string `json:"related_request,omitempty"`
	RelatedPointer string `json:"related_pointer,omitempty"`
	Expected       string `json:"expected,omitempty"`
	Actual         string `json:"actual,omitempty"`
}

// recorder collects findings across specs; specs run one at a time, but receiver goroutines
// and matchers may add concurrently.
type recorder struct {
	mu       sync.Mutex
	findings []Finding
	coverage *contracts.Coverage
	payloads []Payload
	perKind  map[contracts.Kind]int
}

// Payload is one body a spec checked, kept so consumer contracts can be judged against what
// the target actually sent (package consumers). Kind is contracts.KindWebhook for a webhook,
// Event its event_name.
type Payload struct {
	Kind    contracts.Kind
	Event   string
	Request string
	Body    []byte
}

// Bounds on the payloads kept: enough variety per kind for consumer checks, bounded memory.
const (
	maxPayloadsPerKind = 50
	maxPayloadBytes    = 256 << 10
)

// keepPayload records a checked payload, up to maxPayloadsPerKind per kind (webhooks: per event).
func (r *recorder) keepPayload(kind contracts.Kind, request string, body []byte) {
	if len(body) > maxPayloadBytes {
		return
	}
	p := Payload{Kind: kind, Request: request, Body: append([]byte(nil), body...)}
	key := kind
	if kind == contracts.KindWebhook {
		var env struct {
			Event string `json:"event_name"`
		}
		_ = json.Unmarshal(body, &env) // a body that is not JSON keeps no event: no consumer selects it
		p.Event = env.Event
		key = contracts.Kind("webhook " + env.Event)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.perKind == nil {
		r.perKind = map[contracts.Kind]int{}
	}
	if r.perKind[key] >= maxPayloadsPerKind {
		return
	}
	r.perKind[key]++
	r.payloads = append(r.payloads, p)
}

// recordedPayloads returns the kept payloads in the order they were checked.
func (r *recorder) recordedPayloads() []Payload {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Payload(nil), r.payloads...)
}

func newRecorder() *recorder { return &recorder{coverage: contracts.NewCoverage()} }

func (r *recorder) add(fs ...Finding) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.findings = append(r.findings, fs...)
}

func (r *recorder) mergeCoverage(c *contracts.Coverage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.coverage.Merge(c)
}

// snapshot returns the findings in a stable order: by spec, then request, then pointer.
func (r *recorder) snapshot() []Finding {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]Finding(nil), r.findings...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Spec != b.Spec {
			return a.Spec < b.Spec
		}
		if a.Request != b.Request {
			return a.Request < b.Request
		}
		return a.Pointer < b.Pointer
	})
	return out
}

func (r *recorder) specHasErrors(spec string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.findings {
		if f.Spec == spec && f.Severity == contracts.SeverityError {
			return true
		}
	}
	return false
}

// checker validates payloads against the contracts for the specs and records what it finds.
type checker struct {
	set     *contracts.Set
	profile contracts.Profile
	rec     *recorder
}

// check validates payload as kind, records every finding under spec and returns them.
func (c *checker) check(spec, request string, kind contracts.Kind, payload []byte) ([]Finding, error) {
	cov := contracts.NewCoverage()
	res, err := c.set.Validate(kind, payload, contracts.Options{Profile: c.profile, Coverage: cov})
	if err != nil {
		return nil, err
	}
	c.rec.mergeCoverage(cov)
	c.rec.keepPayload(kind, request, payload)
	out := make([]Finding, 0, len(res.Findings))
	for _, f := range res.Findings {
		out = append(out, Finding{
			Spec: spec, Pointer: f.Pointer, Rule: f.Rule, Severity: f.Severity, Message: f.Message,
			Request: request, Expected: f.Expected, Actual: f.Actual,
		})
	}
	c.rec.add(out...)
	return out, nil
}
