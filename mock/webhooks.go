package mock

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Webhooks (facts § 3): every state change is POSTed to Config.WebhookURL as the documented
// envelope with Basic auth, retried on anything but a 200 until the schedule runs out, and
// recorded for GET /_mock/webhooks.
//
// Delivery order: one queue and one worker per server (the mock has one target URL). A
// delivery that is being retried holds back every later one, so a receiver never sees
// ORDER_SUCCEEDED before the TXN_CREATED it follows, for any order. The price is that a dead
// receiver delays everything by the whole schedule; the default schedule is short (36 s) and
// the queue is bounded, so the mock never stalls or grows without limit.

// DefaultWebhookRetries is the retry schedule after a delivery that did not get a 200: Juspay
// documents no schedule for order webhooks (facts § 3.2), so this one is short enough for CI.
// It is read, never written; each server works on its own copy.
var DefaultWebhookRetries = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second}

const (
	// webhookAttemptTimeout bounds one POST, so a receiver that never answers is a failure.
	webhookAttemptTimeout = 10 * time.Second
	// webhookMaxRecords is how many deliveries GET /_mock/webhooks keeps (the newest).
	webhookMaxRecords = 10000
	// webhookMaxPending is how many deliveries may wait for the worker; past it a delivery is
	// given up at once rather than letting memory grow behind a dead receiver.
	webhookMaxPending = 10000
	// webhookMaxReply is how much of a receiver's reply is read (for connection reuse).
	webhookMaxReply = 64 << 10
)

// envelope is a webhook body as Juspay sends it (facts § 3.3); a struct keeps the key order.
type envelope struct {
	ID          string         `json:"id"`
	EventName   string         `json:"event_name"`
	DateCreated string         `json:"date_created"`
	Content     map[string]any `json:"content"`
}

// delivery is one webhook and what happened to it. Fields after attempts change only under
// webhooks.mu.
type delivery struct {
	ID        string          `json:"id"`
	EventName string          `json:"event_name"`
	OrderID   string          `json:"order_id,omitempty"`
	Body      json.RawMessage `json:"body"`
	Attempts  []attempt       `json:"attempts"`
	Delivered bool            `json:"delivered"`
	GivenUp   bool            `json:"given_up"`
	// Error says why a delivery was given up without (more) attempts: queue full, server closed.
	Error string `json:"error,omitempty"`
}

// attempt is one POST of a delivery.
type attempt struct {
	At         string  `json:"at"`
	StatusCode int     `json:"status_code"` // 0 when no response came back
	Error      string  `json:"error"`       // empty on a 200
	DurationMS float64 `json:"duration_ms"`
}

type webhooks struct {
	url, auth string
	retries   []time.Duration
	timeout   time.Duration // bounds one attempt: webhookAttemptTimeout
	clock     func() time.Time
	client    *http.Client

	ctx    context.Context // cancelled by close: ends waits and attempts in flight
	cancel context.CancelFunc
	wake   chan struct{} // a token when the queue may be non-empty
	done   chan struct{} // closed when the worker has returned
	once   sync.Once

	mu      sync.Mutex
	queue   []*delivery
	records []*delivery // oldest first, at most webhookMaxRecords after trimming
	closed  bool
}

