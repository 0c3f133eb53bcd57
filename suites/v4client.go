package suites

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// The client side of the V4 encrypted order status (facts § 2). A request is the JSON payload
// signed RS256 with the merchant's private key (JWS), then encrypted to Juspay's public key
// (JWE, RSA-OAEP or RSA-OAEP-256 key wrap, A256GCM), with the key id as kid in both headers.
// A response is opened the other way round: decrypted with the merchant's private key, then
// verified with Juspay's public key.
//
// Two wire shapes exist (facts § 2.4):
//   - Shape A, the SDKs': {"header","encryptedKey","iv","encryptedPayload","tag"}, the five
//     base64url parts of a compact JWE, named; the JWS inside is JSON {"header","payload",
//     "signature"} stringified.
//   - Shape B, the documents' samples: {"JWT":"h.ek.iv.ct.tag"} (or the JWT query parameter of
//     a GET), the JWS inside compact h.p.s.

// v4Shape is a V4 wire shape.
type v4Shape int

const (
	v4ShapeA v4Shape = iota // {"header","encryptedKey","iv","encryptedPayload","tag"}
	v4ShapeB                // {"JWT":"<compact JWE>"}
)

func (s v4Shape) String() string {
	if s == v4ShapeA {
		return `Shape A {"header","encryptedKey","iv","encryptedPayload","tag"}`
	}
	return `Shape B {"JWT": "<compact JWE>"}`
}

// v4Pieces is Shape A on the wire.
type v4Pieces struct {
	Header           string `json:"header"`
	EncryptedKey     string `json:"encryptedKey"`
	IV               string `json:"iv"`
	EncryptedPayload string `json:"encryptedPayload"`
	Tag              string `json:"tag"`
}

// v4JWSPieces is the JSON form of a JWS the Node SDK uses (not RFC 7515's JSON serialization,
// which says "protected").
type v4JWSPieces struct {
	Header    string `json:"header"`
	Payload   string `json:"payload"`
	Signature string `json:"signature"`
}

// v4Client holds a merchant's V4 keys.
type v4Client struct {
	kid      string
	merchant *rsa.PrivateKey // signs requests, decrypts responses
	juspay   *rsa.PublicKey  // encrypts requests, verifies responses
}

func newV4Client(k *V4Keys) (*v4Client, error) {
	if k == nil {
		return nil, errors.New("v4: no keys")
	}
	kid := strings.TrimSpace(k.KeyID)
	if kid == "" {
		return nil, errors.New("v4: empty key id")
	}
	priv, err := v4ParsePrivateKey(k.MerchantPrivatePEM)
	if err != nil {
		return nil, fmt.Errorf("v4: merchant private key: %w", err)
	}
	pub, err := v4ParsePublicKey(k.JuspayPublicPEM)
	if err != nil {
		return nil, fmt.Errorf("v4: Juspay public key: %w", err)
	}
	return &v4Client{kid: kid, merchant: priv, juspay: pub}, nil
}

// v4ParsePrivateKey reads an RSA private key in PKCS #1 or PKCS #8 PEM.
func v4ParsePrivateKey(b []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not a PKCS #1 or PKCS #8 private key (%s)", block.Type)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an RSA key", k)
	}
	return rk, nil
}

// v4ParsePublicKey reads an RSA public key in PKIX or PKCS #1 PEM, or the key of a certificate.
func v4ParsePublicKey(b []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	var key any
	switch {
	case block.Type == "CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		key = cert.PublicKey
	default:
		if k, err := x509.ParsePKIXPublicKey(block.Bytes); err == nil {
			key = k
		} else if k, err := x509.ParsePKCS1PublicKey(block.Bytes); err == nil {
			key = k
		} else {
			return nil, fmt.Errorf("not a PKIX or PKCS #1 public key (%s)", block.Type)
		}
	}
	rk, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an RSA key", key)
	}
	return rk, nil
}

// v4Seal says how to build one request.
type v4Seal struct {
	KeyAlg  jose.KeyAlgorithm // RSA_OAEP or RSA_OAEP_256
	JSONJWS bool              // the inner JWS in the Node SDK's JSON form, else compact
	// SignWith replaces the merchant key as the signer, for requests that must not verify.
	SignWith *rsa.PrivateKey
	// EncryptTo replaces Juspay's key as the recipient, for requests it cannot decrypt.
	EncryptTo *rsa.PublicKey
}

// seal signs then encrypts payload and returns the compact JWE.
func (c *v4Client) seal(payload []byte, o v4Seal) (string, error) {
	signKey, rcptKey := c.merchant, c.juspay
	if o.SignWith != nil {
		signKey = o.SignWith
	}
	if o.EncryptTo != nil {
		rcptKey = o.EncryptTo
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: signKey},
		(&jose.SignerOptions{}).WithHeader("kid", c.kid))
	if err != nil {
		return "", fmt.Errorf("v4: signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("v4: signing: %w", err)
	}
	inner, err := jws.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("v4: signing: %w", err)
	}
	if o.JSONJWS {
		p := strings.Split(inner, ".")
		b, err := json.Marshal(v4JWSPieces{Header: p[0], Payload: p[1], Signature: p[2]})
		if err != nil {
			return "", err
		}
		inner = string(b)
	}
	keyAlg := o.KeyAlg
	if keyAlg == "" {
		keyAlg = jose.RSA_OAEP_256
	}
	enc, err := jose.NewEncrypter(jose.A256GCM,
		jose.Recipient{Algorithm: keyAlg, Key: rcptKey, KeyID: c.kid},
		(&jose.EncrypterOptions{}).WithContentType("JWT"))
	if err != nil {
		return "", fmt.Errorf("v4: encrypter: %w", err)
	}
	jwe, err := enc.Encrypt([]byte(inner))
	if err != nil {
		return "", fmt.Errorf("v4: encrypting: %w", err)
	}
	return jwe.CompactSerialize()
}

