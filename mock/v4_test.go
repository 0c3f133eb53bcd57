package mock

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jpcheck/jpcheck/contracts"
)

// v4TestClient is a V4 client as a merchant configures one: the key id, the merchant private
// key (signs requests, decrypts responses) and the server's public key (encrypts requests,
// verifies responses), read from PEM the way the SDKs read them.
type v4TestClient struct {
	kid      string
	merchant *rsa.PrivateKey
	server   *rsa.PublicKey
}

func v4TestNewClient(t testing.TB, k *Keys) *v4TestClient {
	t.Helper()
	priv, err := k.MerchantPrivateKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := k.ServerPublicKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	return v4TestClientFromPEM(t, k.KeyID(), priv, pub)
}

func v4TestClientFromPEM(t testing.TB, kid string, merchantPrivate, serverPublic []byte) *v4TestClient {
	t.Helper()
	b, _ := pem.Decode(merchantPrivate)
	if b == nil {
		t.Fatal("merchant private key: no PEM block")
	}
	priv, err := x509.ParsePKCS1PrivateKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = pem.Decode(serverPublic)
	if b == nil {
		t.Fatal("server public key: no PEM block")
	}
	pub, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub, ok := pub.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("server public key is a %T", pub)
	}
	return &v4TestClient{kid: strings.TrimSpace(kid), merchant: priv, server: rsaPub}
}

