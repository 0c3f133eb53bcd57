package jwe

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"
)

// Two wire shapes exist (facts § 2.4):
//   - Shape A, the SDKs': {"header","encryptedKey","iv","encryptedPayload","tag"}, the five
//     base64url parts of a compact JWE, named; the JWS inside is JSON {"header","payload",
//     "signature"} stringified.
//   - Shape B, the documents' samples: {"JWT":"h.ek.iv.ct.tag"} (or the JWT query parameter of
//     a GET), the JWS inside compact h.p.s.

// Shape is a V4 wire shape.
type Shape int

const (
	ShapeA Shape = iota // {"header","encryptedKey","iv","encryptedPayload","tag"}
	ShapeB              // {"JWT":"<compact JWE>"}
)

func (s Shape) String() string {
	if s == ShapeA {
		return `Shape A {"header","encryptedKey","iv","encryptedPayload","tag"}`
	}
	return `Shape B {"JWT": "<compact JWE>"}`
}

// pieces is Shape A on the wire.
type pieces struct {
	Header           string `json:"header"`
	EncryptedKey     string `json:"encryptedKey"`
	IV               string `json:"iv"`
	EncryptedPayload string `json:"encryptedPayload"`
	Tag              string `json:"tag"`
}

// jwsPieces is the JSON form of a JWS the Node SDK uses (not RFC 7515's JSON serialization,
// which says "protected").
type jwsPieces struct {
	Header    string `json:"header"`
	Payload   string `json:"payload"`
	Signature string `json:"signature"`
}

// SealOptions say how to build one request.
type SealOptions struct {
	// Shape is the body's wire shape (Seal only; SealCompact returns the bare token).
	Shape Shape
	// KeyAlg is jose.RSA_OAEP or jose.RSA_OAEP_256 (the default).
	KeyAlg jose.KeyAlgorithm
	// JSONJWS puts the inner JWS in the Node SDK's JSON form, else compact.
	JSONJWS bool
	// SignWith replaces the merchant key as the signer, for requests that must not verify.
	SignWith *rsa.PrivateKey
	// EncryptTo replaces Juspay's key as the recipient, for requests it cannot decrypt.
	EncryptTo *rsa.PublicKey
}

// Seal signs then encrypts payload and returns it as a POST body in o.Shape.
func (c *Client) Seal(payload []byte, o SealOptions) ([]byte, error) {
	compact, err := c.SealCompact(payload, o)
	if err != nil {
		return nil, err
	}
	return Body(o.Shape, compact)
}

// SealCompact signs then encrypts payload and returns the compact JWE, as a GET sends it in
// its JWT query parameter.
func (c *Client) SealCompact(payload []byte, o SealOptions) (string, error) {
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
		b, err := json.Marshal(jwsPieces{Header: p[0], Payload: p[1], Signature: p[2]})
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
	obj, err := enc.Encrypt([]byte(inner))
	if err != nil {
		return "", fmt.Errorf("v4: encrypting: %w", err)
	}
	return obj.CompactSerialize()
}

// Body wraps a compact JWE in a wire shape, as a POST body.
func Body(shape Shape, compact string) ([]byte, error) {
	if shape == ShapeB {
		return json.Marshal(map[string]string{"JWT": compact})
	}
	p := strings.Split(compact, ".")
	if len(p) != 5 {
		return nil, fmt.Errorf("v4: a compact JWE has 5 parts, got %d", len(p))
	}
	return json.Marshal(pieces{Header: p[0], EncryptedKey: p[1], IV: p[2], EncryptedPayload: p[3], Tag: p[4]})
}

// Opened is a response once decrypted and verified, with what its envelope said.
type Opened struct {
	Shape   Shape
	JSONJWS bool   // the inner JWS came in the JSON form
	Alg     string // the JWE's key wrap (protected header alg)
	Enc     string // the JWE's content encryption (protected header enc)
	Payload []byte // the verified JWS payload: the order
}

