package mock

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
)

// The "Real client" test of issues 3 and 12: the official Node SDK, expresscheckout-nodejs,
// against the mock over TLS on port 443, with Basic auth and with jweAuth.
//
// Why 443: the SDK cannot be pointed at another port. It builds its request options from the
// base URL as {host: URL.host, port: URL.port}; URL.host keeps the port, so
// baseUrl 'https://127.0.0.1:8443' makes Node look up the host name "127.0.0.1:8443" and fail
// with ENOTFOUND (dist/cjs/JuspayResource.js, makeServiceCall; facts § 5.1). No option injects
// an agent or a lookup. So the mock must listen on 443, and the test must not need root:
//
//  1. It re-runs itself in a private network namespace owned by a new user namespace, where it
//     may bind 443 on its own loopback, without root and without contending with any other run
//     on the machine for the port (nodeSDKInNamespace; Linux, where user namespaces are allowed).
//  2. Where no user namespace can be made (a container's seccomp profile may forbid them), it
//     binds 127.0.0.1:443 directly, which needs root or CAP_NET_BIND_SERVICE, and skips,
//     saying so, where that is refused.
//
// It needs node and npm (skipped without them, failed under make test, which installs them:
// JPCHECK_REQUIRE_TOOLS=1) and the npm registry or a warm npm cache.

const (
	// nodeSDKVersion is the SDK release the facts describe (facts § 5); package.json and
	// package-lock.json in testdata/nodesdk pin it and its dependencies.
	nodeSDKVersion     = "1.0.0"
	nodeSDKInstallTime = 5 * time.Minute
	nodeSDKRunTime     = 2 * time.Minute
	// nodeSDKPortWait bounds how long the test waits for another run (say a concurrent
	// `go test ./...`) to free port 443 before failing, when it binds the machine's own port.
	nodeSDKPortWait = 60 * time.Second
	// nodeSDKChildEnv, in the re-run test's environment, names the directory the SDK was
	// installed in: the test then runs the flow in the namespace it was started in.
	nodeSDKChildEnv = "JPCHECK_NODESDK_DIR"
)

func TestNodeSDKFlow(t *testing.T) {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := fmt.Sprintf("%s not installed (%v): make test installs Node.js and npm (scripts/test-deps.sh)", tool, err)
			if os.Getenv("JPCHECK_REQUIRE_TOOLS") == "1" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	if dir := os.Getenv(nodeSDKChildEnv); dir != "" {
		// The re-run, in its own network namespace: bring its loopback up and take 443.
		if err := loopbackUp(); err != nil {
			t.Fatalf("bring up the namespace's loopback: %v", err)
		}
		ln, err := net.Listen("tcp4", "127.0.0.1:443")
		if err != nil {
			t.Fatalf("listen on 127.0.0.1:443 in the test's own network namespace: %v", err)
		}
		t.Cleanup(func() { ln.Close() })
		nodeSDKFlow(t, ln, dir)
		return
	}
	dir := nodeSDKInstall(t) // outside any namespace: npm may need the registry
	if nodeSDKInNamespace(t, dir) {
		return
	}
	nodeSDKFlow(t, nodeSDKListen443(t), dir)
}