// v4TestSign signs payload and returns the JWS in compact form, or in the Node SDK's JSON form
// {"header","payload","signature"}.
func v4TestSign(t testing.TB, payload []byte, key jose.SigningKey, kid string, jsonForm bool) []byte {
	t.Helper()
	signer, err := jose.NewSigner(key, (&jose.SignerOptions{}).WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	compact, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	if !jsonForm {
		return []byte(compact)
	}
	return v4TestJWSJSON(t, compact)
}

func v4TestJWSJSON(t testing.TB, compact string) []byte {
	t.Helper()
	p := strings.Split(compact, ".")
	if len(p) != 3 {
		t.Fatalf("compact JWS has %d parts", len(p))
	}
	b, err := json.Marshal(map[string]string{"header": p[0], "payload": p[1], "signature": p[2]})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// v4TestEncrypt encrypts plaintext to rcpt and returns the compact JWE, with the headers the
// SDKs send (cty JWT, kid).
func v4TestEncrypt(t testing.TB, plaintext []byte, rcpt jose.Recipient, enc jose.ContentEncryption) string {
	t.Helper()
	e, err := jose.NewEncrypter(enc, rcpt, (&jose.EncrypterOptions{}).WithContentType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	jwe, err := e.Encrypt(plaintext)
	if err != nil {
		t.Fatal(err)
	}
	compact, err := jwe.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return compact
}

// seal makes a request token the way the SDKs do: sign with the merchant key, then encrypt to
// the server key with keyAlg.
func (c *v4TestClient) seal(t testing.TB, payload []byte, keyAlg jose.KeyAlgorithm, jsonJWS bool) string {
	t.Helper()
	jws := v4TestSign(t, payload, jose.SigningKey{Algorithm: jose.RS256, Key: c.merchant}, c.kid, jsonJWS)
	return v4TestEncrypt(t, jws, jose.Recipient{Algorithm: keyAlg, Key: c.server, KeyID: c.kid}, jose.A256GCM)
}

func v4TestShapeA(t testing.TB, compact string) []byte {
	t.Helper()
	p := strings.Split(compact, ".")
	if len(p) != 5 {
		t.Fatalf("compact JWE has %d parts", len(p))
	}
	b, err := json.Marshal(map[string]string{"header": p[0], "encryptedKey": p[1], "iv": p[2], "encryptedPayload": p[3], "tag": p[4]})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func v4TestShapeB(t testing.TB, compact string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]string{"JWT": compact})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// open checks a 200 response as a client reads it: the envelope is the request's shape and
// validates strict; the JWE is RSA-OAEP-256 + A256GCM with kid and cty JWT; the JWS inside is
// RS256 with kid, in the expected form, and verifies with the server key. It returns the order.
func (c *v4TestClient) open(t testing.TB, s *Server, body []byte, shape v4Shape, jsonJWS bool) []byte {
	t.Helper()
	component := map[v4Shape]string{v4ShapeA: "JWEFlattened", v4ShapeB: "JWTEnvelope"}[shape]
	requireStrictComponent(t, s, "order-status.yaml", component, body)
	var fields map[string]string
	if err := json.Unmarshal(body, &fields); err != nil {
		t.Fatalf("response envelope: %v: %s", err, body)
	}
	var compact string
	if shape == v4ShapeB {
		if len(fields) != 1 || fields["JWT"] == "" {
			t.Fatalf("want a Shape B envelope, got %s", body)
		}
		compact = fields["JWT"]
	} else {
		if len(fields) != 5 {
			t.Fatalf("want a Shape A envelope, got %s", body)
		}
		compact = strings.Join([]string{fields["header"], fields["encryptedKey"], fields["iv"], fields["encryptedPayload"], fields["tag"]}, ".")
	}
	jwe, err := jose.ParseEncryptedCompact(compact, []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		t.Fatalf("response JWE: %v", err)
	}
	if jwe.Header.KeyID != c.kid || jwe.Header.ExtraHeaders["cty"] != "JWT" {
		t.Errorf("response JWE header: kid %q cty %v, want kid %q cty JWT", jwe.Header.KeyID, jwe.Header.ExtraHeaders["cty"], c.kid)
	}
	plain, err := jwe.Decrypt(c.merchant)
	if err != nil {
		t.Fatalf("decrypt response: %v", err)
	}
	if got := bytes.HasPrefix(plain, []byte("{")); got != jsonJWS {
		t.Errorf("response JWS in JSON form: %v, want %v: %.80s", got, jsonJWS, plain)
	}
	jwsCompact := string(plain)
	if jsonJWS {
		var p map[string]string
		if err := json.Unmarshal(plain, &p); err != nil || len(p) != 3 {
			t.Fatalf("response JWS JSON form: %v: %.80s", err, plain)
		}
		jwsCompact = p["header"] + "." + p["payload"] + "." + p["signature"]
	}
	jws, err := jose.ParseSignedCompact(jwsCompact, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("response JWS: %v", err)
	}
	if kid := jws.Signatures[0].Header.KeyID; kid != c.kid {
		t.Errorf("response JWS kid %q, want %q", kid, c.kid)
	}
	order, err := jws.Verify(c.server)
	if err != nil {
		t.Fatalf("verify response: %v", err)
	}
	return order
}

// v4TestDo sends one request to /v4/order-status as the Node SDK does: JSON, version
// 2019-05-07, x-merchantid and no Authorization; hdr overrides headers, "" deleting one.
func v4TestDo(t testing.TB, srv *httptest.Server, method string, query url.Values, body []byte, hdr map[string]string) (int, []byte) {
	t.Helper()
	path := "/v4/order-status"
	if query != nil {
		path += "?" + query.Encode()
	}
	h := map[string]string{"Authorization": "", "Content-Type": "application/json", "version": "2019-05-07"}
	maps.Copy(h, hdr)
	r := testRequest(t, srv, method, path, body, h)
	return r.code, r.body
}

// v4TestSend sends a token in shape: Shape A or B as a POST body, or Shape B's token as the JWT
// query parameter of a GET.
func v4TestSend(t testing.TB, srv *httptest.Server, method string, shape v4Shape, token string, hdr map[string]string) (int, []byte) {
	t.Helper()
	if method == http.MethodGet {
		return v4TestDo(t, srv, method, url.Values{"JWT": {token}}, nil, hdr)
	}
	if shape == v4ShapeA {
		return v4TestDo(t, srv, method, nil, v4TestShapeA(t, token), hdr)
	}
	return v4TestDo(t, srv, method, nil, v4TestShapeB(t, token), hdr)
}

// v4TestGetOrder is GET /orders/{id} with the default key: what the V4 payload must equal.
func v4TestGetOrder(t testing.TB, srv *httptest.Server, id string) []byte {
	t.Helper()
	r := testRequest(t, srv, http.MethodGet, "/orders/"+url.PathEscape(id), nil, nil)
	if r.code != http.StatusOK {
		t.Fatalf("GET /orders/%s: %d %s", id, r.code, r.body)
	}
	return r.body
}

func v4TestRequest(t testing.TB, id string, option any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"order_id": id, v4OptionFullGatewayResponse: option})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every shape × key wrap × method × inner JWS form round-trips: the decrypted, verified payload
// is exactly GET /orders/{id}, strict as order-status, in the request's shape and JWS form.
func TestV4OrderStatusRoundTrip(t *testing.T) {
	s, srv := testServer(t, Config{})
	c := v4TestNewClient(t, s.cfg.Keys)
	seeded := s.SeededOrders()
	if len(seeded) == 0 {
		t.Fatal("no seeded orders")
	}
	slices.Sort(seeded)
	id := seeded[0]
	// Every request below asks for the full gateway response, so GET must be asked the same.
	want := testRequest(t, srv, http.MethodGet, "/orders/"+url.PathEscape(id)+"?"+v4OptionFullGatewayResponse+"=true", nil, nil).body
	for _, shape := range []v4Shape{v4ShapeA, v4ShapeB} {
		for _, alg := range []jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256} {
			for _, method := range []string{http.MethodPost, http.MethodGet} {
				if method == http.MethodGet && shape == v4ShapeA {
					continue // a GET carries the compact JWE in the JWT query parameter: Shape B only
				}
				for _, jsonJWS := range []bool{true, false} {
					name := fmt.Sprintf("%s/shape%c/%s/jsonJWS=%v", method, 'A'+rune(shape), alg, jsonJWS)
					t.Run(name, func(t *testing.T) {
						var option any = true
						if !jsonJWS {
							option = "true" // the docs' encryptGet.js sends the option as a string
						}
						tok := c.seal(t, v4TestRequest(t, id, option), alg, jsonJWS)
						code, body := v4TestSend(t, srv, method, shape, tok, nil)
						if code != http.StatusOK {
							t.Fatalf("status %d: %s", code, body)
						}
						got := c.open(t, s, body, shape, jsonJWS)
						if !bytes.Equal(got, want) {
							t.Errorf("V4 payload differs from GET /orders/%s:\n got %.200s\nwant %.200s", id, got, want)
						}
						requireStrict(t, s, contracts.KindOrderStatus, got)
					})
				}
			}
		}
	}
}

// Every seeded order and one created through POST /orders are served by V4 as by GET
// /orders/{id}, strict; the Basic auth some clients send is accepted, not required.
func TestV4OrderStatusEveryOrder(t *testing.T) {
	s, srv := testServer(t, Config{})
	c := v4TestNewClient(t, s.cfg.Keys)
	if r := testRequest(t, srv, http.MethodPost, "/orders", url.Values{"order_id": {"v4test1"}, "amount": {"100.00"}}, nil); r.code != http.StatusOK {
		t.Fatalf("POST /orders: %d", r.code)
	}
	ids := append(s.SeededOrders(), "v4test1")
	slices.Sort(ids)
	for i, id := range ids {
		hdr := map[string]string{}
		if i%2 == 0 {
			hdr["Authorization"] = testAuth
		}
		tok := c.seal(t, v4TestRequest(t, id, false), jose.RSA_OAEP, true)
		code, body := v4TestSend(t, srv, http.MethodPost, v4ShapeA, tok, hdr)
		if code != http.StatusOK {
			t.Errorf("%s: status %d: %s", id, code, body)
			continue
		}
		got := c.open(t, s, body, v4ShapeA, true)
		if want := v4TestGetOrder(t, srv, id); !bytes.Equal(got, want) {
			t.Errorf("%s: V4 payload differs from GET /orders/%s", id, id)
		}
		requireStrict(t, s, contracts.KindOrderStatus, got)
	}
}

// Bad requests get documented error bodies (strict as kind error), never a panic: a wrong
// signing key is 401 access_denied; anything malformed, undecryptable or with an algorithm
// outside RSA-OAEP(-256)/A256GCM/RS256 is 400; an unknown order is 400 NOT_FOUND.
func TestV4OrderStatusErrors(t *testing.T) {
	s, srv := testServer(t, Config{})
	c := v4TestNewClient(t, s.cfg.Keys)
	id := s.SeededOrders()[0]
	payload := v4TestRequest(t, id, true)
	good := c.seal(t, payload, jose.RSA_OAEP, true)
	other, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		t.Fatal(err)
	}
	rcpt := jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: c.server, KeyID: c.kid}
	b64 := base64.RawURLEncoding.EncodeToString
	parts := strings.Split(good, ".")
	cases := []struct {
		name   string
		method string
		query  url.Values
		body   []byte
		hdr    map[string]string
		code   int
		want   string // a substring of the error body
	}{
		{name: "wrong signing key", body: v4TestShapeA(t, v4TestEncrypt(t,
			v4TestSign(t, payload, jose.SigningKey{Algorithm: jose.RS256, Key: other}, c.kid, true), rcpt, jose.A256GCM)),
			code: 401, want: `"error_code":"access_denied"`},
		{name: "wrong signing key, Shape B compact", body: v4TestShapeB(t, v4TestEncrypt(t,
			v4TestSign(t, payload, jose.SigningKey{Algorithm: jose.RS256, Key: other}, c.kid, false), rcpt, jose.A256GCM)),
			code: 401, want: `"error_code":"access_denied"`},
		{name: "garbage body", body: []byte("not json at all"), code: 400, want: "not enough input"},
		{name: "empty object", body: []byte(`{}`), code: 400, want: "not enough input"},
		{name: "JSON array", body: []byte(`[1,2]`), code: 400, want: "not enough input"},
		{name: "empty body", body: []byte{}, code: 400, want: "not enough input"},
		{name: "empty JWT", body: []byte(`{"JWT":""}`), code: 400, want: "not enough input"},
		{name: "JWT not a string", body: []byte(`{"JWT":12}`), code: 400, want: "not enough input"},
		{name: "GET without JWT", method: http.MethodGet, code: 400, want: "not enough input"},
		{name: "GET garbage JWT", method: http.MethodGet, query: url.Values{"JWT": {"a.b.c.d.e"}}, code: 400, want: "not enough input"},
		{name: "Shape A missing tag", body: []byte(fmt.Sprintf(`{"header":%q,"encryptedKey":%q,"iv":%q,"encryptedPayload":%q}`, parts[0], parts[1], parts[2], parts[3])), code: 400, want: "not enough input"},
		{name: "Shape A dotted piece", body: []byte(fmt.Sprintf(`{"header":%q,"encryptedKey":%q,"iv":%q,"encryptedPayload":%q,"tag":%q}`, parts[0]+"."+parts[1], parts[1], parts[2], parts[3], parts[4])), code: 400, want: "not enough input"},
		{name: "truncated compact", body: v4TestShapeB(t, good[:len(good)/2]), code: 400, want: "not enough input"},
		{name: "four-part compact", body: v4TestShapeB(t, strings.Join(parts[:4], ".")), code: 400, want: "not enough input"},
		{name: "tampered ciphertext", body: v4TestShapeB(t, strings.Join([]string{parts[0], parts[1], parts[2], v4TestFlipFirst(parts[3]), parts[4]}, ".")), code: 400, want: "not enough input"},
		{name: "JWE alg A128KW", body: v4TestShapeB(t, v4TestEncrypt(t, v4TestSign(t, payload, jose.SigningKey{Algorithm: jose.RS256, Key: c.merchant}, c.kid, false),
			jose.Recipient{Algorithm: jose.A128KW, Key: make([]byte, 16)}, jose.A256GCM)), code: 400, want: "not enough input"},
		{name: "JWE alg RSA1_5", body: v4TestShapeB(t, v4TestEncrypt(t, v4TestSign(t, payload, jose.SigningKey{Algorithm: jose.RS256, Key: c.merchant}, c.kid, false),
			jose.Recipient{Algorithm: jose.RSA1_5, Key: c.server}, jose.A256GCM)), code: 400, want: "not enough input"},
		{name: "JWE enc A128GCM", body: v4TestShapeB(t, v4TestEncrypt(t, v4TestSign(t, payload, jose.SigningKey{Algorithm: jose.RS256, Key: c.merchant}, c.kid, false),
			rcpt, jose.A128GCM)), code: 400, want: "not enough input"},
		{name: "JWE to another server key", body: v4TestShapeA(t, v4TestEncrypt(t, v4TestSign(t, payload, jose.SigningKey{Algorithm: jose.RS256, Key: c.merchant}, c.kid, true),
			jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: &other.PublicKey}, jose.A256GCM)), code: 400, want: "not enough input"},
		{name: "JWS alg none", body: v4TestShapeB(t, v4TestEncrypt(t, []byte(b64([]byte(`{"alg":"none"}`))+"."+b64(payload)+"."), rcpt, jose.A256GCM)), code: 400, want: "not enough input"},
		{name: "JWS alg HS256", body: v4TestShapeB(t, v4TestEncrypt(t, v4TestSign(t, payload, jose.SigningKey{Algorithm: jose.HS256, Key: make([]byte, 32)}, c.kid, false), rcpt, jose.A256GCM)), code: 400, want: "not enough input"},
		{name: "JWS JSON form missing signature", body: v4TestShapeA(t, v4TestEncrypt(t, []byte(fmt.Sprintf(`{"header":%q,"payload":%q}`, b64([]byte(`{"alg":"RS256"}`)), b64(payload))), rcpt, jose.A256GCM)), code: 400, want: "not enough input"},
		{name: "plaintext not a JWS", body: v4TestShapeB(t, v4TestEncrypt(t, payload, rcpt, jose.A256GCM)), code: 400, want: "not enough input"},
		{name: "payload not an object", body: v4TestShapeB(t, c.seal(t, []byte(`["o1"]`), jose.RSA_OAEP_256, false)), code: 400, want: "not enough input"},
		{name: "payload missing order_id", body: v4TestShapeB(t, c.seal(t, []byte(`{"options.add_full_gateway_response":true}`), jose.RSA_OAEP_256, false)), code: 400, want: `"error_code":"order_id is missing"`},
		{name: "order_id an object", body: v4TestShapeB(t, c.seal(t, []byte(`{"order_id":{}}`), jose.RSA_OAEP_256, false)), code: 400, want: `"field_name":"order_id"`},
		{name: "order_id too long", body: v4TestShapeB(t, c.seal(t, v4TestRequest(t, strings.Repeat("x", 256), nil), jose.RSA_OAEP_256, false)), code: 400, want: `"field_name":"order_id"`},
		{name: "option a number", body: v4TestShapeB(t, c.seal(t, v4TestRequest(t, id, 7), jose.RSA_OAEP_256, false)), code: 400, want: `"field_name":"options.add_full_gateway_response"`},
		{name: "unknown order", body: v4TestShapeA(t, c.seal(t, v4TestRequest(t, "no_such_order", true), jose.RSA_OAEP, true)), code: 400, want: `"status":"NOT_FOUND"`},
		{name: "missing x-merchantid", body: v4TestShapeA(t, good), hdr: map[string]string{"x-merchantid": ""}, code: 400, want: `"field_name":"x-merchantid"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			code, body := v4TestDo(t, srv, method, tc.query, tc.body, tc.hdr)
			if code != tc.code || !strings.Contains(string(body), tc.want) {
				t.Fatalf("got %d %s, want %d with %s", code, body, tc.code, tc.want)
			}
			requireStrict(t, s, contracts.KindError, body)
		})
	}
	t.Run("unknown order body", func(t *testing.T) {
		_, body := v4TestSend(t, srv, http.MethodPost, v4ShapeB, c.seal(t, v4TestRequest(t, "no_such_order", nil), jose.RSA_OAEP, false), nil)
		var e struct {
			StatusID int    `json:"status_id"`
			OrderID  string `json:"order_id"`
		}
		if err := json.Unmarshal(body, &e); err != nil || e.StatusID != 40 || e.OrderID != "no_such_order" {
			t.Errorf("got %s (%v), want status_id 40 and order_id no_such_order", body, err)
		}
	})
	t.Run("access denied body", func(t *testing.T) {
		_, body := v4TestDo(t, srv, http.MethodPost, nil, cases[0].body, nil)
		if !bytes.Equal(body, accessDenied) {
			t.Errorf("got %s, want the documented access_denied body", body)
		}
	})
	t.Run("configured merchant id", func(t *testing.T) {
		s2, srv2 := testServer(t, Config{MerchantID: "m1", Keys: s.cfg.Keys})
		if code, body := v4TestSend(t, srv2, http.MethodPost, v4ShapeA, good, nil); code != 400 {
			t.Errorf("x-merchantid merchant_test against m1: %d %s", code, body)
		}
		code, body := v4TestSend(t, srv2, http.MethodPost, v4ShapeA, good, map[string]string{"x-merchantid": "m1"})
		if code != 200 {
			t.Fatalf("x-merchantid m1: %d %s", code, body)
		}
		c.open(t, s2, body, v4ShapeA, true)
	})
}

// Cutting a valid request anywhere, or putting a non-base64url byte anywhere in it, is a 400
// with a documented body: never a 5xx, never a panic.
func TestV4OrderStatusMangled(t *testing.T) {
	s, srv := testServer(t, Config{})
	c := v4TestNewClient(t, s.cfg.Keys)
	id := s.SeededOrders()[0]
	bodies := [][]byte{
		v4TestShapeA(t, c.seal(t, v4TestRequest(t, id, true), jose.RSA_OAEP, true)),
		v4TestShapeB(t, c.seal(t, v4TestRequest(t, id, true), jose.RSA_OAEP_256, false)),
	}
	const points = 48
	for _, good := range bodies {
		if code, body := v4TestDo(t, srv, http.MethodPost, nil, good, nil); code != 200 {
			t.Fatalf("unmangled request: %d %s", code, body)
		}
		for i := 0; i < points; i++ {
			at := 1 + i*(len(good)-2)/points
			cut := good[:at]
			flip := append(append(append([]byte{}, good[:at]...), '!'), good[at+1:]...)
			for _, b := range [][]byte{cut, flip} {
				code, body := v4TestDo(t, srv, http.MethodPost, nil, b, nil)
				if code != 400 {
					t.Fatalf("%.60s…: got %d %s, want 400", b, code, body)
				}
				requireStrict(t, s, contracts.KindError, body)
			}
		}
	}
}

// FuzzV4OrderStatus: no body makes /v4/order-status panic or answer other than 200, 400, 401.
func FuzzV4OrderStatus(f *testing.F) {
	s, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	c := v4TestNewClient(f, s.cfg.Keys)
	id := s.SeededOrders()[0]
	f.Add(v4TestShapeA(f, c.seal(f, v4TestRequest(f, id, true), jose.RSA_OAEP, true)))
	f.Add(v4TestShapeB(f, c.seal(f, v4TestRequest(f, id, "true"), jose.RSA_OAEP_256, false)))
	f.Add([]byte(`{"JWT":"a.b.c.d.e"}`))
	f.Add([]byte(`{"header":"","encryptedKey":"","iv":"","encryptedPayload":"","tag":""}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/v4/order-status", bytes.NewReader(body))
		req.Header.Set("x-merchantid", "merchant_test")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 && rec.Code != 400 && rec.Code != 401 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.Bytes())
		}
	})
}

