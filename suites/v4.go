package suites

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/jwe"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"
)

const v4Path = "/v4/order-status"

// v4Call is one way a documented client calls /v4/order-status.
type v4Call struct {
	name   string
	method string // POST: the token in the body; GET: in the JWT query parameter (Shape B)
	shape  jwe.Shape
	seal   jwe.SealOptions // Shape is set from shape when sent
	// noAuth: the Node SDK and the HDFC samples send no Authorization in JWE mode; the
	// documents' curl sends Basic (facts § 2.4, § 2.5).
	noAuth bool
}

func v4Calls() []v4Call {
	return []v4Call{
		{name: "POST Shape A as the Node SDK sends it (RSA-OAEP, JSON JWS, no Authorization)",
			method: "POST", shape: jwe.ShapeA, seal: jwe.SealOptions{KeyAlg: jose.RSA_OAEP, JSONJWS: true}, noAuth: true},
		{name: "POST Shape A with RSA-OAEP-256 key wrap, as the .NET and PHP SDKs wrap the key",
			method: "POST", shape: jwe.ShapeA, seal: jwe.SealOptions{KeyAlg: jose.RSA_OAEP_256, JSONJWS: true}, noAuth: true},
		{name: "POST Shape B as the documents' encryptPost.js sends it (RSA-OAEP, compact JWS, Basic auth)",
			method: "POST", shape: jwe.ShapeB, seal: jwe.SealOptions{KeyAlg: jose.RSA_OAEP}},
		{name: "GET with the JWT query parameter as the documents' encryptGet.js sends it (compact JWS, Basic auth)",
			method: "GET", shape: jwe.ShapeB, seal: jwe.SealOptions{KeyAlg: jose.RSA_OAEP}},
	}
}

// v4Specs: the encrypted order status, in both wire shapes, opened and verified as a merchant
// does, and the decrypted order judged as order status.
func v4Specs(e *env) {
	Describe("v4 encrypted order status", Label(LabelV4), func() {
		var (
			c       *jwe.Client
			orderID string
		)
		BeforeEach(func() {
			c = e.v4Client()
			orderID = e.orderID(ScenarioV4OrderStatus)
		})
		// A key pair Juspay does not know, made once per run: RSA key generation is slow.
		var otherOnce sync.Once
		var other *rsa.PrivateKey
		var otherErr error
		otherKey := func() *rsa.PrivateKey {
			GinkgoHelper()
			otherOnce.Do(func() { other, otherErr = rsa.GenerateKey(rand.Reader, 2048) })
			Expect(otherErr).NotTo(HaveOccurred(), "generating a key pair Juspay does not know")
			return other
		}

		for _, call := range v4Calls() {
			Context(call.name, func() {
				It("answers in the request's shape with an RSA-OAEP-256 + A256GCM JWE that decrypts, verifies and holds the order", func() {
					resp := e.v4Send(c, call, v4OrderRequest(orderID, nil), call.seal)
					expectStatus(resp, 200)
					// A client reads only the shape it sent: the Node SDK cannot read {"JWT": …},
					// the documents' decrypt.js reads only apiResponse.JWT (facts § 2.4, § 2.5).
					Expect(resp).To(v4SatisfyEnvelope(call.shape))
					opened, err := c.Open(resp.Body)
					Expect(err).NotTo(HaveOccurred(), "%s: opening the response", resp.Request)
					Expect(opened.Shape).To(Equal(call.shape), "%s: the response's wire shape", resp.Request)
					// The Node SDK and decrypt.js hard-code SHA-256 OAEP for responses (facts § 2.2).
					Expect(opened.Alg).To(Equal(string(jose.RSA_OAEP_256)), "%s: the response JWE's alg", resp.Request)
					Expect(opened.Enc).To(Equal(string(jose.A256GCM)), "%s: the response JWE's enc", resp.Request)
					// The Node SDK verifies only the JSON form, decrypt.js only the compact one
					// (facts § 2.5), so the inner JWS must come in the form the client sent.
					Expect(opened.JSONJWS).To(Equal(call.seal.JSONJWS), "%s: the response's inner JWS in JSON form", resp.Request)
					order := e.v4Decrypted(resp, opened)
					Expect(order).To(SatisfyContract(contracts.KindOrderStatus))
					Expect(object(order.Body)["order_id"]).To(Equal(orderID), "%s: the order asked for", order.Request)
				})
			})
		}

		sdk := v4Calls()[0]
		It("decrypts to the same order GET /orders/{order_id} serves", func() {
			resp := e.v4Send(c, sdk, v4OrderRequest(orderID, nil), sdk.seal)
			expectStatus(resp, 200)
			opened, err := c.Open(resp.Body)
			Expect(err).NotTo(HaveOccurred(), "%s: opening the response", resp.Request)
			v4 := object(e.v4Decrypted(resp, opened).Body)
			get := e.get("/orders/" + url.PathEscape(orderID))
			expectStatus(get, 200)
			plain := object(get.Body)
			for _, k := range []string{"order_id", "id", "status", "status_id", "amount", "currency", "txn_id", "refunded", "amount_refunded"} {
				Expect(v4[k]).To(Equal(plain[k]), "%s /%s differs from %s", resp.Request, k, get.Request)
			}
		})

		It("adds the full gateway response when the decrypted request asks for it", func() {
			id := e.orderID(ScenarioFullGatewayResponse)
			resp := e.v4Send(c, sdk, v4OrderRequest(id, true), sdk.seal)
			expectStatus(resp, 200)
			opened, err := c.Open(resp.Body)
			Expect(err).NotTo(HaveOccurred(), "%s: opening the response", resp.Request)
			order := e.v4Decrypted(resp, opened)
			Expect(order).To(SatisfyContract(contracts.KindOrderStatus))
			orderExpectFullGatewayResponse(order, object(order.Body))
		})

		for _, call := range []v4Call{v4Calls()[0], v4Calls()[2]} {
			It("refuses a request signed with another key: 401 access_denied ("+call.shape.String()+")", func() {
				resp := e.v4Send(c, call, v4OrderRequest(orderID, nil), jwe.SealOptions{KeyAlg: call.seal.KeyAlg, JSONJWS: call.seal.JSONJWS, SignWith: otherKey()})
				expectStatus(resp, 401)
				Expect(resp).To(SatisfyContract(contracts.KindError))
				body := object(resp.Body)
				Expect(body["status"]).To(Equal("error"), "%s /status", resp.Request)
				Expect(body["error_code"]).To(Equal("access_denied"), "%s /error_code", resp.Request)
			})
		}

		It("answers 400 with an error body to a request it cannot decrypt (encrypted to another key)", func() {
			resp := e.v4Send(c, sdk, v4OrderRequest(orderID, nil), jwe.SealOptions{KeyAlg: sdk.seal.KeyAlg, JSONJWS: true, EncryptTo: &otherKey().PublicKey})
			expectStatus(resp, 400)
			Expect(resp).To(SatisfyContract(contracts.KindError))
		})
	})
}

