package suites

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestHealth(t *testing.T) {
	h := newHealth(context.Background(), time.Minute, "")
	for range DownAfter - 1 {
		h.missed("GET /orders/o1: timeout")
	}
	h.answered() // an answer, even a 500, resets the count
	for range DownAfter - 1 {
		h.missed("GET /orders/o1: timeout")
	}
	if why := h.down(); why != "" {
		t.Fatalf("down after %d misses with an answer between: %s", 2*(DownAfter-1), why)
	}
	h.missed("GET /orders/o2: connection reset")
	if why := h.down(); !strings.Contains(why, "judged down after 3 requests in a row") || !strings.Contains(why, "o2: connection reset") {
		t.Errorf("reason %q", why)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	if why := newHealth(ctx, 3*time.Second, "").down(); why != "the run's budget of 3s (--timeout) was spent" {
		t.Errorf("budget spent: %q", why)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if why := newHealth(ctx, 0, "").down(); why != "the run was interrupted" {
		t.Errorf("interrupted: %q", why)
	}
	if why := newHealth(context.Background(), 0, "target unreachable: refused").down(); why != "target unreachable: refused" {
		t.Errorf("unreachable from the start: %q", why)
	}
}

// A down target fails every later request at once, without sending it.
func TestClientFailsFastWhenDown(t *testing.T) {
	var sent int
	hc := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		sent++
		return nil, errors.New("connection reset by peer")
	})}
	c, err := newClient("http://127.0.0.1:1", "k", "m", hc, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.health = newHealth(context.Background(), 0, "")
	for range DownAfter + 5 {
		_, err = c.do(context.Background(), Request{Method: "GET", Path: "/orders/o1"})
	}
	if sent != DownAfter || !errors.Is(err, ErrTargetDown) {
		t.Errorf("%d requests sent, last error %v; want %d sent, then ErrTargetDown", sent, err, DownAfter)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestDialFailed(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		{&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host"}}, true},
		{&net.OpError{Op: "dial", Err: syscall.ECONNRESET}, false}, // accepted, then dropped
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, false},
		{context.DeadlineExceeded, false},
	} {
		if got := dialFailed(tc.err); got != tc.want {
			t.Errorf("dialFailed(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