var v4TestKidPattern = regexp.MustCompile(`^key_[0-9a-f]{32}$`)

// NewKeys makes a key_<32 hex> id and two distinct 2048-bit pairs whose PEMs parse.
func TestNewKeys(t *testing.T) {
	k1, err := NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	if !v4TestKidPattern.MatchString(k1.KeyID()) || k1.KeyID() == k2.KeyID() {
		t.Errorf("key ids %q %q: want distinct key_<32 hex>", k1.KeyID(), k2.KeyID())
	}
	if k1.Files() != (KeyFiles{}) {
		t.Errorf("in-memory keys have files %+v", k1.Files())
	}
	c := v4TestNewClient(t, k1)
	if c.merchant.N.BitLen() != KeyBits || c.server.N.BitLen() != KeyBits {
		t.Errorf("key sizes %d %d, want %d", c.merchant.N.BitLen(), c.server.N.BitLen(), KeyBits)
	}
	if c.merchant.PublicKey.Equal(c.server) {
		t.Error("merchant and server pairs are the same key")
	}
	for name, f := range map[string]func() ([]byte, error){"server private": k1.ServerPrivateKeyPEM, "merchant public": k1.MerchantPublicKeyPEM} {
		b, err := f()
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := pem.Decode(b); p == nil {
			t.Errorf("%s: no PEM block", name)
		}
	}
}