func newWebhooks(cfg Config) *webhooks {
	retries := cfg.WebhookRetries
	if retries == nil {
		retries = DefaultWebhookRetries
	}
	clock := cfg.Clock
	if clock == nil {
		clock = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &webhooks{
		url:     cfg.WebhookURL,
		auth:    "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.WebhookUser+":"+cfg.WebhookPassword)),
		retries: slices.Clone(retries), // the caller's slice may change later; ours must not
		timeout: webhookAttemptTimeout,
		clock:   clock,
		ctx:     ctx,
		cancel:  cancel,
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	h.client = &http.Client{
		Transport: transport,
		// A redirect is not a 200: record it as the receiver's answer rather than follow it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if h.url == "" {
		close(h.done) // nothing to deliver: no worker
	} else {
		go h.work()
	}
	return h
}

// send records one webhook of event whose content carries key (order, txn, mandate,
// notification) → value, and queues it for delivery. Callers call it in the order the events
// happen, with no lock held; the body is encoded here, so value may change afterwards.
func (h *webhooks) send(event, key string, value map[string]any) {
	env := envelope{
		ID:          randomID("evt_V2_", 16),
		EventName:   event,
		DateCreated: h.clock().UTC().Format(time.RFC3339),
		Content:     map[string]any{key: value},
	}
	body, err := json.Marshal(env)
	if err != nil {
		// Content comes from our own documents; if one cannot be encoded, record that rather
		// than send half a webhook.
		body, _ = json.Marshal(envelope{ID: env.ID, EventName: event, DateCreated: env.DateCreated, Content: map[string]any{}})
	}
	d := &delivery{ID: env.ID, EventName: event, Body: body, Attempts: []attempt{}}
	if id, ok := value["order_id"].(string); ok {
		d.OrderID = id
	}
	if err != nil {
		d.GivenUp, d.Error = true, "cannot encode content: "+err.Error()
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, d)
	if len(h.records) >= 2*webhookMaxRecords {
		// Trim in bulk so recording stays O(1) amortised.
		h.records = slices.Clone(h.records[len(h.records)-webhookMaxRecords:])
	}
	switch {
	case h.url == "" || d.GivenUp:
		return
	case h.closed:
		d.GivenUp, d.Error = true, "server closed before delivery"
		return
	case len(h.queue) >= webhookMaxPending:
		d.GivenUp, d.Error = true, fmt.Sprintf("delivery queue full (%d pending): not sent", webhookMaxPending)
		return
	}
	h.queue = append(h.queue, d)
	select {
	case h.wake <- struct{}{}:
	default: // the worker already has a token
	}
}

// work delivers the queue in order until close.
func (h *webhooks) work() {
	defer close(h.done)
	for {
		h.mu.Lock()
		var d *delivery
		if len(h.queue) > 0 {
			d = h.queue[0]
			h.queue[0] = nil
			h.queue = h.queue[1:]
		}
		h.mu.Unlock()
		if d == nil {
			select {
			case <-h.wake:
				continue
			case <-h.ctx.Done():
				return
			}
		}
		if !h.deliver(d) {
			return
		}
	}
}

// deliver POSTs d until a 200 or the end of the schedule; false means the server closed.
func (h *webhooks) deliver(d *delivery) bool {
	for i := 0; ; i++ {
		a := h.attempt(d.Body)
		if h.ctx.Err() != nil {
			// The attempt was cut short by close: that is not the receiver's answer.
			h.abandon(d)
			return false
		}
		h.mu.Lock()
		d.Attempts = append(d.Attempts, a)
		switch {
		case a.StatusCode == http.StatusOK:
			d.Delivered = true
		case i >= len(h.retries):
			d.GivenUp = true
		}
		finished := d.Delivered || d.GivenUp
		h.mu.Unlock()
		if finished {
			return true
		}
		// Real timers: Config.Clock only stamps records, so a fake clock cannot stall delivery.
		t := time.NewTimer(h.retries[i])
		select {
		case <-t.C:
		case <-h.ctx.Done():
			t.Stop()
			h.abandon(d)
			return false
		}
	}
}

// abandon marks d given up because the server closed.
func (h *webhooks) abandon(d *delivery) {
	h.mu.Lock()
	defer h.mu.Unlock()
	d.GivenUp, d.Error = true, "server closed before delivery"
}

// attempt makes one bounded POST of body.
func (h *webhooks) attempt(body []byte) attempt {
	at := h.clock().UTC().Format(time.RFC3339Nano)
	start := time.Now()
	a := attempt{At: at}
	ctx, cancel := context.WithTimeout(h.ctx, h.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		a.Error = err.Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", h.auth)
	resp, err := h.client.Do(req)
	a.DurationMS = float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		a.Error = err.Error()
		return a
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, webhookMaxReply))
	resp.Body.Close()
	a.StatusCode = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		a.Error = "receiver answered " + resp.Status + ", want 200 OK"
	}
	return a
}

// handleList serves GET /_mock/webhooks: every recorded delivery, oldest first, optionally
// filtered by ?order_id= and ?event_name=.
func (h *webhooks) handleList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	orderID, eventName := q.Get("order_id"), q.Get("event_name")
	h.mu.Lock()
	start := max(0, len(h.records)-webhookMaxRecords)
	out := make([]delivery, 0, len(h.records)-start)
	for _, d := range h.records[start:] {
		if orderID != "" && d.OrderID != orderID || eventName != "" && d.EventName != eventName {
			continue
		}
		// A copy: the worker appends attempts under the lock, and encoding happens after it.
		cp := *d
		cp.Attempts = slices.Clone(d.Attempts)
		out = append(out, cp)
	}
	h.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": out})
}

// close stops delivery promptly: waits and attempts in flight end, and queued deliveries
// stay undelivered. It is safe to call more than once.
func (h *webhooks) close() {
	h.once.Do(func() {
		h.mu.Lock()
		h.closed = true
		h.mu.Unlock()
		h.cancel()
		<-h.done
		h.client.CloseIdleConnections()
		h.mu.Lock()
		for _, d := range h.queue {
			d.GivenUp, d.Error = true, "server closed before delivery"
		}
		h.queue = nil
		h.mu.Unlock()
	})
}
