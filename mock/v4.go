package mock

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// The V4 encrypted order status (facts § 2). A request is a JWS (RS256, merchant key) inside a
// JWE (RSA-OAEP or RSA-OAEP-256 by its alg header, A256GCM, server key); the 200 response is the
// order signed RS256 with the server key inside a JWE to the merchant key, always RSA-OAEP-256
// because the Node SDK and the docs' decrypt.js hard-code SHA-256 OAEP for responses (§ 2.2).
//
// Two wire shapes exist (§ 2.4) and the response repeats the request's:
//   - Shape A, the Node SDK's: {"header","encryptedKey","iv","encryptedPayload","tag"}, the
//     JWS inside being JSON {"header","payload","signature"} stringified.
//   - Shape B, the docs' samples: {"JWT":"h.ek.iv.ct.tag"} (or the JWT query parameter of a
//     GET), the JWS inside being compact h.p.s.
//
// The response's inner JWS takes the form the request's had, not one fixed per shape: the
// Node SDK can only verify the JSON form (its compact parsing reads signedParts[3], § 2.5),
// and the docs' decrypt.js only the compact form (it splits on "."), so echoing the client's
// own form is what every known client can read. The SDK never sends Shape B and cannot read a
// {"JWT":…} object, so nothing it does depends on Shape B.

// v4Shape is the wire shape of a V4 request, which its response repeats.
type v4Shape int

const (
	v4ShapeA v4Shape = iota // {"header","encryptedKey","iv","encryptedPayload","tag"}
	v4ShapeB                // {"JWT":"<compact JWE>"}
)

// v4JWEPieces is Shape A on the wire: the five base64url parts of a compact JWE, named. The
// AAD is the header text itself, as in the compact form.
type v4JWEPieces struct {
	Header           string `json:"header"`
	EncryptedKey     string `json:"encryptedKey"`
	IV               string `json:"iv"`
	EncryptedPayload string `json:"encryptedPayload"`
	Tag              string `json:"tag"`
}

// v4JWSPieces is the JSON form of a JWS the Node SDK uses: the three base64url parts of a
// compact JWS, named (not RFC 7515's JSON serialization, which says "protected").
type v4JWSPieces struct {
	Header    string `json:"header"`
	Payload   string `json:"payload"`
	Signature string `json:"signature"`
}

// v4Envelope is Shape B on the wire.
type v4Envelope struct {
	JWT string `json:"JWT"`
}

// v4OptionFullGatewayResponse is the one documented request option besides order_id.
const v4OptionFullGatewayResponse = "options.add_full_gateway_response"

// maxV4OrderIDLen is the order-status spec's maxLength for a V4 request's order_id.
const maxV4OrderIDLen = 255

// errV4Malformed marks a request that is not a well-formed V4 token; errV4Signature one whose
// signature does not verify with the merchant key.
var (
	errV4Malformed = errors.New("malformed V4 request")
	errV4Signature = errors.New("V4 request signature does not verify")
)

// v4Request is a V4 request opened: its verified payload, and what the answer repeats.
type v4Request struct {
	payload []byte
	shape   v4Shape
	jsonJWS bool
	pairs   *keyPairs
}

// v4ReadRequest reads, decrypts and verifies a V4 request; on failure it writes the documented
// error (401 for a foreign signature, 400 "not enough input" for anything else) and reports false.
func (s *Server) v4ReadRequest(w http.ResponseWriter, r *http.Request) (v4Request, bool) {
	pairs, err := s.cfg.Keys.keyPairs()
	if err != nil {
		internalError(w)
		return v4Request{}, false
	}
	token, shape, ok := v4ReadToken(r)
	if !ok {
		badRequest(w, "not enough input")
		return v4Request{}, false
	}
	payload, jsonJWS, err := v4Open(token, pairs)
	switch {
	case errors.Is(err, errV4Signature):
		writeRaw(w, http.StatusUnauthorized, accessDenied)
		return v4Request{}, false
	case err != nil:
		badRequest(w, "not enough input")
		return v4Request{}, false
	}
	return v4Request{payload: payload, shape: shape, jsonJWS: jsonJWS, pairs: pairs}, true
}