// LoadOrCreateKeys creates the five files (private keys 0600), reads the same keys back, and
// a client configured from the files talks to a server using them.
func TestLoadOrCreateKeys(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "jwe")
	k1, err := LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := k1.Files()
	if files.Dir != dir || files.MerchantPrivate != filepath.Join(dir, MerchantPrivateKeyFile) {
		t.Errorf("files %+v", files)
	}
	for path, perm := range map[string]os.FileMode{files.ServerPrivate: 0o600, files.MerchantPrivate: 0o600, files.ServerPublic: 0o644, files.MerchantPublic: 0o644, files.KeyID: 0o644} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != perm {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), perm)
		}
	}
	if !v4TestKidPattern.MatchString(k1.KeyID()) {
		t.Errorf("key id %q", k1.KeyID())
	}
	k2, err := LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if k2.KeyID() != k1.KeyID() {
		t.Errorf("reloaded key id %q, want %q", k2.KeyID(), k1.KeyID())
	}
	for _, pair := range [][2]func() ([]byte, error){
		{k1.ServerPrivateKeyPEM, k2.ServerPrivateKeyPEM}, {k1.ServerPublicKeyPEM, k2.ServerPublicKeyPEM},
		{k1.MerchantPrivateKeyPEM, k2.MerchantPrivateKeyPEM}, {k1.MerchantPublicKeyPEM, k2.MerchantPublicKeyPEM},
	} {
		a, err := pair[0]()
		if err != nil {
			t.Fatal(err)
		}
		b, err := pair[1]()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Error("reloaded key differs")
		}
	}
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	c := v4TestClientFromPEM(t, string(read(files.KeyID)), read(files.MerchantPrivate), read(files.ServerPublic))
	s, srv := testServer(t, Config{Keys: k2})
	id := s.SeededOrders()[0]
	code, body := v4TestSend(t, srv, http.MethodPost, v4ShapeA, c.seal(t, v4TestRequest(t, id, true), jose.RSA_OAEP, true), nil)
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	c.open(t, s, body, v4ShapeA, true)
}