// Open reads a response body in either shape, decrypts it with the merchant key and verifies
// the JWS inside with Juspay's key. Every failure is an error that says which step failed.
func (c *Client) Open(body []byte) (Opened, error) {
	token, shape, err := tokenOf(body)
	if err != nil {
		return Opened{}, err
	}
	out := Opened{Shape: shape}
	hdr, err := protectedHeader(token)
	if err != nil {
		return Opened{}, err
	}
	out.Alg, out.Enc = hdr.Alg, hdr.Enc
	obj, err := jose.ParseEncryptedCompact(token,
		[]jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256},
		[]jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		return Opened{}, fmt.Errorf("v4: the JWE is not RSA-OAEP(-256) + A256GCM in compact form: %v", err)
	}
	plain, err := obj.Decrypt(c.merchant)
	if err != nil {
		return Opened{}, fmt.Errorf("v4: the JWE does not decrypt with the merchant private key: %v", err)
	}
	plain = bytes.TrimSpace(plain)
	compact := string(plain)
	if bytes.HasPrefix(plain, []byte("{")) {
		var p jwsPieces
		if err := json.Unmarshal(plain, &p); err != nil {
			return Opened{}, fmt.Errorf("v4: the decrypted JWS is neither compact nor {\"header\",\"payload\",\"signature\"}: %v", err)
		}
		if compact, err = join(p.Header, p.Payload, p.Signature); err != nil {
			return Opened{}, fmt.Errorf("v4: the decrypted JWS: %v", err)
		}
		out.JSONJWS = true
	}
	jws, err := jose.ParseSignedCompact(compact, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return Opened{}, fmt.Errorf("v4: the decrypted payload is not an RS256 JWS: %v", err)
	}
	payload, err := jws.Verify(c.juspay)
	if err != nil {
		return Opened{}, fmt.Errorf("v4: the JWS signature does not verify with Juspay's public key: %v", err)
	}
	out.Payload = payload
	return out, nil
}

// tokenOf returns the compact JWE a response body carries and its shape.
func tokenOf(body []byte) (string, Shape, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return "", 0, fmt.Errorf("v4: the response is not a JSON object: %s", clip(body))
	}
	if raw, ok := fields["JWT"]; ok {
		var tok string
		if err := json.Unmarshal(raw, &tok); err != nil || tok == "" {
			return "", 0, errors.New(`v4: "JWT" is not a non-empty string`)
		}
		return tok, ShapeB, nil
	}
	var p pieces
	if err := json.Unmarshal(body, &p); err != nil {
		return "", 0, fmt.Errorf("v4: Shape A pieces are not strings: %v", err)
	}
	tok, err := join(p.Header, p.EncryptedKey, p.IV, p.EncryptedPayload, p.Tag)
	if err != nil {
		return "", 0, fmt.Errorf(`v4: the response is neither {"JWT": …} nor {"header","encryptedKey","iv","encryptedPayload","tag"}: %v`, err)
	}
	return tok, ShapeA, nil
}

// join joins named base64url parts into a compact token; each must be present and free of
// dots, or the join could be read back as other parts.
func join(parts ...string) (string, error) {
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

// header is the part of a protected header the client reads.
type header struct {
	Alg string `json:"alg"`
	Enc string `json:"enc"`
	Kid string `json:"kid"`
	Cty string `json:"cty"`
}

// protectedHeader decodes the protected header of a compact JWE or JWS.
func protectedHeader(token string) (header, error) {
	first, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(first)
	if err != nil {
		return header{}, fmt.Errorf("v4: the protected header is not base64url: %v", err)
	}
	var h header
	if err := json.Unmarshal(raw, &h); err != nil {
		return header{}, fmt.Errorf("v4: the protected header is not a JSON object: %v", err)
	}
	return h, nil
}

// clip shortens a body quoted in an error to one readable line.
func clip(b []byte) string {
	const max = 120
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