func (s *Server) handleV4OrderStatus(w http.ResponseWriter, r *http.Request) {
	req, ok := s.v4ReadRequest(w, r)
	if !ok {
		return
	}
	id, full, ok := v4OrderID(w, req.payload)
	if !ok {
		return
	}
	// The order is what GET /orders/{id} serves with the same add_full_gateway_response: the
	// two must agree.
	body, found := s.OrderJSON(id)
	if !found {
		orderNotFound(w, id)
		return
	}
	if full {
		var err error
		if body, err = withFullGatewayResponse(body); err != nil {
			internalError(w)
			return
		}
	}
	out, err := v4Seal(body, s.cfg.Keys.KeyID(), req.pairs, req.shape, req.jsonJWS)
	if err != nil {
		internalError(w)
		return
	}
	writeRaw(w, http.StatusOK, out)
}

// v4ReadToken returns the compact JWE a request carries and the shape it came in: the JWT
// query parameter of a GET, else the body in Shape A or Shape B (a POST with an empty body may
// use the query parameter too). The body is already bounded by ServeHTTP.
func v4ReadToken(r *http.Request) (string, v4Shape, bool) {
	var body []byte
	if r.Method != http.MethodGet {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return "", 0, false
		}
		body = bytes.TrimSpace(b)
	}
	if len(body) == 0 {
		tok := r.URL.Query().Get("JWT")
		return tok, v4ShapeB, tok != ""
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return "", 0, false
	}
	if _, ok := fields["JWT"]; ok {
		var env v4Envelope
		if err := json.Unmarshal(body, &env); err != nil || env.JWT == "" {
			return "", 0, false
		}
		return env.JWT, v4ShapeB, true
	}
	var a v4JWEPieces
	if err := json.Unmarshal(body, &a); err != nil {
		return "", 0, false
	}
	tok, ok := joinPieces(a.Header, a.EncryptedKey, a.IV, a.EncryptedPayload, a.Tag)
	return tok, v4ShapeA, ok
}

// v4Open decrypts a compact JWE with the server key and verifies the JWS inside with the
// merchant key, returning the JWS payload and whether the JWS came in the JSON form.
func v4Open(token string, pairs *keyPairs) (payload []byte, jsonJWS bool, err error) {
	jwe, err := jose.ParseEncryptedCompact(token,
		[]jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256},
		[]jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		return nil, false, errV4Malformed
	}
	plain, err := jwe.Decrypt(pairs.server)
	if err != nil {
		return nil, false, errV4Malformed
	}
	plain = bytes.TrimSpace(plain)
	compact := string(plain)
	if bytes.HasPrefix(plain, []byte("{")) {
		var p v4JWSPieces
		if err := json.Unmarshal(plain, &p); err != nil {
			return nil, false, errV4Malformed
		}
		var ok bool
		if compact, ok = joinPieces(p.Header, p.Payload, p.Signature); !ok {
			return nil, false, errV4Malformed
		}
		jsonJWS = true
	}
	jws, err := jose.ParseSignedCompact(compact, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, false, errV4Malformed
	}
	payload, err = jws.Verify(&pairs.merchant.PublicKey)
	if err != nil {
		return nil, false, errV4Signature
	}
	return payload, jsonJWS, nil
}

// v4OrderID reads the decrypted request: a JSON object with order_id (a string; a number is
// taken as its digits) and optionally options.add_full_gateway_response (a boolean, or "true"
// or "false" as the docs' sample sends it), returned as full. On a bad request it writes the
// documented 400.
func v4OrderID(w http.ResponseWriter, payload []byte) (id string, full bool, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var req map[string]any
	if err := dec.Decode(&req); err != nil || req == nil || dec.More() {
		badRequest(w, "not enough input")
		return "", false, false
	}
	switch v := req[v4OptionFullGatewayResponse].(type) {
	case nil:
	case bool:
		full = v
	case string:
		if v != "true" && v != "false" {
			invalidInput(w, v4OptionFullGatewayResponse)
			return "", false, false
		}
		full = v == "true"
	default:
		invalidInput(w, v4OptionFullGatewayResponse)
		return "", false, false
	}
	switch v := req["order_id"].(type) {
	case string:
		id = v
	case json.Number:
		id = v.String()
	case nil:
	default:
		invalidInput(w, "order_id")
		return "", false, false
	}
	switch {
	case id == "":
		badRequest(w, "order_id is missing")
		return "", false, false
	case len(id) > maxV4OrderIDLen:
		invalidInput(w, "order_id")
		return "", false, false
	}
	return id, full, true
}

