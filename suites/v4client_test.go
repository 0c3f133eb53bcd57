package suites

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

	jose "github.com/go-jose/go-jose/v4"
)

func v4TestKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// v4TestPair returns a merchant's client and the server's side of the same keys: a v4Client
// with the roles swapped seals responses exactly as Juspay does (sign with its key, encrypt to
// the merchant's).
func v4TestPair(t *testing.T) (merchant, server *v4Client) {
	t.Helper()
	m, j := v4TestKey(t), v4TestKey(t)
	return &v4Client{kid: "key_test", merchant: m, juspay: &j.PublicKey},
		&v4Client{kid: "key_test", merchant: j, juspay: &m.PublicKey}
}

func TestV4ClientRoundTrip(t *testing.T) {
	client, server := v4TestPair(t)
	payload := []byte(`{"order_id":"o1","status":"CHARGED"}`)
	for _, shape := range []v4Shape{v4ShapeA, v4ShapeB} {
		for _, alg := range []jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256} {
			for _, jsonJWS := range []bool{true, false} {
				t.Run(fmt.Sprintf("%d/%s/json=%v", shape, alg, jsonJWS), func(t *testing.T) {
					tok, err := server.seal(payload, v4Seal{KeyAlg: alg, JSONJWS: jsonJWS})
					if err != nil {
						t.Fatal(err)
					}
					body, err := v4Body(shape, tok)
					if err != nil {
						t.Fatal(err)
					}
					got, err := client.open(body)
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

func TestV4ClientRequestHeaders(t *testing.T) {
	client, _ := v4TestPair(t)
	tok, err := client.seal([]byte(`{"order_id":"o1"}`), v4Seal{KeyAlg: jose.RSA_OAEP})
	if err != nil {
		t.Fatal(err)
	}
	h, err := v4ProtectedHeader(tok)
	if err != nil {
		t.Fatal(err)
	}
	// Facts § 2.2: the documents' and the Node SDK's request header is alg, enc, cty JWT, kid.
	if h.Alg != "RSA-OAEP" || h.Enc != "A256GCM" || h.Cty != "JWT" || h.Kid != "key_test" {
		t.Errorf("JWE header %+v", h)
	}
}

func TestV4ClientOpenRejects(t *testing.T) {
	client, server := v4TestPair(t)
	stranger := &v4Client{kid: "key_test", merchant: v4TestKey(t), juspay: &client.merchant.PublicKey}
	forged, err := stranger.seal([]byte(`{}`), v4Seal{})
	if err != nil {
		t.Fatal(err)
	}
	misaddressed, err := server.seal([]byte(`{}`), v4Seal{EncryptTo: &stranger.merchant.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	good, err := server.seal([]byte(`{}`), v4Seal{})
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
			_, err := client.open([]byte(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestNewV4ClientKeys(t *testing.T) {
	k := v4TestKey(t)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	der8, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der8})
	pkix, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})
	pub1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.PublicKey)})
	cert := v4TestCert(t, k)
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
			if _, err := newV4Client(&V4Keys{KeyID: " key_1\n", MerchantPrivatePEM: priv, JuspayPublicPEM: p}); err != nil {
				t.Errorf("valid keys refused: %v", err)
			}
		}
	}
	for _, tc := range []struct {
		name string
		keys *V4Keys
		want string
	}{
		{"nil", nil, "no keys"},
		{"no key id", &V4Keys{KeyID: " ", MerchantPrivatePEM: pkcs1, JuspayPublicPEM: pub}, "key id"},
		{"private not PEM", &V4Keys{KeyID: "k", MerchantPrivatePEM: []byte("nope"), JuspayPublicPEM: pub}, "merchant private key: no PEM"},
		{"private is EC", &V4Keys{KeyID: "k", MerchantPrivatePEM: ecPEM, JuspayPublicPEM: pub}, "not an RSA key"},
		{"public is a private key", &V4Keys{KeyID: "k", MerchantPrivatePEM: pkcs1, JuspayPublicPEM: pkcs1}, "Juspay public key"},
		{"public not PEM", &V4Keys{KeyID: "k", MerchantPrivatePEM: pkcs1}, "Juspay public key: no PEM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newV4Client(tc.keys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func v4TestCert(t *testing.T, k *rsa.PrivateKey) []byte {
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
func FuzzV4Open(f *testing.F) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	c := &v4Client{kid: "k", merchant: k, juspay: &k.PublicKey}
	tok, err := c.seal([]byte(`{"order_id":"o1"}`), v4Seal{JSONJWS: true})
	if err != nil {
		f.Fatal(err)
	}
	for _, shape := range []v4Shape{v4ShapeA, v4ShapeB} {
		b, err := v4Body(shape, tok)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"JWT":"a.b.c.d.e"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if o, err := c.open(body); err == nil && o.Payload == nil {
			t.Fatal("no error and no payload")
		}
	})
}
