package mock

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
)

const (
	hookTestUser     = "hookuser"
	hookTestPassword = "s3cret:with colon"
)

// hookReceiver is a merchant's webhook endpoint: it checks Basic auth, answers each POST with
// status(n) (n counts from 1), and keeps the bodies it answered 200.
type hookReceiver struct {
	srv    *httptest.Server
	status func(n int) int

	mu       sync.Mutex
	n        int
	received [][]byte // bodies answered 200, in arrival order
	problems []string // bad auth, method or content type
}

func hookNewReceiver(t *testing.T, status func(n int) int) *hookReceiver {
	t.Helper()
	rc := &hookReceiver{status: status}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		user, pass, ok := r.BasicAuth()
		if !ok || user != hookTestUser || pass != hookTestPassword {
			rc.problems = append(rc.problems, "bad auth: "+r.Header.Get("Authorization"))
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			rc.problems = append(rc.problems, r.Method+" "+r.Header.Get("Content-Type"))
		}
		rc.n++
		code := rc.status(rc.n)
		if code == http.StatusOK {
			rc.received = append(rc.received, body)
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *hookReceiver) snapshot() (received [][]byte, problems []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.received), slices.Clone(rc.problems)
}

// hookStuckReceiver never answers: each request waits for its context to end or for the test's
// cleanup, which releases it before closing the server so Close does not wait forever.
func hookStuckReceiver(t *testing.T) *httptest.Server {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	return srv
}

// hookTestServer starts a mock whose webhooks go to url with the test credentials.
func hookTestServer(t *testing.T, url string, retries ...time.Duration) (*Server, *httptest.Server) {
	t.Helper()
	if retries == nil {
		retries = []time.Duration{}
	}
	return testServer(t, Config{WebhookURL: url, WebhookUser: hookTestUser, WebhookPassword: hookTestPassword, WebhookRetries: retries})
}

// hookMerchant is the merchant the webhook tests pay as.
var hookMerchant = map[string]string{"x-merchantid": "hook_merchant"}

// hookPay creates order id and pays it with card; it returns the txn status.
func hookPay(t *testing.T, srv *httptest.Server, id, card string) string {
	t.Helper()
	if r := testRequest(t, srv, "POST", "/orders", url.Values{"order_id": {id}, "amount": {"100.00"}}, hookMerchant); r.code != http.StatusOK {
		t.Fatalf("create %s: %d %s", id, r.code, r.body)
	}
	r := testRequest(t, srv, "POST", "/txns", url.Values{"order_id": {id}, "payment_method_type": {"CARD"}, "card_number": {card}, "card_exp_month": {"12"}, "card_exp_year": {"2030"}, "name_on_card": {"Hook Test"}}, hookMerchant)
	if r.code != http.StatusOK {
		t.Fatalf("pay %s: %d %s", id, r.code, r.body)
	}
	var txn struct{ Status string }
	if err := json.Unmarshal(r.body, &txn); err != nil {
		t.Fatal(err)
	}
	return txn.Status
}

type hookAttempt struct {
	At         string  `json:"at"`
	StatusCode int     `json:"status_code"`
	Error      string  `json:"error"`
	DurationMS float64 `json:"duration_ms"`
}

type hookDelivery struct {
	ID        string          `json:"id"`
	EventName string          `json:"event_name"`
	OrderID   string          `json:"order_id"`
	Body      json.RawMessage `json:"body"`
	Attempts  []hookAttempt   `json:"attempts"`
	Delivered bool            `json:"delivered"`
	GivenUp   bool            `json:"given_up"`
	Error     string          `json:"error"`
}