// v4Seal signs the order with the server key (header {"alg":"RS256","kid"}) and encrypts it
// RSA-OAEP-256 + A256GCM to the merchant key (header {alg, cty:"JWT", enc, kid}), in the shape
// and inner JWS form the request used.
func v4Seal(order []byte, kid string, pairs *keyPairs, shape v4Shape, jsonJWS bool) ([]byte, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: pairs.server},
		(&jose.SignerOptions{}).WithHeader("kid", kid))
	if err != nil {
		return nil, err
	}
	jws, err := signer.Sign(order)
	if err != nil {
		return nil, err
	}
	inner, err := jws.CompactSerialize()
	if err != nil {
		return nil, err
	}
	if jsonJWS {
		parts := strings.Split(inner, ".")
		b, err := json.Marshal(v4JWSPieces{Header: parts[0], Payload: parts[1], Signature: parts[2]})
		if err != nil {
			return nil, err
		}
		inner = string(b)
	}
	enc, err := jose.NewEncrypter(jose.A256GCM,
		jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: &pairs.merchant.PublicKey, KeyID: kid},
		(&jose.EncrypterOptions{}).WithContentType("JWT"))
	if err != nil {
		return nil, err
	}
	jwe, err := enc.Encrypt([]byte(inner))
	if err != nil {
		return nil, err
	}
	compact, err := jwe.CompactSerialize()
	if err != nil {
		return nil, err
	}
	if shape == v4ShapeB {
		return json.Marshal(v4Envelope{JWT: compact})
	}
	p := strings.Split(compact, ".")
	return json.Marshal(v4JWEPieces{Header: p[0], EncryptedKey: p[1], IV: p[2], EncryptedPayload: p[3], Tag: p[4]})
}

// v4Call serves an encrypted V4 call other than order status: the Node SDK with jweAuth sends
// payments.create to POST /v4/txns and order.refund to POST /v4/orders/{order_id}/refunds
// (facts § 5.1: the plain path under /v4), the PHP SDK /v4/orders/{id}/refunds too, and
// POST /v4/orders is served the same way. The body (Shape A or B) decrypts and verifies, as for
// /v4/order-status, to the JSON object the plain API takes; the plain handler answers it, and a
// 2xx answer goes back signed and encrypted in the request's shape and inner JWS form. Any other
// answer goes back as it is: the SDK decrypts only a 2xx body (facts § 2.5), as errors are
// documented unencrypted.
func (s *Server) v4Call(h http.HandlerFunc) http.Handler {
	return s.merchant(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := s.v4ReadRequest(w, r)
		if !ok {
			return
		}
		payload := req.payload
		var obj map[string]json.RawMessage
		if json.Unmarshal(payload, &obj) != nil || obj == nil {
			badRequest(w, "not enough input")
			return
		}
		inner := r.Clone(r.Context())
		inner.Body = io.NopCloser(bytes.NewReader(payload))
		inner.ContentLength = int64(len(payload))
		inner.Header.Set("Content-Type", "application/json")
		inner.URL.RawQuery = "" // a GET's JWT parameter is not a field of the call
		rec := &v4Answer{header: http.Header{}, code: http.StatusOK}
		h(rec, inner)
		if rec.code < 200 || rec.code > 299 {
			writeRaw(w, rec.code, rec.body.Bytes())
			return
		}
		out, err := v4Seal(rec.body.Bytes(), s.cfg.Keys.KeyID(), req.pairs, req.shape, req.jsonJWS)
		if err != nil {
			internalError(w)
			return
		}
		writeRaw(w, http.StatusOK, out)
	}))
}

// v4Answer keeps a plain handler's answer for v4Call to seal.
type v4Answer struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (a *v4Answer) Header() http.Header         { return a.header }
func (a *v4Answer) WriteHeader(code int)        { a.code = code }
func (a *v4Answer) Write(b []byte) (int, error) { return a.body.Write(b) }

// joinPieces joins named base64url parts into a compact token. Every part must be present and
// free of dots, so the join cannot be read back as different parts.
func joinPieces(parts ...string) (string, bool) {
	for _, p := range parts {
		if p == "" || strings.Contains(p, ".") {
			return "", false
		}
	}
	return strings.Join(parts, "."), true
}
