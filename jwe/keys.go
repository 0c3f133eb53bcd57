package jwe

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// Keys are a merchant's V4 keys: its private key signs requests and decrypts responses,
// Juspay's public key encrypts requests and verifies responses.
type Keys struct {
	KeyID              string
	MerchantPrivatePEM []byte
	JuspayPublicPEM    []byte
}

// Client seals requests and opens responses with one merchant's keys. It is safe for
// concurrent use: it holds only immutable keys.
type Client struct {
	kid      string
	merchant *rsa.PrivateKey // signs requests, decrypts responses
	juspay   *rsa.PublicKey  // encrypts requests, verifies responses
}

// NewClient reads k's PEM keys.
func NewClient(k Keys) (*Client, error) {
	kid := strings.TrimSpace(k.KeyID)
	if kid == "" {
		return nil, errors.New("v4: empty key id")
	}
	priv, err := parsePrivateKey(k.MerchantPrivatePEM)
	if err != nil {
		return nil, fmt.Errorf("v4: merchant private key: %w", err)
	}
	pub, err := parsePublicKey(k.JuspayPublicPEM)
	if err != nil {
		return nil, fmt.Errorf("v4: Juspay public key: %w", err)
	}
	return &Client{kid: kid, merchant: priv, juspay: pub}, nil
}

// KeyID is the kid the client puts in its headers.
func (c *Client) KeyID() string { return c.kid }

// parsePrivateKey reads an RSA private key in PKCS #1 or PKCS #8 PEM.
func parsePrivateKey(b []byte) (*rsa.PrivateKey, error) {
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

// parsePublicKey reads an RSA public key in PKIX or PKCS #1 PEM, or the key of a certificate.
func parsePublicKey(b []byte) (*rsa.PublicKey, error) {
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
