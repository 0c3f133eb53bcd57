package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fault-injecting wrapper around the reference implementation: it breaks one field of the
// JSON a matching response or webhook carries, so the mutation test can check that the suites
// notice. It lives in test files because only the mutation test needs it.

// faultOp is what a fault does at its pointer.
type faultOp string

const (
	// faultRemove deletes the member or array element the pointer names.
	faultRemove faultOp = "remove"
	// faultSet replaces (or adds, for an object member) the value the pointer names.
	faultSet faultOp = "set"
)

// fault breaks one field of a JSON document: an RFC 6901 pointer from the payload root and
// what to do there.
type fault struct {
	Op      faultOp
	Pointer string
	// Value is the JSON text faultSet puts at Pointer.
	Value json.RawMessage
}

func (f fault) String() string {
	if f.Op == faultSet {
		v := string(f.Value)
		if len(v) > 40 {
			v = v[:37] + "..."
		}
		return fmt.Sprintf("set %s = %s", f.Pointer, v)
	}
	return fmt.Sprintf("%s %s", f.Op, f.Pointer)
}

// errFaultNotJSON says the body was not one JSON value; the wrapper passes such bodies on.
var errFaultNotJSON = errors.New("body is not a JSON value")

// apply returns doc with the fault applied. Numbers keep their text; object keys come out
// sorted, which changes no meaning.
func (f fault) apply(doc []byte) ([]byte, error) {
	tokens, err := pointerTokens(f.Pointer)
	if err != nil {
		return nil, err
	}
	root, err := decodeFaultJSON(doc)
	if err != nil {
		return nil, err
	}
	var value any
	switch f.Op {
	case faultSet:
		if value, err = decodeFaultJSON(f.Value); err != nil {
			return nil, fmt.Errorf("fault value %q: %w", f.Value, err)
		}
	case faultRemove:
		if len(tokens) == 0 {
			return nil, errors.New("cannot remove the payload root")
		}
	default:
		return nil, fmt.Errorf("unknown fault op %q", f.Op)
	}
	if len(tokens) == 0 {
		root = value
	} else if root, err = rewriteAt(root, tokens, f.Op, value, ""); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func decodeFaultJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %v", errFaultNotJSON, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the value", errFaultNotJSON)
	}
	return v, nil
}

// pointerTokens splits an RFC 6901 pointer into its unescaped reference tokens.
func pointerTokens(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("pointer %q does not start with /", p)
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		parts[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
	}
	return parts, nil
}

// rewriteAt applies op below node and returns the new node; at names node for errors.
func rewriteAt(node any, tokens []string, op faultOp, value any, at string) (any, error) {
	tok, last := tokens[0], len(tokens) == 1
	here := at + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(tok)
	switch n := node.(type) {
	case map[string]any:
		child, ok := n[tok]
		switch {
		case last && op == faultRemove:
			if !ok {
				return nil, fmt.Errorf("%s: no such member", here)
			}
			delete(n, tok)
		case last:
			n[tok] = value
		case !ok:
			return nil, fmt.Errorf("%s: no such member", here)
		default:
			c, err := rewriteAt(child, tokens[1:], op, value, here)
			if err != nil {
				return nil, err
			}
			n[tok] = c
		}
		return n, nil
	case []any:
		i, err := strconv.Atoi(tok)
		if err != nil || i < 0 || i >= len(n) || strconv.Itoa(i) != tok {
			return nil, fmt.Errorf("%s: no such element (array of %d)", here, len(n))
		}
		switch {
		case last && op == faultRemove:
			return append(n[:i:i], n[i+1:]...), nil
		case last:
			n[i] = value
		default:
			c, err := rewriteAt(n[i], tokens[1:], op, value, here)
			if err != nil {
				return nil, err
			}
			n[i] = c
		}
		return n, nil
	default:
		return nil, fmt.Errorf("%s: %s is not an object or array", here, at)
	}
}

// faultLog counts what a wrapper did, so a survivor can be told apart from a fault that was
// never injected (the suites never made that request, or the pointer was not in the body).
type faultLog struct {
	mu      sync.Mutex
	applied int
	misses  []string
}

func (l *faultLog) hit() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.applied++
}

func (l *faultLog) miss(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.misses) < 10 {
		l.misses = append(l.misses, fmt.Sprintf(format, args...))
	}
}

