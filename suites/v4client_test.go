package suites

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

// The protocol's own tests are in package jwe; this checks only the fixtures' conversion.
func TestNewV4Client(t *testing.T) {
	if _, err := newV4Client(nil); err == nil || !strings.Contains(err.Error(), "no keys") {
		t.Fatalf("nil keys: err = %v", err)
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	priv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	pub := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.PublicKey)})
	c, err := newV4Client(&V4Keys{KeyID: "key_1", MerchantPrivateKey: "m.pem", JuspayPublicKey: "j.pem", MerchantPrivatePEM: priv, JuspayPublicPEM: pub})
	if err != nil {
		t.Fatal(err)
	}
	if c.KeyID() != "key_1" {
		t.Errorf("KeyID() = %q", c.KeyID())
	}
	// A fixture whose PEM was never read (paths only) is refused, not sent with empty keys.
	if _, err := newV4Client(&V4Keys{KeyID: "key_1", MerchantPrivateKey: "m.pem", JuspayPublicKey: "j.pem"}); err == nil {
		t.Error("keys without PEM accepted")
	}
}