// LoadOrCreateKeys refuses, with a one-line error naming the file, a corrupt or mismatched key
// directory, and never overwrites one that is incomplete; it takes PKCS #8 private keys.
func TestLoadOrCreateKeysErrors(t *testing.T) {
	src := filepath.Join(t.TempDir(), "src")
	k, err := LoadOrCreateKeys(src)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(k.pairs.merchant)
	if err != nil {
		t.Fatal(err)
	}
	serverPub, err := os.ReadFile(k.Files().ServerPublic)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := os.ReadFile(k.Files().MerchantPrivate)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		mutate func(dir string) error
		want   string // a substring of the error; "" for success
	}{
		{"corrupt PEM", func(d string) error {
			return os.WriteFile(filepath.Join(d, MerchantPrivateKeyFile), []byte("not a key"), 0o600)
		}, MerchantPrivateKeyFile + ": no PEM block"},
		{"malformed key bytes", func(d string) error {
			return os.WriteFile(filepath.Join(d, ServerPrivateKeyFile), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte("junk")}), 0o600)
		}, ServerPrivateKeyFile + ": malformed RSA private key"},
		{"truncated PEM", func(d string) error {
			return os.WriteFile(filepath.Join(d, MerchantPrivateKeyFile), priv[:len(priv)/2], 0o600)
		}, MerchantPrivateKeyFile + ": no PEM block"},
		{"wrong PEM type", func(d string) error {
			return os.WriteFile(filepath.Join(d, MerchantPrivateKeyFile), serverPub, 0o600)
		}, `PEM block "PUBLIC KEY", want an RSA private key`},
		{"small key", func(d string) error {
			return os.WriteFile(filepath.Join(d, ServerPrivateKeyFile), privatePEM(small), 0o600)
		}, "1024-bit RSA key, want at least 2048"},
		{"mismatched public key", func(d string) error {
			return os.WriteFile(filepath.Join(d, MerchantPublicKeyFile), serverPub, 0o644)
		}, MerchantPublicKeyFile + ": does not match its private key"},
		{"bad key id", func(d string) error {
			return os.WriteFile(filepath.Join(d, KeyIDFile), []byte("key id with spaces\n"), 0o644)
		}, KeyIDFile + ": want the key id"},
		{"empty key id", func(d string) error {
			return os.WriteFile(filepath.Join(d, KeyIDFile), nil, 0o644)
		}, KeyIDFile + ": want the key id"},
		{"incomplete", func(d string) error {
			return os.Remove(filepath.Join(d, KeyIDFile))
		}, "incomplete key directory"},
		{"PKCS #8 private key", func(d string) error {
			return os.WriteFile(filepath.Join(d, MerchantPrivateKeyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600)
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, p := range k.Files().list() {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := tc.mutate(dir); err != nil {
				t.Fatal(err)
			}
			before, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			got, err := LoadOrCreateKeys(dir)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got.KeyID() != k.KeyID() || !got.pairs.merchant.Equal(k.pairs.merchant) {
					t.Error("PKCS #8 key loaded as a different key")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got error %v, want one line with %q", err, tc.want)
			}
			after, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before) {
				t.Errorf("the directory changed: %d files, then %d", len(before), len(after))
			}
		})
	}
}

// v4TestFlipFirst changes the first character of a base64url segment to a different one, so the
// tampering is never a no-op (a fixed replacement equals the original one time in 64).
func v4TestFlipFirst(seg string) string {
	if seg[0] == 'A' {
		return "B" + seg[1:]
	}
	return "A" + seg[1:]
}