func (l *faultLog) snapshot() (int, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.applied, append([]string(nil), l.misses...)
}

// faultyHandler serves next and applies its fault to the JSON body of the answers to method
// on a path matching pathPattern (path.Match syntax: /orders/* is any one order). Everything
// else passes through untouched; so does a body that is not JSON, logged as a miss.
type faultyHandler struct {
	next        http.Handler
	method      string
	pathPattern string
	fault       fault
	log         faultLog
}

func (h *faultyHandler) matches(r *http.Request) bool {
	if r.Method != h.method {
		return false
	}
	ok, err := path.Match(h.pathPattern, r.URL.Path)
	return ok && err == nil
}

func (h *faultyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.matches(r) {
		h.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	h.next.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if out, err := h.fault.apply(body); err != nil {
		h.log.miss("%s %s: %v", r.Method, r.URL.Path, err)
	} else {
		body = out
		h.log.hit()
	}
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	w.Write(body)
}

// maxProxiedWebhook bounds a webhook body the proxy reads.
const maxProxiedWebhook = 4 << 20

// webhookProxy sits between the reference implementation and the receiver under test: it
// applies its fault to deliveries of one event and forwards every delivery, headers and all,
// answering the sender with the receiver's answer.
type webhookProxy struct {
	// target is the receiver's URL; it may not be up yet, so forwarding retries for a while.
	target string
	// event is the event_name whose deliveries get the fault; empty breaks none.
	event string
	fault fault
	// retryFor bounds the retries; it stays under the sender's own attempt timeout (10 s).
	retryFor time.Duration
	// stop ends pending retries when the test is over.
	stop   <-chan struct{}
	client *http.Client
	log    faultLog
}

func (p *webhookProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxProxiedWebhook+1))
	if err != nil || len(body) > maxProxiedWebhook {
		http.Error(w, "proxy: cannot read the webhook", http.StatusBadRequest)
		return
	}
	var env struct {
		EventName string `json:"event_name"`
	}
	if p.event != "" && json.Unmarshal(body, &env) == nil && env.EventName == p.event {
		if out, err := p.fault.apply(body); err != nil {
			p.log.miss("webhook %s: %v", env.EventName, err)
		} else {
			body = out
			p.log.hit()
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), p.retryFor)
	defer cancel()
	for {
		status, reply, err := p.forward(ctx, r.Header, body)
		if err == nil {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(status)
			w.Write(reply)
			return
		}
		select {
		case <-ctx.Done():
			http.Error(w, "proxy: receiver unreachable: "+err.Error(), http.StatusBadGateway)
			return
		case <-p.stop:
			http.Error(w, "proxy: stopped", http.StatusServiceUnavailable)
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// forward POSTs body to the receiver with the sender's headers.
func (p *webhookProxy) forward(ctx context.Context, h http.Header, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.target, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	for k, vs := range h {
		if k == "Content-Length" {
			continue
		}
		req.Header[k] = vs
	}
	client := p.client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, reply, nil
}

func TestFaultApply(t *testing.T) {
	const doc = `{"id":"o1","amount":90.50,"card":{"isin":"411111"},"refunds":[{"id":"r1"},{"id":"r2"}],"a/b":{"c~d":1}}`
	const tail = `"refunds":[{"id":"r1"},{"id":"r2"}]}`
	set := func(p, v string) fault { return fault{Op: faultSet, Pointer: p, Value: json.RawMessage(v)} }
	rm := func(p string) fault { return fault{Op: faultRemove, Pointer: p} }
	cases := []struct {
		fault fault
		want  string // the expected document; empty when an error is expected
	}{
		{rm("/id"), `{"a/b":{"c~d":1},"amount":90.50,"card":{"isin":"411111"},` + tail},
		{rm("/card/isin"), `{"a/b":{"c~d":1},"amount":90.50,"card":{},"id":"o1",` + tail},
		{rm("/refunds/0"), `{"a/b":{"c~d":1},"amount":90.50,"card":{"isin":"411111"},"id":"o1","refunds":[{"id":"r2"}]}`},
		{set("/amount", `true`), `{"a/b":{"c~d":1},"amount":true,"card":{"isin":"411111"},"id":"o1",` + tail},
		{set("/refunds/1/id", `"<&>"`), `{"a/b":{"c~d":1},"amount":90.50,"card":{"isin":"411111"},"id":"o1","refunds":[{"id":"r1"},{"id":"<&>"}]}`},
		{set("/card/pan", `"4012888888881881"`), `{"a/b":{"c~d":1},"amount":90.50,"card":{"isin":"411111","pan":"4012888888881881"},"id":"o1",` + tail},
		{set("/a~1b/c~0d", `2`), `{"a/b":{"c~d":2},"amount":90.50,"card":{"isin":"411111"},"id":"o1",` + tail},
		{set("", `[]`), `[]`},
		{rm("/nope"), ""},
		{set("/nope/x", `1`), ""},
		{rm("/refunds/2"), ""},
		{rm("/refunds/01"), ""},
		{set("/id/x", `1`), ""},
		{rm("id"), ""},
		{rm(""), ""},
		{set("/id", `{`), ""},
		{fault{Op: "swap", Pointer: "/id"}, ""},
	}
	for _, tc := range cases {
		got, err := tc.fault.apply([]byte(doc))
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("%s: got %s, want an error", tc.fault, got)
		case tc.want != "" && err != nil:
			t.Errorf("%s: %v", tc.fault, err)
		case string(got) != tc.want:
			t.Errorf("%s:\n got %s\nwant %s", tc.fault, got, tc.want)
		}
	}
}

func TestFaultApplyRefusesNonJSON(t *testing.T) {
	f := fault{Op: faultRemove, Pointer: "/a"}
	for _, body := range []string{"", "not json", `{"a":1} {"a":2}`, `{"a":1`, "<html></html>"} {
		if got, err := f.apply([]byte(body)); !errors.Is(err, errFaultNotJSON) {
			t.Errorf("apply(%q) = %q, %v; want errFaultNotJSON", body, got, err)
		}
	}
}

// faultTestBackend answers /json with a JSON body and /text with a body that is not JSON,
// both with odd spacing and headers the wrapper must keep.
func faultTestBackend() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Backend", "yes")
		switch r.URL.Path {
		case "/orders/o1", "/json":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, `{ "status" : "CHARGED",  "amount": 1.10 }`+"\n")
		default:
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusTeapot)
			io.WriteString(w, "not { json")
		}
	})
}