// nodeSDKFlow serves the mock over TLS on ln and runs flow.js (installed in dir) against it:
// create, pay, status over Basic auth and over JWE, refund.
func nodeSDKFlow(t *testing.T, ln net.Listener, dir string) {
	keys, err := NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	mockLog := &nodeSDKLog{}
	s, err := New(Config{Keys: keys, Log: mockLog})
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, caPEM, err := NewTLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	// The requests the SDK made, recorded here rather than read from the mock's log format.
	seen := &nodeSDKLog{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(seen, "%s %s\n", r.Method, r.URL.Path)
		s.ServeHTTP(w, r)
	})
	srv := &http.Server{
		Handler:           handler,
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          log.New(mockLog, "", 0),
	}
	served := make(chan error, 1)
	go func() { served <- srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close()
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
		s.Close()
		if t.Failed() {
			t.Logf("mock log:\n%s", mockLog)
		}
	})

	files := map[string][]byte{"ca.pem": caPEM}
	if files["server_public.pem"], err = keys.ServerPublicKeyPEM(); err != nil {
		t.Fatal(err)
	}
	if files["merchant_private.pem"], err = keys.MerchantPrivateKeyPEM(); err != nil {
		t.Fatal(err)
	}
	secrets := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(secrets, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	orderID, refundID := randomID("nodesdk", 6), randomID("rfnd", 8)
	jweOrderID, jweRefundID := randomID("nodejwe", 6), randomID("rfnd", 8)
	const merchantID = "node_sdk_merchant"
	env := append(os.Environ(),
		"NODE_EXTRA_CA_CERTS="+filepath.Join(secrets, "ca.pem"),
		"JPCHECK_BASE_URL=https://127.0.0.1",
		"JPCHECK_MERCHANT_ID="+merchantID,
		"JPCHECK_API_KEY="+DefaultAPIKey,
		"JPCHECK_KEY_ID="+keys.KeyID(),
		"JPCHECK_SERVER_PUBLIC_KEY_FILE="+filepath.Join(secrets, "server_public.pem"),
		"JPCHECK_MERCHANT_PRIVATE_KEY_FILE="+filepath.Join(secrets, "merchant_private.pem"),
		"JPCHECK_ORDER_ID="+orderID,
		"JPCHECK_REFUND_ID="+refundID,
		"JPCHECK_JWE_ORDER_ID="+jweOrderID,
		"JPCHECK_JWE_REFUND_ID="+jweRefundID,
	)
	steps := nodeSDKRun(t, dir, env)

	create := nodeSDKResult(t, steps, "order.create")
	nodeSDKStrict(t, s, contracts.KindOrderCreate, "order.create", create)
	nodeSDKWant(t, "order.create", create, map[string]any{"status": "CREATED", "status_id": 1.0, "order_id": orderID})
	if id, _ := create["id"].(string); id == "" {
		t.Errorf("order.create: no id: %v", create["id"])
	}
	if links, _ := create["payment_links"].(map[string]any); links["web"] == nil {
		t.Errorf("order.create: no payment_links.web: %v", create["payment_links"])
	}

	pay := nodeSDKResult(t, steps, "payments.create")
	nodeSDKStrict(t, s, contracts.KindTxn, "payments.create", pay)
	nodeSDKWant(t, "payments.create", pay, map[string]any{"order_id": orderID, "status": "CHARGED"})
	txnID, _ := pay["txn_id"].(string)
	if txnID == "" {
		t.Errorf("payments.create: no txn_id: %v", pay["txn_id"])
	}

	basic := nodeSDKResult(t, steps, "order.status basic")
	nodeSDKStrict(t, s, contracts.KindOrderStatus, "order.status basic", basic)
	nodeSDKWant(t, "order.status basic", basic, map[string]any{
		"order_id": orderID, "status": "CHARGED", "status_id": 21.0, "amount": 100.5, "currency": "INR",
		"customer_id": "cust_node_sdk", "merchant_id": merchantID, "txn_id": txnID, "payment_method_type": "CARD",
	})
	if card, _ := basic["card"].(map[string]any); card["last_four_digits"] != "1111" {
		t.Errorf("order.status basic: card %v, want last_four_digits 1111", basic["card"])
	}

	// The JWE answer is the same order, decrypted and verified by the SDK itself.
	viaJWE := nodeSDKResult(t, steps, "order.status jwe")
	nodeSDKStrict(t, s, contracts.KindOrderStatus, "order.status jwe", viaJWE)
	if !reflect.DeepEqual(viaJWE, basic) {
		a, _ := json.Marshal(basic)
		b, _ := json.Marshal(viaJWE)
		t.Errorf("order.status over JWE differs from over Basic auth:\nbasic %s\njwe   %s", a, b)
	}

	nodeSDKRefund(t, s, steps, "order.refund", orderID, refundID, 20.25)

	// With jweAuth: create (Basic: the SDK has no JWE order create), then pay, status and
	// refund through the encrypted /v4 paths, each answer decrypted and verified by the SDK.
	jweCreate := nodeSDKResult(t, steps, "jwe order.create")
	nodeSDKStrict(t, s, contracts.KindOrderCreate, "jwe order.create", jweCreate)
	nodeSDKWant(t, "jwe order.create", jweCreate, map[string]any{"status": "CREATED", "order_id": jweOrderID})
	jwePay := nodeSDKResult(t, steps, "jwe payments.create")
	nodeSDKStrict(t, s, contracts.KindTxn, "jwe payments.create", jwePay)
	nodeSDKWant(t, "jwe payments.create", jwePay, map[string]any{"order_id": jweOrderID, "status": "CHARGED"})
	jweStatus := nodeSDKResult(t, steps, "jwe order.status")
	nodeSDKStrict(t, s, contracts.KindOrderStatus, "jwe order.status", jweStatus)
	nodeSDKWant(t, "jwe order.status", jweStatus, map[string]any{
		"order_id": jweOrderID, "status": "CHARGED", "amount": 200.0, "txn_id": jwePay["txn_id"], "merchant_id": merchantID,
	})
	nodeSDKRefund(t, s, steps, "jwe order.refund", jweOrderID, jweRefundID, 50.5)

	// The SDK chose the paths the facts describe (§ 2.5, § 5.1): with jweAuth, payments,
	// status and refunds go to /v4; everything else Basic auth on the plain paths.
	wantSeen := strings.Join([]string{
		"POST /orders", "POST /txns", "GET /orders/" + orderID, "POST /v4/order-status", "POST /orders/" + orderID + "/refunds",
		"POST /orders", "POST /v4/txns", "POST /v4/order-status", "POST /v4/orders/" + jweOrderID + "/refunds",
	}, "\n") + "\n"
	if got := seen.String(); got != wantSeen {
		t.Errorf("the SDK sent\n%swant\n%s", got, wantSeen)
	}
}

