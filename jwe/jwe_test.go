package jwe

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"
)

func testKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testPair returns a merchant's client and the server's side of the same keys: a Client with
// the roles swapped seals responses exactly as Juspay does (sign with its key, encrypt to the
// merchant's).
func testPair(t *testing.T) (merchant, server *Client) {
	t.Helper()
	m, j := testKey(t), testKey(t)
	return &Client{kid: "key_test", merchant: m, juspay: &j.PublicKey},
		&Client{kid: "key_test", merchant: j, juspay: &m.PublicKey}
}

func TestRoundTrip(t *testing.T) {
	client, server := testPair(t)
	payload := []byte(`{"order_id":"o1","status":"CHARGED"}`)
	for _, shape := range []Shape{ShapeA, ShapeB} {
		for _, alg := range []jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256} {
			for _, jsonJWS := range []bool{true, false} {
				t.Run(fmt.Sprintf("%d/%s/json=%v", shape, alg, jsonJWS), func(t *testing.T) {
					body, err := server.Seal(payload, SealOptions{Shape: shape, KeyAlg: alg, JSONJWS: jsonJWS})
					if err != nil {
						t.Fatal(err)
					}
					got, err := client.Open(body)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got.Payload, payload) || got.Shape != shape || got.JSONJWS != jsonJWS || got.Alg != string(alg) || got.Enc != "A256GCM" {
						t.Errorf("opened %+v", got)
					}
				})
			}
		}
	}
}

func TestSealCompactAndBodyAgree(t *testing.T) {
	client, server := testPair(t)
	tok, err := server.SealCompact([]byte(`{}`), SealOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(tok, "."); n != 4 {
		t.Fatalf("compact JWE has %d dots, want 4", n)
	}
	for _, shape := range []Shape{ShapeA, ShapeB} {
		body, err := Body(shape, tok)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.Open(body); err != nil {
			t.Errorf("%s: %v", shape, err)
		}
	}
	if _, err := Body(ShapeA, "a.b.c"); err == nil || !strings.Contains(err.Error(), "5 parts") {
		t.Errorf("Body of a 3-part token: err = %v", err)
	}
}

func TestRequestHeaders(t *testing.T) {
	client, _ := testPair(t)
	tok, err := client.SealCompact([]byte(`{"order_id":"o1"}`), SealOptions{KeyAlg: jose.RSA_OAEP})
	if err != nil {
		t.Fatal(err)
	}
	h, err := protectedHeader(tok)
	if err != nil {
		t.Fatal(err)
	}
	// Facts § 2.2: the documents' and the Node SDK's request header is alg, enc, cty JWT, kid.
	if h.Alg != "RSA-OAEP" || h.Enc != "A256GCM" || h.Cty != "JWT" || h.Kid != "key_test" {
		t.Errorf("JWE header %+v", h)
	}
}

func TestOpenRejects(t *testing.T) {
	client, server := testPair(t)
	stranger := &Client{kid: "key_test", merchant: testKey(t), juspay: &client.merchant.PublicKey}
	forged, err := stranger.SealCompact([]byte(`{}`), SealOptions{})
	if err != nil {
		t.Fatal(err)
	}
	misaddressed, err := server.SealCompact([]byte(`{}`), SealOptions{EncryptTo: &stranger.merchant.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	good, err := server.SealCompact([]byte(`{}`), SealOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := strings.Split(good, ".")
	for _, tc := range []struct{ name, body, want string }{
		{"empty", ``, "not a JSON object"},
		{"null", `null`, "not a JSON object"},
		{"array", `[]`, "not a JSON object"},
		{"JWT not a string", `{"JWT": 1}`, `"JWT" is not`},
		{"JWT empty", `{"JWT": ""}`, `"JWT" is not`},
		{"pieces missing", `{"header": "a"}`, "neither"},
		{"piece with a dot", fmt.Sprintf(`{"header":%q,"encryptedKey":"a.b","iv":%q,"encryptedPayload":%q,"tag":%q}`, p[0], p[2], p[3], p[4]), "dot"},
		{"piece not a string", `{"header": 1, "encryptedKey": "a", "iv": "b", "encryptedPayload": "c", "tag": "d"}`, "not strings"},
		{"header not base64", `{"JWT": "!!.b.c.d.e"}`, "base64url"},
		{"not a JWE", `{"JWT": "eyJhbGciOiJSUzI1NiJ9.b.c.d.e"}`, "not RSA-OAEP"},
		{"tampered", fmt.Sprintf(`{"JWT": %q}`, strings.Join([]string{p[0], p[1], p[2], "AAAA", p[4]}, ".")), "does not decrypt"},
		{"encrypted to another key", fmt.Sprintf(`{"JWT": %q}`, misaddressed), "does not decrypt"},
		{"signed with another key", fmt.Sprintf(`{"JWT": %q}`, forged), "does not verify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := client.Open([]byte(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestNewClientKeys(t *testing.T) {
	k := testKey(t)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	der8, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der8})
	pkixDER, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkixDER})
	pub1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.PublicKey)})
	cert := testCert(t, k)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})
	for _, priv := range [][]byte{pkcs1, pkcs8} {
		for _, p := range [][]byte{pub, pub1, cert} {
			c, err := NewClient(Keys{KeyID: " key_1\n", MerchantPrivatePEM: priv, JuspayPublicPEM: p})
			if err != nil {
				t.Errorf("valid keys refused: %v", err)
			} else if c.KeyID() != "key_1" {
				t.Errorf("KeyID() = %q, want the trimmed key_1", c.KeyID())
			}
		}
	}
	for _, tc := range []struct {
		name string
		keys Keys
		want string
	}{
		{"zero", Keys{}, "key id"},
		{"no key id", Keys{KeyID: " ", MerchantPrivatePEM: pkcs1, JuspayPublicPEM: pub}, "key id"},
		{"private not PEM", Keys{KeyID: "k", MerchantPrivatePEM: []byte("nope"), JuspayPublicPEM: pub}, "merchant private key: no PEM"},
		{"private is EC", Keys{KeyID: "k", MerchantPrivatePEM: ecPEM, JuspayPublicPEM: pub}, "not an RSA key"},
		{"public is a private key", Keys{KeyID: "k", MerchantPrivatePEM: pkcs1, JuspayPublicPEM: pkcs1}, "Juspay public key"},
		{"public not PEM", Keys{KeyID: "k", MerchantPrivatePEM: pkcs1}, "Juspay public key: no PEM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewClient(tc.keys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			// Key material never appears in an error.
			if err != nil && strings.Contains(err.Error(), "BEGIN") {
				t.Errorf("error quotes a PEM: %v", err)
			}
		})
	}
}

func TestClipKeepsRunes(t *testing.T) {
	s := clip([]byte(strings.Repeat("é", 100)))
	if !strings.HasSuffix(s, "…") || !utf8.ValidString(s) {
		t.Errorf("clip cut a rune: %q", s)
	}
}

func testCert(t *testing.T, k *rsa.PrivateKey) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "juspay test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// Whatever a target answers, opening it is an error or a payload, never a panic.
func FuzzOpen(f *testing.F) {
	k := testKey(f)
	c := &Client{kid: "k", merchant: k, juspay: &k.PublicKey}
	for _, shape := range []Shape{ShapeA, ShapeB} {
		b, err := c.Seal([]byte(`{"order_id":"o1"}`), SealOptions{Shape: shape, JSONJWS: true})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"JWT":"a.b.c.d.e"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if o, err := c.Open(body); err == nil && o.Payload == nil {
			t.Fatal("no error and no payload")
		}
	})
}