// hookList reads GET /_mock/webhooks (query may filter).
func hookList(t *testing.T, srv *httptest.Server, query string) []hookDelivery {
	t.Helper()
	res, err := srv.Client().Get(srv.URL + "/_mock/webhooks" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Deliveries []hookDelivery `json:"deliveries"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /_mock/webhooks: %d %v", res.StatusCode, err)
	}
	if out.Deliveries == nil {
		t.Fatal(`GET /_mock/webhooks: "deliveries" missing or null`)
	}
	return out.Deliveries
}

// hookWait polls the delivery list until done holds, for at most 20 s.
func hookWait(t *testing.T, srv *httptest.Server, query string, done func([]hookDelivery) bool) []hookDelivery {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ds := hookList(t, srv, query)
		if done(ds) {
			return ds
		}
		if time.Now().After(deadline) {
			b, _ := json.MarshalIndent(ds, "", " ")
			t.Fatalf("deliveries did not settle in 20s:\n%s", b)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// hookSettled is true when there are n deliveries and each is delivered or given up.
func hookSettled(n int) func([]hookDelivery) bool {
	return func(ds []hookDelivery) bool {
		if len(ds) != n {
			return false
		}
		for _, d := range ds {
			if !d.Delivered && !d.GivenUp {
				return false
			}
		}
		return true
	}
}

func hookEvents(ds []hookDelivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.EventName)
	}
	return out
}

func hookBodyEvent(t *testing.T, body []byte) string {
	t.Helper()
	var env struct {
		EventName string `json:"event_name"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("webhook body is not JSON: %v: %s", err, body)
	}
	return env.EventName
}

var hookEventID = regexp.MustCompile(`^evt_V2_[0-9a-f]{32}$`)