// nodeSDKRefund checks an order.refund answer: the order, strict, listing the refund with its
// amount and a status.
func nodeSDKRefund(t *testing.T, s *Server, steps map[string]nodeSDKStep, step, orderID, refundID string, amount float64) {
	t.Helper()
	refund := nodeSDKResult(t, steps, step)
	nodeSDKStrict(t, s, contracts.KindOrderStatus, step, refund)
	nodeSDKWant(t, step, refund, map[string]any{"order_id": orderID})
	refunds, _ := refund["refunds"].([]any)
	for _, r := range refunds {
		r, _ := r.(map[string]any)
		if r["unique_request_id"] == refundID {
			nodeSDKWant(t, step+" refunds[]", r, map[string]any{"amount": amount})
			if r["status"] == nil {
				t.Errorf("%s: refund %s has no status", step, refundID)
			}
			return
		}
	}
	t.Errorf("%s: no refund with unique_request_id %s in %v", step, refundID, refund["refunds"])
}

// nodeSDKListen443 listens on 127.0.0.1:443, skipping where this user may not bind it and
// waiting a bounded time while another run holds it.
func nodeSDKListen443(t *testing.T) net.Listener {
	t.Helper()
	deadline := time.Now().Add(nodeSDKPortWait)
	for {
		ln, err := net.Listen("tcp4", "127.0.0.1:443")
		switch {
		case err == nil:
			// Serving closes it too; this covers a test that stops before serving.
			t.Cleanup(func() { ln.Close() })
			return ln
		case errors.Is(err, syscall.EACCES) || errors.Is(err, os.ErrPermission):
			t.Skipf("cannot bind 127.0.0.1:443, which the Node SDK requires (run as root or with CAP_NET_BIND_SERVICE): %v", err)
		case errors.Is(err, syscall.EADDRINUSE) && time.Now().Before(deadline):
			time.Sleep(time.Second)
		default:
			t.Fatalf("listen on 127.0.0.1:443 (the Node SDK only speaks to port 443): %v", err)
		}
	}
}

