package suites

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const rcvUser, rcvPassword = "jpcheck", "p@ss:word"

func newTestReceiver(t *testing.T, user, password string) (*Receiver, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	r, err := NewReceiver(ReceiverConfig{User: user, Password: password, Journal: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, path
}

// deliver serves one POST directly and returns the recorder.
func deliver(r *Receiver, auth string, body io.Reader) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/hooks", body)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w
}

func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// journalEntry is a journal line read back: the delivery and its body's exact bytes.
type journalEntry struct {
	Delivery
	raw  string
	body []byte
}

func readJournal(t *testing.T, path string) []journalEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []journalEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 8*MaxWebhookBytes)
	for sc.Scan() {
		line := sc.Text()
		var l struct {
			Delivery
			Body       json.RawMessage `json:"body"`
			BodyText   *string         `json:"body_text"`
			BodyBase64 string          `json:"body_base64"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("journal line is not JSON: %v: %.200s", err, line)
		}
		e := journalEntry{Delivery: l.Delivery, raw: line}
		switch {
		case l.Body != nil:
			e.body = l.Body
		case l.BodyText != nil:
			e.body = []byte(*l.BodyText)
		case l.BodyBase64 != "":
			if e.body, err = base64.StdEncoding.DecodeString(l.BodyBase64); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("journal line holds no body: %s", line)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReceiverAuth(t *testing.T) {
	r, path := newTestReceiver(t, rcvUser, rcvPassword)
	body := `{"id":"evt_1","event_name":"ORDER_SUCCEEDED","content":{"order":{"order_id":"o1"}}}`
	cases := []struct {
		name string
		auth string
		code int
		ok   bool
	}{
		{"right", basic(rcvUser, rcvPassword), 200, true},
		{"wrong password", basic(rcvUser, "nope"), 401, false},
		{"wrong user", basic("other", rcvPassword), 401, false},
		{"missing", "", 401, false},
		{"not basic", "Bearer " + rcvPassword, 401, false},
	}
	for _, c := range cases {
		w := deliver(r, c.auth, strings.NewReader(body))
		if w.Code != c.code {
			t.Errorf("%s: answered %d, want %d", c.name, w.Code, c.code)
		}
		if c.code == 401 && w.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", c.name)
		}
	}
	ds := r.Deliveries()
	lines := readJournal(t, path)
	if len(ds) != len(cases) || len(lines) != len(cases) {
		t.Fatalf("kept %d, journaled %d, want %d each: refused deliveries are evidence too", len(ds), len(lines), len(cases))
	}
	for i, c := range cases {
		if ds[i].AuthOK != c.ok || lines[i].AuthOK != c.ok {
			t.Errorf("%s: auth_ok kept %v journaled %v, want %v", c.name, ds[i].AuthOK, lines[i].AuthOK, c.ok)
		}
		if ds[i].EventID != "evt_1" || ds[i].EventName != "ORDER_SUCCEEDED" || ds[i].OrderID != "o1" || ds[i].Seq != i+1 {
			t.Errorf("%s: envelope ids %+v", c.name, ds[i])
		}
	}
}

func TestReceiverWithoutCredentialsAcceptsAny(t *testing.T) {
	r, _ := newTestReceiver(t, "", "")
	if w := deliver(r, "", strings.NewReader("{}")); w.Code != 200 {
		t.Fatalf("answered %d, want 200", w.Code)
	}
	if !r.Deliveries()[0].AuthOK {
		t.Fatal("auth_ok false with no credentials configured")
	}
}

func TestReceiverBodyBound(t *testing.T) {
	r, path := newTestReceiver(t, rcvUser, rcvPassword)
	big := bytes.Repeat([]byte("a"), MaxWebhookBytes+10)
	w := deliver(r, basic(rcvUser, rcvPassword), bytes.NewReader(big))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("answered %d, want 413", w.Code)
	}
	d := r.Deliveries()[0]
	if !d.Truncated || len(d.Body) != MaxWebhookBytes {
		t.Fatalf("truncated %v with %d bytes, want true with %d", d.Truncated, len(d.Body), MaxWebhookBytes)
	}
	lines := readJournal(t, path)
	if len(lines) != 1 || !lines[0].Truncated || !bytes.Equal(lines[0].body, big[:MaxWebhookBytes]) {
		t.Fatal("the journal does not hold the truncated delivery as kept")
	}
	exact := bytes.Repeat([]byte("b"), MaxWebhookBytes)
	if w := deliver(r, basic(rcvUser, rcvPassword), bytes.NewReader(exact)); w.Code != 200 || r.Deliveries()[1].Truncated {
		t.Fatalf("a body of exactly MaxWebhookBytes answered %d", w.Code)
	}
}

// journalCheckingWriter reads the journal when the answer's status is written, so the test
// sees what was on disk before the sender could have its 200.
type journalCheckingWriter struct {
	*httptest.ResponseRecorder
	path     string
	atAnswer []byte
}

func (w *journalCheckingWriter) WriteHeader(code int) {
	w.atAnswer, _ = os.ReadFile(w.path)
	w.ResponseRecorder.WriteHeader(code)
}

func TestReceiverJournalsExactBytesBeforeAnswering(t *testing.T) {
	r, path := newTestReceiver(t, rcvUser, rcvPassword)
	bodies := map[string][]byte{
		"compact JSON":        []byte(`{"id":"e1","event_name":"TXN_CREATED","content":{"order":{"order_id":"o1","amount":100.50}}}`),
		"JSON with spacing":   []byte(`{ "id" : "e2", "note": "<a & b>", "n": 1.0E2, "dup": 1, "dup": 2 }`),
		"pretty JSON":         []byte("{\n  \"id\": \"e3\",\n  \"event_name\": \"ORDER_FAILED\"\n}\n"),
		"text":                []byte("not json at all <>&\n"),
		"invalid UTF-8":       {'{', '"', 'a', '"', ':', '"', 0xff, 0xfe, '"', '}'},
		"invalid UTF-8 plain": {0xc3, 0x28, 'x'},
		"empty":               {},
	}
	names := []string{"compact JSON", "JSON with spacing", "pretty JSON", "text", "invalid UTF-8", "invalid UTF-8 plain", "empty"}
	for i, name := range names {
		req := httptest.NewRequest(http.MethodPost, "/hooks", bytes.NewReader(bodies[name]))
		req.Header.Set("Authorization", basic(rcvUser, rcvPassword))
		w := &journalCheckingWriter{ResponseRecorder: httptest.NewRecorder(), path: path}
		r.ServeHTTP(w, req)
		if w.Code != 200 {
			t.Fatalf("%s: answered %d", name, w.Code)
		}
		if n := bytes.Count(w.atAnswer, []byte("\n")); n != i+1 {
			t.Fatalf("%s: %d journal lines on disk when the answer was written, want %d", name, n, i+1)
		}
	}
	lines := readJournal(t, path)
	if len(lines) != len(names) {
		t.Fatalf("%d journal lines, want %d", len(lines), len(names))
	}
	for i, name := range names {
		if !bytes.Equal(lines[i].body, bodies[name]) {
			t.Errorf("%s: journal holds %q, want %q", name, lines[i].body, bodies[name])
		}
		if lines[i].Seq != i+1 || lines[i].ReceivedAt.IsZero() || !lines[i].AuthOK {
			t.Errorf("%s: journal metadata %+v", name, lines[i].Delivery)
		}
	}
	// A one-line JSON body is kept as JSON, byte for byte, so the journal stays greppable.
	for _, name := range []string{"compact JSON", "JSON with spacing"} {
		i := indexOf(names, name)
		if !strings.Contains(lines[i].raw, `"body":`+string(bodies[name])) {
			t.Errorf("%s: not embedded verbatim: %s", name, lines[i].raw)
		}
	}
	for name, field := range map[string]string{"pretty JSON": "body_text", "text": "body_text", "invalid UTF-8": "body_base64", "invalid UTF-8 plain": "body_base64", "empty": "body_text"} {
		if raw := lines[indexOf(names, name)].raw; !strings.Contains(raw, `"`+field+`":`) {
			t.Errorf("%s: want %s in %s", name, field, raw)
		}
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// failingReader yields some bytes, then an error, as a sender that hangs up mid-body.
type failingReader struct{ data []byte }

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, errors.New("connection reset")
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReceiverJournalsABodyCutOff(t *testing.T) {
	r, path := newTestReceiver(t, rcvUser, rcvPassword)
	w := deliver(r, basic(rcvUser, rcvPassword), &failingReader{data: []byte(`{"id":"e1","event_na`)})
	if w.Code != http.StatusBadRequest {
		t.Fatalf("answered %d, want 400", w.Code)
	}
	d := r.Deliveries()
	lines := readJournal(t, path)
	if len(d) != 1 || d[0].ReadError == "" || string(d[0].Body) != `{"id":"e1","event_na` || len(lines) != 1 || lines[0].ReadError == "" {
		t.Fatalf("kept %+v, journaled %d lines: a cut-off body must be kept with its read error", d, len(lines))
	}
	if fs := receiptFindings(d); len(fs) != 1 || fs[0].Rule != RuleWebhookBody {
		t.Fatalf("receipt findings %+v, want one %s", fs, RuleWebhookBody)
	}
}

func TestReceiverRefusesGET(t *testing.T) {
	r, path := newTestReceiver(t, rcvUser, rcvPassword)
	req := httptest.NewRequest(http.MethodGet, "/hooks", nil)
	req.Header.Set("Authorization", basic(rcvUser, rcvPassword))
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != http.MethodPost {
		t.Fatalf("GET answered %d Allow %q, want 405 Allow POST", w.Code, w.Header().Get("Allow"))
	}
	if r.Count() != 0 || len(readJournal(t, path)) != 0 {
		t.Fatal("a GET is not a delivery")
	}
}

func TestReceiverUnjournaledIsNotAcknowledged(t *testing.T) {
	r, _ := newTestReceiver(t, rcvUser, rcvPassword)
	r.Close() // the journal can no longer be written
	if w := deliver(r, basic(rcvUser, rcvPassword), strings.NewReader("{}")); w.Code != http.StatusInternalServerError {
		t.Fatalf("answered %d, want 500 so the sender retries", w.Code)
	}
	if r.Count() != 0 || len(r.Deliveries()) != 0 {
		t.Fatal("a delivery that was not journaled was kept")
	}
}

func TestReceiverWait(t *testing.T) {
	r, _ := newTestReceiver(t, rcvUser, rcvPassword)
	auth := basic(rcvUser, rcvPassword)
	event := func(id, name, order string) io.Reader {
		return strings.NewReader(fmt.Sprintf(`{"id":%q,"event_name":%q,"content":{"order":{"order_id":%q}}}`, id, name, order))
	}
	deliver(r, auth, event("e1", "TXN_CREATED", "o1"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := r.Wait(ctx, matchEvent("o1", "TXN_CREATED"))
	if err != nil || d.EventID != "e1" {
		t.Fatalf("an earlier delivery: %+v, %v", d, err)
	}
	got := make(chan Delivery, 1)
	go func() {
		d, _ := r.Wait(ctx, matchEvent("o1", "ORDER_SUCCEEDED"))
		got <- d
	}()
	time.Sleep(20 * time.Millisecond)
	deliver(r, auth, event("e2", "TXN_CHARGED", "o1"))
	deliver(r, auth, event("e3", "ORDER_SUCCEEDED", "o1"))
	select {
	case d := <-got:
		if d.EventID != "e3" {
			t.Fatalf("a later delivery: got %+v", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not see a later delivery")
	}
	short, cancelShort := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancelShort()
	start := time.Now()
	if _, err := r.Wait(short, matchEvent("o2", "ORDER_SUCCEEDED")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait without a match returned %v, want the context's error", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("Wait outlived its context")
	}
	if err := r.WaitCount(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if err := r.WaitCount(short, 4); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitCount past what arrived returned %v", err)
	}
}

// Once the in-memory cap drops old deliveries, Wait must still see new ones.
func TestReceiverWaitAfterTheCap(t *testing.T) {
	r, path := newTestReceiver(t, "", "")
	r.keep = 3
	for i := range 5 {
		deliver(r, "", strings.NewReader(fmt.Sprintf(`{"id":"e%d","event_name":"TXN_CREATED","content":{"order":{"order_id":"o%d"}}}`, i, i)))
	}
	if ds := r.Deliveries(); len(ds) != 3 || ds[0].Seq != 3 || r.Count() != 5 || len(readJournal(t, path)) != 5 {
		t.Fatalf("kept %+v, count %d: want the newest 3 in memory and all 5 journaled", ds, r.Count())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got := make(chan error, 1)
	go func() {
		_, err := r.Wait(ctx, matchEvent("late", "ORDER_SUCCEEDED"))
		got <- err
	}()
	for i := range 3 {
		time.Sleep(10 * time.Millisecond)
		order := "filler"
		if i == 2 {
			order = "late"
		}
		deliver(r, "", strings.NewReader(fmt.Sprintf(`{"id":"x%d","event_name":"ORDER_SUCCEEDED","content":{"order":{"order_id":%q}}}`, i, order)))
	}
	if err := <-got; err != nil {
		t.Fatalf("Wait missed a delivery made after the cap: %v", err)
	}
}

func TestReceiverConcurrentDeliveries(t *testing.T) {
	r, path := newTestReceiver(t, rcvUser, rcvPassword)
	srv := httptest.NewServer(r)
	defer srv.Close()
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(fmt.Sprintf(`{"id":"e%d"}`, i)))
			req.SetBasicAuth(rcvUser, rcvPassword)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		}()
	}
	wg.Wait()
	lines := readJournal(t, path)
	seen := map[int]bool{}
	for _, l := range lines {
		seen[l.Seq] = true
	}
	if r.Count() != n || len(lines) != n || len(seen) != n {
		t.Fatalf("count %d, %d lines, %d distinct seqs; want %d each", r.Count(), len(lines), len(seen), n)
	}
}

func TestReceiverEnvelopeIDsBestEffort(t *testing.T) {
	cases := []struct{ body, id, event, order string }{
		{`{"id":"e1","event_name":"TXN_CHARGED","content":{"txn":{"order_id":"o1"}}}`, "e1", "TXN_CHARGED", "o1"},
		{`{"id":7,"event_name":"ORDER_FAILED","content":{"order":{"order_id":"o2"}}}`, "", "ORDER_FAILED", "o2"},
		{`{"id":"e3","event_name":"X","content":{"order":"a string"}}`, "e3", "X", ""},
		{`{"id":"e4","content":{"b":{"order_id":"ob"},"a":{"order_id":"oa"}}}`, "e4", "", "oa"},
		{`{"id":"e5","content":{"order":{"order_id":5}}}`, "e5", "", ""},
		{`[1,2]`, "", "", ""},
		{`not json`, "", "", ""},
	}
	for _, c := range cases {
		id, event, order := envelopeIDs([]byte(c.body))
		if id != c.id || event != c.event || order != c.order {
			t.Errorf("%s: got %q %q %q, want %q %q %q", c.body, id, event, order, c.id, c.event, c.order)
		}
	}
}
