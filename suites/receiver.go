package suites

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"
	"unicode/utf8"
)

// MaxWebhookBytes bounds one webhook body the receiver reads.
const MaxWebhookBytes = 1 << 20

// maxDeliveries bounds what the receiver keeps in memory; the journal keeps everything.
const maxDeliveries = 100000

// Delivery is one POST the receiver got. EventID, EventName and OrderID are read from the
// envelope when it parses; a delivery that does not is still kept and judged.
type Delivery struct {
	Seq        int       `json:"seq"`
	ReceivedAt time.Time `json:"received_at"`
	Remote     string    `json:"remote"`
	AuthOK     bool      `json:"auth_ok"`
	// Truncated says the body was larger than MaxWebhookBytes and was cut there.
	Truncated bool `json:"truncated,omitempty"`
	// ReadError says the body could not be read whole (the sender stopped mid-body); Body holds
	// what came.
	ReadError string `json:"read_error,omitempty"`
	EventID   string `json:"event_id,omitempty"`
	EventName string `json:"event_name,omitempty"`
	OrderID   string `json:"order_id,omitempty"`
	Body      []byte `json:"-"`
	check     *checker
}

// Request names the delivery in findings: "webhook ORDER_SUCCEEDED evt_V2_… #3".
func (d *Delivery) Request() string {
	name := d.EventName
	if name == "" {
		name = "(no event_name)"
	}
	return fmt.Sprintf("webhook %s %s #%d", name, d.EventID, d.Seq)
}

// ReceiverConfig configures a Receiver.
type ReceiverConfig struct {
	// User and Password are the Basic auth every delivery must carry; both empty accepts any.
	User, Password string
	// Journal is the file every delivery is appended to (JSON lines) before it is answered.
	Journal string
	// Clock reads the time; nil is time.Now.
	Clock func() time.Time
}

// Receiver receives webhooks: it journals each delivery to disk before answering 200, so
// nothing the target sent is lost even if the run dies, and lets specs wait for events.
type Receiver struct {
	cfg     ReceiverConfig
	journal *os.File
	keep    int // how many deliveries stay in memory: maxDeliveries, lower in tests

	mu         sync.Mutex
	deliveries []Delivery
	seq        int
	changed    chan struct{} // closed and replaced on every delivery
	partial    bool          // the last journal write failed part-way
}

// NewReceiver opens (appending to) the journal.
func NewReceiver(cfg ReceiverConfig) (*Receiver, error) {
	if cfg.Journal == "" {
		return nil, errors.New("webhook receiver: no journal file")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	f, err := os.OpenFile(cfg.Journal, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("webhook journal: %w", err)
	}
	return &Receiver{cfg: cfg, journal: f, keep: maxDeliveries, changed: make(chan struct{})}, nil
}

// Close closes the journal.
func (r *Receiver) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.journal.Close()
}

// journalLine is one line of the journal. Body is the body exactly as it came when it is
// valid JSON on one line; otherwise BodyText holds it (valid UTF-8) or BodyBase64 does, so the
// journal never alters a byte.
type journalLine struct {
	Delivery
	Body       json.RawMessage `json:"body,omitempty"`
	BodyText   *string         `json:"body_text,omitempty"`
	BodyBase64 string          `json:"body_base64,omitempty"`
}

// journalBytes encodes d as one journal line, newline included. encoding/json would compact
// and HTML-escape a RawMessage, so a JSON body is spliced in by hand, and only when it holds no
// line break (which would split the line) and is valid UTF-8 (which a reader would replace).
func journalBytes(d *Delivery) ([]byte, error) {
	line := journalLine{Delivery: *d}
	raw := json.Valid(d.Body) && utf8.Valid(d.Body) && !bytes.ContainsAny(d.Body, "\r\n")
	switch {
	case raw:
	case utf8.Valid(d.Body):
		s := string(d.Body)
		line.BodyText = &s
	default:
		line.BodyBase64 = base64.StdEncoding.EncodeToString(d.Body)
	}
	b, err := json.Marshal(line)
	if err != nil {
		return nil, err
	}
	if raw {
		b = append(b[:len(b)-1], `,"body":`...)
		b = append(b, d.Body...)
		b = append(b, '}')
	}
	return append(b, '\n'), nil
}