// nodeSDKInstall installs the SDK (versions pinned by testdata/nodesdk/package-lock.json) with
// flow.js into a fresh directory and returns it. npm's download cache lives in the user cache
// directory, so later runs install from it without the registry.
func nodeSDKInstall(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"package.json", "package-lock.json", "flow.js"} {
		b, err := os.ReadFile(filepath.Join("testdata", "nodesdk", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"ci", "--no-audit", "--no-fund", "--prefer-offline", "--prefix", dir}
	if cache, err := os.UserCacheDir(); err == nil {
		args = append(args, "--cache", filepath.Join(cache, "jpcheck-npm"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), nodeSDKInstallTime)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false")
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("npm %s: %v (timeout %s)\n%s", strings.Join(args, " "), err, nodeSDKInstallTime, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", "expresscheckout-nodejs", "package.json"))
	if err != nil {
		t.Fatalf("npm installed no expresscheckout-nodejs: %v\n%s", err, out)
	}
	var pkg struct{ Version string }
	if err := json.Unmarshal(b, &pkg); err != nil || pkg.Version != nodeSDKVersion {
		t.Fatalf("installed expresscheckout-nodejs %q (%v), want %s", pkg.Version, err, nodeSDKVersion)
	}
	return dir
}

// nodeSDKStep is one line flow.js prints.
type nodeSDKStep struct {
	Step   string          `json:"step"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

// nodeSDKRun runs flow.js in dir (killed after nodeSDKRunTime) and returns its lines by step.
func nodeSDKRun(t *testing.T, dir string, env []string) map[string]nodeSDKStep {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), nodeSDKRunTime)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "flow.js")
	cmd.Dir = dir // the SDK reads package.json from the working directory
	cmd.Env = env
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("node flow.js killed after %s\nstdout:\n%s\nstderr:\n%s", nodeSDKRunTime, &stdout, &stderr)
	}
	if err != nil {
		t.Errorf("node flow.js: %v\nstderr:\n%s", err, &stderr)
	}
	steps := map[string]nodeSDKStep{}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var st nodeSDKStep
		if json.Unmarshal(line, &st) != nil || st.Step == "" {
			t.Logf("node: %s", line)
			continue
		}
		if _, dup := steps[st.Step]; dup {
			t.Errorf("step %s printed twice", st.Step)
		}
		steps[st.Step] = st
		if !st.OK {
			t.Errorf("%s failed: %s", st.Step, st.Error)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read node output: %v", err)
	}
	return steps
}

// nodeSDKResult is what the SDK returned for a step, without the http key it adds to every
// response (facts § 2.5), so the rest is the mock's body as the SDK parsed (or decrypted) it.
func nodeSDKResult(t *testing.T, steps map[string]nodeSDKStep, step string) map[string]any {
	t.Helper()
	st, ok := steps[step]
	if !ok {
		t.Fatalf("node printed no line for %s", step)
	}
	if !st.OK {
		t.FailNow() // already reported by nodeSDKRun, with the error
	}
	var m map[string]any
	if err := json.Unmarshal(st.Result, &m); err != nil {
		t.Fatalf("%s: result is not an object: %v: %.300s", step, err, st.Result)
	}
	if _, ok := m["http"].(map[string]any); !ok {
		t.Errorf("%s: no http key: did the SDK return this object?", step)
	}
	delete(m, "http")
	return m
}

// nodeSDKStrict fails the test unless body validates as kind under the strict profile.
func nodeSDKStrict(t *testing.T, s *Server, kind contracts.Kind, step string, body map[string]any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	// Not requireStrict: two steps share a kind, so the findings are named by step.
	res, err := s.set.Validate(kind, b, strictOptions)
	reportFindings(t, fmt.Sprintf("%s (%s)", step, kind), res, err)
}

// nodeSDKWant checks fields of got; JSON numbers compare as float64.
func nodeSDKWant(t *testing.T, step string, got, want map[string]any) {
	t.Helper()
	for k, w := range want {
		if g := got[k]; !reflect.DeepEqual(g, w) {
			t.Errorf("%s: %s = %#v, want %#v", step, k, g, w)
		}
	}
}

// nodeSDKLog collects the mock's request log (and the HTTP server's errors) for the test to
// check and to print on failure; the server writes from its own goroutines.
type nodeSDKLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *nodeSDKLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *nodeSDKLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