// v4Client returns the client for the fixtures' V4 keys, skipping without them and failing
// on keys that cannot be read.
func (e *env) v4Client() *jwe.Client {
	GinkgoHelper()
	if e.fixtures.V4 == nil {
		Skip("the fixtures have no v4 keys (key_id, merchant_private_key, juspay_public_key)")
	}
	c, err := newV4Client(e.fixtures.V4)
	Expect(err).NotTo(HaveOccurred(), "reading the fixtures' v4 keys")
	return c
}

// v4OrderRequest is the decrypted request payload; full, when set, is
// options.add_full_gateway_response (the Node SDK sends it as a boolean).
func v4OrderRequest(orderID string, full any) []byte {
	GinkgoHelper()
	req := map[string]any{"order_id": orderID}
	if full != nil {
		req["options.add_full_gateway_response"] = full
	}
	b, err := json.Marshal(req)
	Expect(err).NotTo(HaveOccurred())
	return b
}

// v4Send seals payload as s says and sends it the way call does.
func (e *env) v4Send(c *jwe.Client, call v4Call, payload []byte, s jwe.SealOptions) *Response {
	GinkgoHelper()
	req := Request{Method: call.method, Path: v4Path, NoAuth: call.noAuth}
	if call.method == "GET" {
		token, err := c.SealCompact(payload, s)
		Expect(err).NotTo(HaveOccurred(), "sealing the V4 request")
		req.Query = url.Values{"JWT": {token}}
		resp := e.call(req)
		resp.Request = "GET " + v4Path + "?JWT=…" // the token is noise in findings
		return resp
	}
	s.Shape = call.shape
	var err error
	req.JSON, err = c.Seal(payload, s)
	Expect(err).NotTo(HaveOccurred(), "sealing the V4 request")
	return e.call(req)
}

// v4Decrypted is the decrypted order as a Response, so SatisfyContract can judge it.
func (e *env) v4Decrypted(resp *Response, opened jwe.Opened) *Response {
	name, _, _ := strings.Cut(resp.Request, "?")
	return &Response{Request: name + " (decrypted)", Status: resp.Status, Header: resp.Header, Body: opened.Payload, check: e.check}
}

// v4SatisfyEnvelope succeeds when a *Response's body is the wire shape's schema
// (order-status.yaml JWEFlattened or JWTEnvelope) with no error finding; findings are
// recorded as SatisfyContract records them.
func v4SatisfyEnvelope(shape jwe.Shape) types.GomegaMatcher {
	schema := "JWTEnvelope"
	if shape == jwe.ShapeA {
		schema = "JWEFlattened"
	}
	return &v4EnvelopeMatcher{contractMatcher: contractMatcher{kind: contracts.Kind(schema)}, schema: schema}
}

type v4EnvelopeMatcher struct {
	contractMatcher
	schema string
}

func (m *v4EnvelopeMatcher) Match(actual any) (bool, error) {
	r, ok := actual.(*Response)
	if !ok || r == nil || r.check == nil {
		return false, fmt.Errorf("v4SatisfyEnvelope expects a *suites.Response from the suites' client, got %T", actual)
	}
	m.request = r.Request
	c := r.check
	cov := contracts.NewCoverage()
	res, err := c.set.ValidateComponent("order-status.yaml", m.schema, r.Body, contracts.Options{Profile: c.profile, Coverage: cov})
	if err != nil {
		return false, err
	}
	c.rec.mergeCoverage(cov)
	spec := CurrentSpecReport().FullText()
	m.findings = m.findings[:0]
	for _, f := range res.Findings {
		m.findings = append(m.findings, Finding{
			Spec: spec, Pointer: f.Pointer, Rule: f.Rule, Severity: f.Severity, Message: f.Message,
			Request: r.Request, Expected: f.Expected, Actual: f.Actual,
		})
	}
	c.rec.add(m.findings...)
	for _, f := range m.findings {
		if f.Severity == contracts.SeverityError {
			return false, nil
		}
	}
	return true, nil
}
