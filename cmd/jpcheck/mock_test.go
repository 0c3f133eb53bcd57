package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/mock"
)

// lockedBuffer is stderr for a server that logs from its handler goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var servingRE = regexp.MustCompile(`serving (https?://[0-9.:\[\]]+)`)

// startMock runs `jpcheck mock ARGS` in-process and returns its base URL, its stderr and a stop
// function that interrupts it and returns the exit code.
func startMock(t *testing.T, args ...string) (string, *lockedBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"mock", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), io.Discard, stderr)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingRE.FindStringSubmatch(stderr.String()); m != nil {
			stopped := false
			stop := func() int {
				if stopped {
					return -1
				}
				stopped = true
				cancel()
				select {
				case code := <-done:
					return code
				case <-time.After(20 * time.Second):
					t.Fatal("mock did not stop after the interrupt")
					return -1
				}
			}
			t.Cleanup(func() { stop() })
			return m[1], stderr, stop
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("mock exited with %d: %s", code, stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("mock did not start: %s", stderr)
	return "", nil, nil
}

func mockGet(t *testing.T, client *http.Client, url, key string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(key+":")))
	req.Header.Set("x-merchantid", "m1")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestMockServesSeededOrdersAndStops(t *testing.T) {
	base, stderr, stop := startMock(t)
	code, body := mockGet(t, http.DefaultClient, base+"/orders/JP1636474794", mock.DefaultAPIKey)
	if code != 200 || !strings.Contains(body, `"order_id":"JP1636474794"`) {
		t.Fatalf("%d %s", code, body)
	}
	if code, _ := mockGet(t, http.DefaultClient, base+"/orders/JP1636474794", "wrong"); code != 401 {
		t.Fatalf("wrong key: %d", code)
	}
	if got := stop(); got != exitOK {
		t.Fatalf("exit %d after an interrupt", got)
	}
	if !strings.Contains(stderr.String(), "GET /orders/JP1636474794 200") || !strings.Contains(stderr.String(), "GET /orders/JP1636474794 401") {
		t.Fatalf("want one log line per request:\n%s", stderr)
	}
}

func TestMockAPIKeyFlagAndEnv(t *testing.T) {
	t.Setenv("JPCHECK_API_KEY", "from_env")
	base, _, _ := startMock(t)
	if code, _ := mockGet(t, http.DefaultClient, base+"/orders/JP1636474794", "from_env"); code != 200 {
		t.Fatalf("env key: %d", code)
	}
	base, _, _ = startMock(t, "--api-key", "from_flag")
	if code, _ := mockGet(t, http.DefaultClient, base+"/orders/JP1636474794", "from_flag"); code != 200 {
		t.Fatalf("flag key: %d", code)
	}
	if code, _ := mockGet(t, http.DefaultClient, base+"/orders/JP1636474794", "from_env"); code != 401 {
		t.Fatalf("the flag wins over the environment: %d", code)
	}
}

func TestMockTLSAndKeys(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	keys := filepath.Join(dir, "keys")
	base, _, _ := startMock(t, "--tls", "--tls-ca-out", ca, "--jwe-dir", keys)
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("--tls serves %s", base)
	}
	pem, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("--tls-ca-out wrote no certificate")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if code, body := mockGet(t, client, base+"/orders/JPAYNEW034", mock.DefaultAPIKey); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	entries, err := os.ReadDir(keys)
	if err != nil || len(entries) == 0 {
		t.Fatalf("--jwe-dir created no key files: %v", err)
	}
}

func TestMockUsageErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"bad retries", []string{"mock", "--webhook-retries", "soon"}},
		{"ca without tls", []string{"mock", "--tls-ca-out", filepath.Join(t.TempDir(), "ca.pem")}},
		{"bad latency", []string{"mock", "--latency", "fast"}},
		{"address in use", []string{"mock", "--addr", busy.Addr().String()}},
		{"extra argument", []string{"mock", "now"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := run(context.Background(), tc.args, strings.NewReader(""), io.Discard, &stderr); code != exitUsage {
				t.Fatalf("exit %d, want %d: %s", code, exitUsage, stderr.String())
			}
			if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "jpcheck: ") {
				t.Fatalf("want one jpcheck: line, got %q", stderr.String())
			}
		})
	}
}