// faultDo sends one request, with the Basic auth a webhook sender would add, and reads the
// whole answer.
func faultDo(t *testing.T, method, url, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("hooks", "s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestFaultyHandler(t *testing.T) {
	h := &faultyHandler{
		next: faultTestBackend(), method: http.MethodGet, pathPattern: "/orders/*",
		fault: fault{Op: faultSet, Pointer: "/status", Value: json.RawMessage(`"CHARGD"`)},
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	direct := httptest.NewServer(faultTestBackend())
	defer direct.Close()

	// A matching request gets the broken body, with the backend's status and headers.
	resp, body := faultDo(t, http.MethodGet, srv.URL+"/orders/o1", "")
	if want := `{"amount":1.10,"status":"CHARGD"}`; body != want || resp.StatusCode != http.StatusAccepted ||
		resp.Header.Get("X-Backend") != "yes" || resp.ContentLength != int64(len(want)) {
		t.Errorf("matching request: %d %q (length %d, X-Backend %q), want 202 %q", resp.StatusCode, body, resp.ContentLength, resp.Header.Get("X-Backend"), want)
	}
	// Another method, another path: byte for byte what the backend says.
	for _, c := range []struct{ method, path string }{{http.MethodPost, "/orders/o1"}, {http.MethodGet, "/json"}, {http.MethodGet, "/orders/o1/refunds"}} {
		wantResp, wantBody := faultDo(t, c.method, direct.URL+c.path, "")
		resp, body := faultDo(t, c.method, srv.URL+c.path, "")
		if body != wantBody || resp.StatusCode != wantResp.StatusCode || resp.Header.Get("Content-Type") != wantResp.Header.Get("Content-Type") {
			t.Errorf("%s %s: %d %q, want %d %q unchanged", c.method, c.path, resp.StatusCode, body, wantResp.StatusCode, wantBody)
		}
	}
	if applied, misses := h.log.snapshot(); applied != 1 || len(misses) != 0 {
		t.Errorf("log: applied %d, misses %q; want 1 and none", applied, misses)
	}

	// A matching request whose body is not JSON passes unchanged and is logged as a miss.
	h.pathPattern = "/text"
	resp, body = faultDo(t, http.MethodGet, srv.URL+"/text", "")
	if body != "not { json" || resp.StatusCode != http.StatusTeapot {
		t.Errorf("non-JSON body: %d %q, want 418 %q", resp.StatusCode, body, "not { json")
	}
	if applied, misses := h.log.snapshot(); applied != 1 || len(misses) != 1 {
		t.Errorf("log: applied %d, misses %q; want 1 and one miss", applied, misses)
	}
}

// faultTestReceiver is a receiver that records what it gets, behind a proxy.
type faultTestReceiver struct {
	mu     sync.Mutex
	bodies []string
	auth   []string
}

func (rig *faultTestReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rig.mu.Lock()
	rig.bodies = append(rig.bodies, string(b))
	rig.auth = append(rig.auth, r.Header.Get("Authorization"))
	rig.mu.Unlock()
	if strings.Contains(string(b), "REJECT") {
		http.Error(w, "no", http.StatusUnauthorized)
		return
	}
	io.WriteString(w, "ok")
}

func faultPostWebhook(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, reply := faultDo(t, http.MethodPost, url, body)
	return resp.StatusCode, reply
}

func TestFaultWebhookProxy(t *testing.T) {
	// The receiver's address is chosen now and served only later, as conform's receiver is.
	addr := freeLocalAddr(t)
	rig := &faultTestReceiver{}
	stop := make(chan struct{})
	defer close(stop)
	p := &webhookProxy{
		target: "http://" + addr + "/hooks", event: "ORDER_SUCCEEDED",
		fault:    fault{Op: faultSet, Pointer: "/content/order/status_id", Value: json.RawMessage(`26`)},
		retryFor: 5 * time.Second, stop: stop,
	}
	proxy := httptest.NewServer(p)
	defer proxy.Close()

	started := make(chan *httptest.Server, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		l, err := net.Listen("tcp", addr)
		if err != nil {
			started <- nil // the port was taken meanwhile: the forwards below fail and say so
			return
		}
		srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: rig}}
		srv.Start()
		started <- srv
	}()
	defer func() {
		if srv := <-started; srv != nil {
			srv.Close()
		}
	}()

	const matching = `{"event_name": "ORDER_SUCCEEDED", "content": {"order": {"status": "CHARGED", "status_id": 21}}}`
	const other = `{"event_name":  "TXN_CHARGED", "content": {"txn": {"status_id": 21}}}`
	if code, reply := faultPostWebhook(t, proxy.URL, matching); code != http.StatusOK || reply != "ok" {
		t.Fatalf("matching delivery: %d %q, want the receiver's 200 ok", code, reply)
	}
	if code, _ := faultPostWebhook(t, proxy.URL, other); code != http.StatusOK {
		t.Fatalf("other delivery: %d, want 200", code)
	}
	if code, _ := faultPostWebhook(t, proxy.URL, "not json REJECT"); code != http.StatusUnauthorized {
		t.Fatalf("rejected delivery: %d, want the receiver's 401", code)
	}
	rig.mu.Lock()
	defer rig.mu.Unlock()
	want := []string{`{"content":{"order":{"status":"CHARGED","status_id":26}},"event_name":"ORDER_SUCCEEDED"}`, other, "not json REJECT"}
	if strings.Join(rig.bodies, "\n") != strings.Join(want, "\n") {
		t.Errorf("receiver got:\n%s\nwant:\n%s", strings.Join(rig.bodies, "\n"), strings.Join(want, "\n"))
	}
	for _, a := range rig.auth {
		if a != "Basic aG9va3M6czNjcmV0" {
			t.Errorf("receiver got Authorization %q, want the sender's", a)
		}
	}
	if applied, misses := p.log.snapshot(); applied != 1 || len(misses) != 0 {
		t.Errorf("log: applied %d, misses %q; want 1 and none", applied, misses)
	}
}

func TestFaultWebhookProxyGivesUp(t *testing.T) {
	p := &webhookProxy{target: "http://" + freeLocalAddr(t), event: "X", retryFor: 300 * time.Millisecond, stop: make(chan struct{})}
	proxy := httptest.NewServer(p)
	defer proxy.Close()
	if code, _ := faultPostWebhook(t, proxy.URL, `{}`); code != http.StatusBadGateway {
		t.Errorf("no receiver: %d, want 502", code)
	}
}
