package mock

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// TLSValidity is how long the certificates NewTLSConfig makes are valid. They are made afresh on
// every start, so a year only has to outlast one run of the mock.
const TLSValidity = 365 * 24 * time.Hour

// NewTLSConfig makes a fresh self-signed CA and a server certificate it signs for localhost,
// 127.0.0.1 and ::1, and returns a config serving that certificate (TLS 1.2 or later) and the
// CA certificate in PEM. Those are the loopback addresses the mock listens on, under the names
// clients use; the Node SDK, for one, can only reach https://127.0.0.1 or https://localhost on
// port 443 (facts § 5.1). Clients trust the mock through the CA (NODE_EXTRA_CA_CERTS, curl --cacert) rather than by
// turning verification off, so a test also proves the client verifies what it connects to.
// The CA key is discarded: nothing else can ever be signed by it.
func NewTLSConfig() (*tls.Config, []byte, error) {
	now := time.Now()
	// Backdate a little: a client whose clock is slightly behind must not see "not yet valid".
	notBefore, notAfter := now.Add(-time.Hour), now.Add(TLSValidity)

	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA key: %w", err)
	}
	caSerial, err := tlsSerial()
	if err != nil {
		return nil, nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          caSerial,
		Subject:               pkix.Name{Organization: []string{"jpcheck mock"}, CommonName: "jpcheck mock CA " + now.UTC().Format(time.RFC3339)},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		// The CA signs the one server certificate below and nothing under it.
		MaxPathLenZero: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("create CA certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, nil, fmt.Errorf("parse CA certificate: %w", err)
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate server key: %w", err)
	}
	serial, err := tlsSerial()
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{Organization: []string{"jpcheck mock"}, CommonName: "localhost"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	tmpl.DNSNames = []string{"localhost"}
	tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("create server certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("parse server certificate: %w", err)
	}
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		// The chain includes the CA so clients that check it see the whole path.
		Certificates: []tls.Certificate{{Certificate: [][]byte{der, caDER}, PrivateKey: key, Leaf: leaf}},
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return cfg, caPEM, nil
}

// tlsSerial is a random 128-bit serial number, as RFC 5280 § 4.1.2.2 asks of a CA (positive,
// unique, at most 20 octets).
func tlsSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("serial number: %w", err)
	}
	// Zero is not a valid serial; the odds are 2^-128, but a fixed floor costs nothing.
	return n.Add(n, big.NewInt(1)), nil
}
