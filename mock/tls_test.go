package mock

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// tlsTestServer serves the mock over TLS with a fresh NewTLSConfig on a loopback port of the
// given network ("tcp4" or "tcp6") and returns its port and the CA PEM.
func tlsTestServer(t *testing.T, network string) (port string, caPEM []byte) {
	t.Helper()
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, caPEM, err := NewTLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:0"
	if network == "tcp6" {
		addr = "[::1]:0"
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("no %s loopback here: %v", network, err)
	}
	srv := httptest.NewUnstartedServer(s)
	srv.Listener.Close()
	srv.Listener = ln
	srv.TLS = cfg
	// The refused handshakes below are the point; the server need not log them.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(func() { srv.Close(); s.Close() })
	_, port, err = net.SplitHostPort(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return port, caPEM
}

// tlsTestClient trusts only the CAs in caPEM (none when it is nil) and dials every host name to
// the loopback address dialAddr, so "localhost" is tested without depending on /etc/hosts.
func tlsTestClient(t *testing.T, caPEM []byte, dialAddr string) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if caPEM != nil && !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("CA PEM holds no certificate:\n%s", caPEM)
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return dialer.DialContext(ctx, network, dialAddr)
			},
		},
	}
}

// tlsTestGet fetches a seeded order through c and returns the response or the error.
func tlsTestGet(c *http.Client, rawURL string) (*http.Response, []byte, error) {
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		return nil, nil, err
	}
	req.SetBasicAuth(DefaultAPIKey, "")
	req.Header.Set("x-merchantid", "merchant_test")
	res, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, MaxBodyBytes))
	return res, b, err
}

// A client that trusts only the CA NewTLSConfig returns reaches the mock under every name the
// certificate is for; one that does not trust it refuses the connection.
func TestTLSConfigServesVerifiedCertificate(t *testing.T) {
	port4, ca4 := tlsTestServer(t, "tcp4")
	cases := []struct {
		name, host, dial, port string
		ca                     []byte
	}{
		{"ip", "127.0.0.1", "127.0.0.1", port4, ca4},
		{"localhost", "localhost", "127.0.0.1", port4, ca4},
		{"ipv6", "[::1]", "[::1]", "", nil}, // port and CA set below where there is IPv6 loopback
	}
	if ln, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		ln.Close()
		cases[2].port, cases[2].ca = tlsTestServer(t, "tcp6")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.port == "" {
				t.Skip("no IPv6 loopback on this machine")
			}
			c := tlsTestClient(t, tc.ca, net.JoinHostPort(strings.Trim(tc.dial, "[]"), tc.port))
			u := "https://" + net.JoinHostPort(strings.Trim(tc.host, "[]"), tc.port) + "/orders/" + url.PathEscape("JP1636474794")
			res, body, err := tlsTestGet(c, u)
			if err != nil {
				t.Fatalf("GET %s: %v", u, err)
			}
			if res.StatusCode != 200 {
				t.Fatalf("GET %s: status %d: %s", u, res.StatusCode, body)
			}
			if res.TLS == nil || res.TLS.Version < tls.VersionTLS12 {
				t.Fatalf("GET %s: not served over TLS 1.2+: %+v", u, res.TLS)
			}
			if !strings.Contains(string(body), `"order_id":"JP1636474794"`) {
				t.Errorf("GET %s: body does not name the order: %.200s", u, body)
			}
		})
	}

	t.Run("untrusted", func(t *testing.T) {
		for _, ca := range [][]byte{nil, tlsTestOtherCA(t)} {
			c := tlsTestClient(t, ca, "127.0.0.1:"+port4)
			_, _, err := tlsTestGet(c, "https://127.0.0.1:"+port4+"/orders/JP1636474794")
			var unknown x509.UnknownAuthorityError
			if !errors.As(err, &unknown) {
				t.Errorf("client trusting %d bytes of other CAs: want an unknown-authority error, got %v", len(ca), err)
			}
		}
	})

	t.Run("wrong name", func(t *testing.T) {
		c := tlsTestClient(t, ca4, "127.0.0.1:"+port4)
		_, _, err := tlsTestGet(c, "https://example.com:"+port4+"/orders/JP1636474794")
		var host x509.HostnameError
		if !errors.As(err, &host) {
			t.Errorf("want a host name error for example.com, got %v", err)
		}
	})

	t.Run("TLS 1.1 refused", func(t *testing.T) {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(ca4)
		d := &net.Dialer{Timeout: 10 * time.Second}
		conn, err := tls.DialWithDialer(d, "tcp", "127.0.0.1:"+port4, &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS11})
		if err == nil {
			conn.Close()
			t.Fatal("a TLS 1.1 handshake succeeded")
		}
	})
}

// The CA is a CA, the server certificate is for exactly the loopback names, and every call
// makes a new CA, so two mocks never trust each other's certificates.
func TestTLSConfigCertificates(t *testing.T) {
	cfg, caPEM, err := NewTLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion %#x, want TLS 1.2", cfg.MinVersion)
	}
	block, rest := pem.Decode(caPEM)
	if block == nil || block.Type != "CERTIFICATE" || len(strings.TrimSpace(string(rest))) != 0 {
		t.Fatalf("want exactly one CERTIFICATE PEM block, got:\n%s", caPEM)
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !ca.IsCA || !ca.BasicConstraintsValid || ca.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("CA certificate is not a CA: IsCA %v, basic constraints %v, key usage %b", ca.IsCA, ca.BasicConstraintsValid, ca.KeyUsage)
	}
	if len(cfg.Certificates) != 1 || cfg.Certificates[0].Leaf == nil {
		t.Fatalf("want one certificate with its leaf parsed, got %d", len(cfg.Certificates))
	}
	leaf := cfg.Certificates[0].Leaf
	if leaf.IsCA {
		t.Error("server certificate is a CA")
	}
	if got := strings.Join(leaf.DNSNames, ","); got != "localhost" {
		t.Errorf("DNS names %q, want localhost", got)
	}
	var ips []string
	for _, ip := range leaf.IPAddresses {
		ips = append(ips, ip.String())
	}
	if got := strings.Join(ips, ","); got != "127.0.0.1,::1" {
		t.Errorf("IP addresses %q, want 127.0.0.1,::1", got)
	}
	if leaf.NotAfter.Sub(leaf.NotBefore) < 300*24*time.Hour {
		t.Errorf("server certificate valid only %s to %s", leaf.NotBefore, leaf.NotAfter)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "localhost"}); err != nil {
		t.Errorf("server certificate does not verify against its CA: %v", err)
	}
	_, other, err := NewTLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	otherPool := x509.NewCertPool()
	otherPool.AppendCertsFromPEM(other)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: otherPool, DNSName: "localhost"}); err == nil {
		t.Error("server certificate verifies against another call's CA")
	}
}

// tlsTestOtherCA is the CA PEM of another NewTLSConfig call: a CA the client trusts that did
// not sign the server's certificate.
func tlsTestOtherCA(t *testing.T) []byte {
	t.Helper()
	_, ca, err := NewTLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	return ca
}
