package suites

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/jpcheck/jpcheck/specs"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// DefaultWebhookTimeout is how long a spec waits for an event it caused.
const DefaultWebhookTimeout = 10 * time.Second

// env is what every area's specs close over: the target, its fixtures and the checks.
type env struct {
	client         *client
	fixtures       *Fixtures
	check          *checker
	receiver       *Receiver // nil: no webhook receiver, webhook specs skip
	webhookTimeout time.Duration
	merchantID     string
	// ctx is the run's: every request and wait ends with it. health judges the target.
	ctx    context.Context
	health *health
	sel    selection

	mu          sync.Mutex
	lastRequest map[string]string // spec → the last request it made, for assertion findings
}

func newEnv(cfg Config) (*env, error) {
	rec := newRecorder()
	chk := &checker{set: cfg.Set, profile: cfg.Profile, rec: rec}
	cl, err := newClient(cfg.Target, cfg.APIKey, cfg.MerchantID, cfg.HTTPClient, cfg.RequestTimeout, chk)
	if err != nil {
		return nil, err
	}
	sel, err := newSelection(cfg.LabelFilter, cfg.Focus)
	if err != nil {
		return nil, err
	}
	h := newHealth(context.Background(), cfg.Timeout, cfg.TargetDown)
	cl.health = h
	fx := cfg.Fixtures
	if fx == nil {
		fx = DefaultFixtures()
	}
	wt := cfg.WebhookTimeout
	if wt <= 0 {
		wt = DefaultWebhookTimeout
	}
	return &env{
		client: cl, fixtures: fx, check: chk, receiver: cfg.Receiver, webhookTimeout: wt,
		merchantID: cfg.MerchantID, lastRequest: map[string]string{},
		ctx: context.Background(), health: h, sel: sel,
	}, nil
}

// scenario returns the fixture of name, skipping the spec when there is none.
func (e *env) scenario(name string) Scenario {
	s, ok := e.fixtures.Scenario(name)
	if !ok {
		Skip(fmt.Sprintf("no fixture for scenario %s", name))
	}
	return s
}

// orderID returns the scenario's order id, skipping the spec when the fixture has none.
func (e *env) orderID(name string) string {
	id := e.scenario(name).OrderID
	if id == "" {
		Skip(fmt.Sprintf("the fixture for scenario %s has no order_id", name))
	}
	return id
}

// requireTestMode skips a spec that pays for orders when the target has no test mode.
func (e *env) requireTestMode() {
	if !e.fixtures.TestMode {
		Skip("the fixtures do not declare test_mode: the target cannot take test payments")
	}
}

// requireReceiver skips a spec that needs webhooks when no receiver runs.
func (e *env) requireReceiver() {
	if e.receiver == nil {
		Skip("no webhook receiver: run with --webhook-listen and point the target's webhooks at it")
	}
}

// call sends req and fails the spec on a transport error.
func (e *env) call(req Request) *Response {
	GinkgoHelper()
	e.mu.Lock()
	e.lastRequest[CurrentSpecReport().FullText()] = req.Method + " " + req.Path
	e.mu.Unlock()
	ctx, cancel := context.WithTimeout(e.ctx, e.client.http.Timeout)
	defer cancel()
	resp, err := e.client.do(ctx, req)
	Expect(err).NotTo(HaveOccurred(), "calling the target")
	return resp
}

// get is call for a GET of path.
func (e *env) get(path string) *Response {
	GinkgoHelper()
	return e.call(Request{Method: "GET", Path: path})
}

// expectStatus fails the spec unless resp has status code, showing the body.
func expectStatus(resp *Response, code int) {
	GinkgoHelper()
	Expect(resp.Status).To(Equal(code), "%s answered %d, want %d; body: %s", resp.Request, resp.Status, code, clipBody(resp.Body))
}

func clipBody(b []byte) string {
	const max = 512
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

// delivery attaches the checker to a received delivery so SatisfyContract can judge it.
func (e *env) delivery(d Delivery) *Delivery {
	d.check = e.check
	return &d
}

// waitEvent waits for a delivery of event for orderID and fails the spec when none arrives in
// time.
func (e *env) waitEvent(orderID, event string) *Delivery {
	GinkgoHelper()
	e.requireReceiver()
	ctx, cancel := context.WithTimeout(e.ctx, e.webhookTimeout)
	defer cancel()
	d, err := e.receiver.Wait(ctx, func(d Delivery) bool { return d.OrderID == orderID && d.EventName == event })
	Expect(err).NotTo(HaveOccurred(), "waiting %s for the %s webhook of order %s", e.webhookTimeout, event, orderID)
	return e.delivery(d)
}

func (e *env) request(spec string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lastRequest[spec]
}

// post is call for a form POST, the encoding Juspay's order and txn APIs take.
func (e *env) post(path string, form url.Values) *Response {
	GinkgoHelper()
	return e.call(Request{Method: "POST", Path: path, Form: form})
}

// postJSON is call for a JSON POST.
func (e *env) postJSON(path string, body []byte) *Response {
	GinkgoHelper()
	return e.call(Request{Method: "POST", Path: path, JSON: body})
}

// example returns a documented sample payload (specs/examples) by file name.
func example(file string) []byte {
	GinkgoHelper()
	b, err := specs.ExampleData(file)
	Expect(err).NotTo(HaveOccurred(), "reading the documented sample %s", file)
	return b
}

// object decodes a JSON object body for field assertions, failing the spec when it is not one.
func object(body []byte) map[string]any {
	GinkgoHelper()
	var m map[string]any
	Expect(json.Unmarshal(body, &m)).To(Succeed(), "body is not a JSON object: %s", clipBody(body))
	return m
}

// uniqueID is prefix and n random bytes in hex, unique per run so repeated runs against one
// stateful target never collide. The target echoes ids back, so a draw holding 13 or more
// decimal digits in a row (which can read as a card number and trip pci.card-number) is
// drawn again.
func uniqueID(prefix string, n int) string {
	b := make([]byte, n)
	for {
		rand.Read(b)
		s := hex.EncodeToString(b)
		run, longest := 0, 0
		for _, c := range s {
			if c >= '0' && c <= '9' {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
		if longest < 13 {
			return prefix + s
		}
	}
}