// v4Body wraps a compact JWE in a wire shape, as a POST body.
func v4Body(shape v4Shape, compact string) ([]byte, error) {
	if shape == v4ShapeB {
		return json.Marshal(map[string]string{"JWT": compact})
	}
	p := strings.Split(compact, ".")
	if len(p) != 5 {
		return nil, fmt.Errorf("v4: a compact JWE has 5 parts, got %d", len(p))
	}
	return json.Marshal(v4Pieces{Header: p[0], EncryptedKey: p[1], IV: p[2], EncryptedPayload: p[3], Tag: p[4]})
}

// v4Opened is a response once decrypted and verified, with what its envelope said.
type v4Opened struct {
	Shape   v4Shape
	JSONJWS bool   // the inner JWS came in the JSON form
	Alg     string // the JWE's key wrap (protected header alg)
	Enc     string // the JWE's content encryption (protected header enc)
	Payload []byte // the verified JWS payload: the order
}

// open reads a response body in either shape, decrypts it with the merchant key and verifies
// the JWS inside with Juspay's key. Every failure is an error that says which step failed.
func (c *v4Client) open(body []byte) (*v4Opened, error) {
	token, shape, err := v4Token(body)
	if err != nil {
		return nil, err
	}
	out := &v4Opened{Shape: shape}
	hdr, err := v4ProtectedHeader(token)
	if err != nil {
		return nil, err
	}
	out.Alg, out.Enc = hdr.Alg, hdr.Enc
	jwe, err := jose.ParseEncryptedCompact(token,
		[]jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256},
		[]jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		return nil, fmt.Errorf("v4: the JWE is not RSA-OAEP(-256) + A256GCM in compact form: %v", err)
	}
	plain, err := jwe.Decrypt(c.merchant)
	if err != nil {
		return nil, fmt.Errorf("v4: the JWE does not decrypt with the merchant private key: %v", err)
	}
	plain = bytes.TrimSpace(plain)
	compact := string(plain)
	if bytes.HasPrefix(plain, []byte("{")) {
		var p v4JWSPieces
		if err := json.Unmarshal(plain, &p); err != nil {
			return nil, fmt.Errorf("v4: the decrypted JWS is neither compact nor {\"header\",\"payload\",\"signature\"}: %v", err)
		}
		if compact, err = v4Join(p.Header, p.Payload, p.Signature); err != nil {
			return nil, fmt.Errorf("v4: the decrypted JWS: %v", err)
		}
		out.JSONJWS = true
	}
	jws, err := jose.ParseSignedCompact(compact, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, fmt.Errorf("v4: the decrypted payload is not an RS256 JWS: %v", err)
	}
	payload, err := jws.Verify(c.juspay)
	if err != nil {
		return nil, fmt.Errorf("v4: the JWS signature does not verify with Juspay's public key: %v", err)
	}
	out.Payload = payload
	return out, nil
}

// v4Token returns the compact JWE a response body carries and its shape.
func v4Token(body []byte) (string, v4Shape, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return "", 0, fmt.Errorf("v4: the response is not a JSON object: %s", clipBody(body))
	}
	if raw, ok := fields["JWT"]; ok {
		var tok string
		if err := json.Unmarshal(raw, &tok); err != nil || tok == "" {
			return "", 0, errors.New(`v4: "JWT" is not a non-empty string`)
		}
		return tok, v4ShapeB, nil
	}
	var p v4Pieces
	if err := json.Unmarshal(body, &p); err != nil {
		return "", 0, fmt.Errorf("v4: Shape A pieces are not strings: %v", err)
	}
	tok, err := v4Join(p.Header, p.EncryptedKey, p.IV, p.EncryptedPayload, p.Tag)
	if err != nil {
		return "", 0, fmt.Errorf(`v4: the response is neither {"JWT": …} nor {"header","encryptedKey","iv","encryptedPayload","tag"}: %v`, err)
	}
	return tok, v4ShapeA, nil
}

// v4Join joins named base64url parts into a compact token; each must be present and free of
// dots, or the join could be read back as other parts.
func v4Join(parts ...string) (string, error) {
	for i, p := range parts {
		if p == "" {
			return "", fmt.Errorf("part %d is missing or empty", i+1)
		}
		if strings.Contains(p, ".") {
			return "", fmt.Errorf("part %d contains a dot", i+1)
		}
	}
	return strings.Join(parts, "."), nil
}

type v4Header struct {
	Alg string `json:"alg"`
	Enc string `json:"enc"`
	Kid string `json:"kid"`
	Cty string `json:"cty"`
}

// v4ProtectedHeader decodes the protected header of a compact JWE or JWS.
func v4ProtectedHeader(token string) (v4Header, error) {
	first, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(first)
	if err != nil {
		return v4Header{}, fmt.Errorf("v4: the protected header is not base64url: %v", err)
	}
	var h v4Header
	if err := json.Unmarshal(raw, &h); err != nil {
		return v4Header{}, fmt.Errorf("v4: the protected header is not a JSON object: %v", err)
	}
	return h, nil
}