func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "webhooks are POSTed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, MaxWebhookBytes+1))
	d := Delivery{Remote: req.RemoteAddr, AuthOK: r.authorized(req)}
	if err != nil {
		// Journaled all the same: what came is evidence, and nothing the target sent is lost.
		d.ReadError = oneLine(err.Error())
	}
	if len(body) > MaxWebhookBytes {
		d.Truncated, body = true, body[:MaxWebhookBytes]
	}
	d.Body = body
	d.EventID, d.EventName, d.OrderID = envelopeIDs(body)
	if err := r.record(&d); err != nil {
		// Not journaled, so not acknowledged: the sender retries and nothing is lost.
		http.Error(w, "journal write failed", http.StatusInternalServerError)
		return
	}
	switch {
	case d.ReadError != "":
		http.Error(w, "reading the body failed", http.StatusBadRequest)
	case !d.AuthOK:
		w.Header().Set("WWW-Authenticate", `Basic realm="jpcheck webhooks"`)
		http.Error(w, "wrong or missing Basic auth", http.StatusUnauthorized)
	case d.Truncated:
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

func (r *Receiver) authorized(req *http.Request) bool {
	if r.cfg.User == "" && r.cfg.Password == "" {
		return true
	}
	u, p, ok := req.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(u), []byte(r.cfg.User)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(r.cfg.Password)) == 1
}

// record journals d (with fsync) and only then keeps it and wakes waiters.
func (r *Receiver) record(d *Delivery) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	d.Seq, d.ReceivedAt = r.seq, r.cfg.Clock().UTC()
	b, err := journalBytes(d)
	if err != nil {
		r.seq--
		return err
	}
	if r.partial {
		// A failed write may have left half a line: end it, so this line stands alone.
		b = append([]byte{'\n'}, b...)
	}
	if n, err := r.journal.Write(b); err != nil {
		r.partial = r.partial || n > 0
		r.seq--
		return err
	}
	r.partial = false
	if err := r.journal.Sync(); err != nil {
		r.seq--
		return err
	}
	if len(r.deliveries) >= r.keep {
		r.deliveries = r.deliveries[1:]
	}
	r.deliveries = append(r.deliveries, *d)
	close(r.changed)
	r.changed = make(chan struct{})
	return nil
}

// Deliveries returns every delivery kept so far, oldest first.
func (r *Receiver) Deliveries() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.deliveries...)
}

// Count returns how many deliveries arrived.
func (r *Receiver) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seq
}

// Wait returns the first delivery, received before or after the call, for which match is
// true, or the context's error when it ends first.
func (r *Receiver) Wait(ctx context.Context, match func(Delivery) bool) (Delivery, error) {
	// Progress is tracked by sequence number, not slice index: once maxDeliveries is reached
	// the oldest are dropped from the front, and an index would then point past every new one.
	seen := 0
	for {
		r.mu.Lock()
		start := sort.Search(len(r.deliveries), func(i int) bool { return r.deliveries[i].Seq > seen })
		list, changed := r.deliveries[start:], r.changed
		if n := len(r.deliveries); n > 0 {
			seen = r.deliveries[n-1].Seq
		}
		r.mu.Unlock()
		for _, d := range list {
			if match(d) {
				return d, nil
			}
		}
		select {
		case <-ctx.Done():
			return Delivery{}, ctx.Err()
		case <-changed:
		}
	}
}

// WaitCount blocks until n deliveries arrived in all or ctx ends.
func (r *Receiver) WaitCount(ctx context.Context, n int) error {
	for {
		r.mu.Lock()
		count, changed := r.seq, r.changed
		r.mu.Unlock()
		if count >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// envelopeIDs reads id, event_name and the order id from an envelope, best effort: a field
// of the wrong type loses only itself, and of several content keys the first by name with an
// order_id wins, so the result does not depend on map order.
func envelopeIDs(body []byte) (id, event, orderID string) {
	var env map[string]json.RawMessage
	if json.Unmarshal(body, &env) != nil {
		return "", "", ""
	}
	json.Unmarshal(env["id"], &id)
	json.Unmarshal(env["event_name"], &event)
	var content map[string]json.RawMessage
	if json.Unmarshal(env["content"], &content) != nil {
		return id, event, ""
	}
	keys := make([]string, 0, len(content))
	for k := range content {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var v struct {
			OrderID json.RawMessage `json:"order_id"`
		}
		var s string
		if json.Unmarshal(content[k], &v) == nil && json.Unmarshal(v.OrderID, &s) == nil && s != "" {
			return id, event, s
		}
	}
	return id, event, ""
}