// A failing receiver gets the same delivery again until it answers 200; later events wait for
// it, so the receiver sees them in the order they happened.
func TestWebhookRetriedUntil200InOrder(t *testing.T) {
	rc := hookNewReceiver(t, func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	_, srv := hookTestServer(t, rc.srv.URL, time.Millisecond, 2*time.Millisecond, 3*time.Millisecond)
	if st := hookPay(t, srv, "hook-retry-1", "4111111111111111"); st != "CHARGED" {
		t.Fatalf("txn status %s, want CHARGED", st)
	}
	ds := hookWait(t, srv, "", hookSettled(3))
	want := []string{"TXN_CREATED", "TXN_CHARGED", "ORDER_SUCCEEDED"}
	if got := hookEvents(ds); !slices.Equal(got, want) {
		t.Fatalf("recorded events %v, want %v", got, want)
	}
	first := ds[0]
	var codes []int
	for _, a := range first.Attempts {
		codes = append(codes, a.StatusCode)
		if a.At == "" || a.DurationMS < 0 {
			t.Errorf("attempt %+v: want at and a non-negative duration_ms", a)
		}
		if (a.StatusCode == http.StatusOK) != (a.Error == "") {
			t.Errorf("attempt %+v: error must be empty exactly on a 200", a)
		}
	}
	if !slices.Equal(codes, []int{500, 500, 200}) || !first.Delivered || first.GivenUp {
		t.Errorf("first delivery attempts %v delivered=%v given_up=%v, want [500 500 200] delivered", codes, first.Delivered, first.GivenUp)
	}
	for _, d := range ds {
		if !d.Delivered || d.OrderID != "hook-retry-1" || !hookEventID.MatchString(d.ID) {
			t.Errorf("delivery %s %s: delivered=%v order_id=%q id=%q", d.ID, d.EventName, d.Delivered, d.OrderID, d.ID)
		}
	}
	received, problems := rc.snapshot()
	if len(problems) > 0 {
		t.Errorf("receiver saw: %v", problems)
	}
	var got []string
	for i, b := range received {
		got = append(got, hookBodyEvent(t, b))
		// The record holds the body exactly as sent.
		if i < len(ds) && string(b) != string(ds[i].Body) {
			t.Errorf("delivery %d: recorded body differs from the one received", i)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("receiver got %v, want %v", got, want)
	}
}

// After the schedule runs out the delivery is given up, and the next one is tried.
func TestWebhookGivenUpAfterSchedule(t *testing.T) {
	rc := hookNewReceiver(t, func(int) int { return http.StatusServiceUnavailable })
	_, srv := hookTestServer(t, rc.srv.URL, time.Millisecond, 2*time.Millisecond)
	hookPay(t, srv, "hook-giveup-1", "4000000000000002")
	ds := hookWait(t, srv, "", hookSettled(3))
	for _, d := range ds {
		if d.Delivered || !d.GivenUp || len(d.Attempts) != 3 {
			t.Errorf("%s: delivered=%v given_up=%v attempts=%d, want given up after 3", d.EventName, d.Delivered, d.GivenUp, len(d.Attempts))
		}
		for _, a := range d.Attempts {
			if a.StatusCode != http.StatusServiceUnavailable || !strings.Contains(a.Error, "503") {
				t.Errorf("%s attempt %+v: want 503 with an error", d.EventName, a)
			}
		}
	}
	if _, problems := rc.snapshot(); len(problems) > 0 {
		t.Errorf("receiver saw: %v", problems)
	}
}

// With no URL nothing is sent, but every webhook is listed with no attempts.
func TestWebhookNoURLRecordsOnly(t *testing.T) {
	_, srv := hookTestServer(t, "")
	hookPay(t, srv, "hook-nourl-1", "4111111111111111")
	ds := hookList(t, srv, "")
	if got, want := hookEvents(ds), []string{"TXN_CREATED", "TXN_CHARGED", "ORDER_SUCCEEDED"}; !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for _, d := range ds {
		if d.Attempts == nil || len(d.Attempts) != 0 || d.Delivered || d.GivenUp {
			t.Errorf("%s: attempts=%v delivered=%v given_up=%v, want [] and neither", d.EventName, d.Attempts, d.Delivered, d.GivenUp)
		}
	}
}

// Unreachable, malformed and redirecting URLs are failed attempts, never a crash or a hang.
func TestWebhookBadTargets(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	redirect := httptest.NewServer(http.RedirectHandler("http://127.0.0.1:1/", http.StatusFound))
	t.Cleanup(redirect.Close)
	tests := []struct {
		name, url string
		code      int
	}{
		{"connection refused", closedURL, 0},
		{"malformed", "http://[::1", 0},
		{"not http", "ftp://127.0.0.1/hook", 0},
		{"redirect is not followed", redirect.URL, http.StatusFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := hookTestServer(t, tt.url, time.Millisecond)
			hookPay(t, srv, "hook-bad-1", "4111111111111111")
			ds := hookWait(t, srv, "?event_name=TXN_CREATED", hookSettled(1))
			d := ds[0]
			if !d.GivenUp || len(d.Attempts) != 2 {
				t.Fatalf("given_up=%v attempts=%d, want given up after 2", d.GivenUp, len(d.Attempts))
			}
			for _, a := range d.Attempts {
				if a.StatusCode != tt.code || a.Error == "" {
					t.Errorf("attempt %+v: want status_code %d and an error", a, tt.code)
				}
			}
		})
	}
}

// An attempt that gets no answer in time is a failure (status_code 0).
func TestWebhookAttemptTimeout(t *testing.T) {
	hang := hookStuckReceiver(t)
	h := newWebhooks(Config{WebhookURL: hang.URL, WebhookRetries: []time.Duration{}})
	t.Cleanup(h.close)
	h.timeout = 20 * time.Millisecond // before the first send, so the worker sees it
	h.send("ORDER_SUCCEEDED", "order", map[string]any{"order_id": "hook-timeout-1"})
	srv := httptest.NewServer(http.HandlerFunc(h.handleList))
	t.Cleanup(srv.Close)
	ds := hookWait(t, srv, "", hookSettled(1))
	if a := ds[0].Attempts; len(a) != 1 || a[0].StatusCode != 0 || !strings.Contains(a[0].Error, "deadline") {
		t.Errorf("attempts %+v, want one that timed out", a)
	}
}

// close ends a delivery waiting for its retry at once, marks what was pending given up, and
// may be called again.
func TestWebhookCloseAbandonsPending(t *testing.T) {
	rc := hookNewReceiver(t, func(int) int { return http.StatusBadGateway })
	h := newWebhooks(Config{WebhookURL: rc.srv.URL, WebhookUser: hookTestUser, WebhookPassword: hookTestPassword, WebhookRetries: []time.Duration{time.Hour}})
	h.send("TXN_CREATED", "order", map[string]any{"order_id": "hook-close-1"})
	h.send("ORDER_FAILED", "order", map[string]any{"order_id": "hook-close-1"})
	srv := httptest.NewServer(http.HandlerFunc(h.handleList))
	t.Cleanup(srv.Close)
	hookWait(t, srv, "", func(ds []hookDelivery) bool { return len(ds) == 2 && len(ds[0].Attempts) == 1 })
	closed := make(chan struct{})
	go func() {
		h.close()
		h.close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(20 * time.Second):
		t.Fatal("close did not return while a retry was an hour away")
	}
	h.send("ORDER_FAILED", "order", map[string]any{"order_id": "hook-close-2"})
	ds := hookList(t, srv, "")
	if len(ds) != 3 {
		t.Fatalf("%d deliveries, want 3", len(ds))
	}
	for _, d := range ds {
		if d.Delivered || !d.GivenUp || !strings.Contains(d.Error, "closed") {
			t.Errorf("%s %s: delivered=%v given_up=%v error=%q, want given up as closed", d.OrderID, d.EventName, d.Delivered, d.GivenUp, d.Error)
		}
	}
	if len(ds[0].Attempts) != 1 || len(ds[1].Attempts) != 0 {
		t.Errorf("attempts %d and %d, want 1 then 0", len(ds[0].Attempts), len(ds[1].Attempts))
	}
}

// Every webhook the mock sends, for a payment, a failed payment and a refund, validates as a
// webhook under strict.
func TestWebhookBodiesAreStrict(t *testing.T) {
	rc := hookNewReceiver(t, func(int) int { return http.StatusOK })
	s, srv := hookTestServer(t, rc.srv.URL, time.Millisecond)
	hookPay(t, srv, "hook-strict-ok", "4111111111111111")
	hookPay(t, srv, "hook-strict-fail", "4000000000000002")
	if r := testRequest(t, srv, "POST", "/orders/hook-strict-ok/refunds", url.Values{"unique_request_id": {"hook-r1"}, "amount": {"40.00"}}, hookMerchant); r.code != http.StatusOK {
		t.Fatalf("refund: %d %s", r.code, r.body)
	}
	ds := hookWait(t, srv, "", hookSettled(8))
	want := []string{"TXN_CREATED", "TXN_CHARGED", "ORDER_SUCCEEDED", "TXN_CREATED", "TXN_FAILED", "ORDER_FAILED", "REFUND_INITIATED", "ORDER_REFUNDED"}
	if got := hookEvents(ds); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	received, problems := rc.snapshot()
	if len(problems) > 0 || len(received) != len(want) {
		t.Fatalf("receiver got %d bodies (problems %v), want %d", len(received), problems, len(want))
	}
	for i, body := range received {
		// Not requireStrict: the findings are named by event, not by the kind all share.
		res, err := s.set.Validate(contracts.KindWebhook, body, strictOptions)
		reportFindings(t, want[i], res, err)
		var env struct {
			ID          string                     `json:"id"`
			EventName   string                     `json:"event_name"`
			DateCreated string                     `json:"date_created"`
			Content     map[string]json.RawMessage `json:"content"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatal(err)
		}
		if _, err := time.Parse(time.RFC3339, env.DateCreated); err != nil || !strings.HasSuffix(env.DateCreated, "Z") || !hookEventID.MatchString(env.ID) {
			t.Errorf("%s: id %q date_created %q, want evt_V2_<32 hex> and RFC 3339 UTC", want[i], env.ID, env.DateCreated)
		}
		key := "order"
		if strings.HasPrefix(want[i], "TXN_") && want[i] != "TXN_CREATED" {
			key = "txn"
		}
		if _, ok := env.Content[key]; !ok || len(env.Content) != 1 {
			t.Errorf("%s: content keys %v, want only %q", want[i], slices.Collect(maps.Keys(env.Content)), key)
		}
	}
	// The list filters by order and event.
	if got := hookEvents(hookList(t, srv, "?order_id=hook-strict-fail")); !slices.Equal(got, want[3:6]) {
		t.Errorf("?order_id=hook-strict-fail lists %v, want %v", got, want[3:6])
	}
	if got := hookList(t, srv, "?event_name=ORDER_REFUNDED"); len(got) != 1 || got[0].OrderID != "hook-strict-ok" {
		t.Errorf("?event_name=ORDER_REFUNDED lists %v", hookEvents(got))
	}
}

// The record list keeps only the newest deliveries, and the queue behind a stuck receiver is
// bounded: past it a delivery is given up at once.
func TestWebhookRecordsAndQueueBounded(t *testing.T) {
	stuck := hookStuckReceiver(t)
	h := newWebhooks(Config{WebhookURL: stuck.URL, WebhookRetries: []time.Duration{}})
	t.Cleanup(h.close)
	// The worker takes the first delivery and blocks on it; the rest fill the queue.
	total := webhookMaxPending + 1 + 5
	for i := range total {
		h.send("ORDER_SUCCEEDED", "order", map[string]any{"order_id": fmt.Sprintf("hook-q-%d", i)})
	}
	srv := httptest.NewServer(http.HandlerFunc(h.handleList))
	t.Cleanup(srv.Close)
	ds := hookList(t, srv, "")
	if len(ds) != webhookMaxRecords {
		t.Fatalf("%d records, want the newest %d", len(ds), webhookMaxRecords)
	}
	if last := ds[len(ds)-1].OrderID; last != fmt.Sprintf("hook-q-%d", total-1) {
		t.Errorf("newest record is %s, want hook-q-%d", last, total-1)
	}
	full := 0
	for _, d := range ds {
		if d.GivenUp && strings.Contains(d.Error, "queue full") {
			full++
		}
	}
	// The worker may not have taken the first delivery yet, so the overflow is 5 or 6.
	if full < 5 || full > 6 {
		t.Errorf("%d deliveries given up as queue full, want 5 or 6", full)
	}
	// Many more only with no URL: nothing queued, records trimmed.
	h2 := newWebhooks(Config{})
	defer h2.close()
	for i := range 2*webhookMaxRecords + 3 {
		h2.send("TXN_CREATED", "order", map[string]any{"order_id": fmt.Sprintf("hook-r-%d", i)})
	}
	h2.mu.Lock()
	n := len(h2.records)
	h2.mu.Unlock()
	if n > 2*webhookMaxRecords {
		t.Errorf("%d records held, want at most %d", n, 2*webhookMaxRecords)
	}
}

// The schedule a server uses is its own copy: changing the config's slice later, or the
// default, does not change it.
func TestWebhookScheduleIsCopied(t *testing.T) {
	sched := []time.Duration{time.Millisecond}
	h := newWebhooks(Config{WebhookRetries: sched})
	defer h.close()
	sched[0] = time.Hour
	if h.retries[0] != time.Millisecond {
		t.Errorf("retries follow the caller's slice: %v", h.retries)
	}
	d := newWebhooks(Config{})
	defer d.close()
	if !slices.Equal(d.retries, DefaultWebhookRetries) || &d.retries[0] == &DefaultWebhookRetries[0] {
		t.Errorf("nil schedule: %v, want a copy of %v", d.retries, DefaultWebhookRetries)
	}
}
