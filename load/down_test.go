package load

import (
	"io"
	"strings"
	"testing"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestDownDetector(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want int64
	}{
		{Config{Rate: 100}, 100},
		{Config{Rate: 3}, MinDownAfter},
		{Config{Ramp: &Ramp{From: 10, To: 250, Step: 10}}, 250},
		{Config{Workers: 64}, 64},
	} {
		if got := newDownDetector(tc.cfg).after; got != tc.want {
			t.Errorf("%+v: threshold %d, want %d", tc.cfg, got, tc.want)
		}
	}
	d := newDownDetector(Config{Rate: 1})
	miss := &vegeta.Result{Error: "dial tcp: connection reset by peer"}
	for i := range MinDownAfter - 1 {
		if why := d.observe(miss); why != "" {
			t.Fatalf("judged down after %d misses: %s", i+1, why)
		}
	}
	// Any answer, even a 500, resets the count.
	if why := d.observe(&vegeta.Result{Code: 500}); why != "" {
		t.Fatalf("an answer judged the target down: %s", why)
	}
	for range MinDownAfter - 1 {
		d.observe(miss)
	}
	why := d.observe(miss)
	if !strings.Contains(why, "judged down after 10 requests in a row") || !strings.Contains(why, "connection reset") {
		t.Errorf("reason %q", why)
	}
}

func TestBoundedBody(t *testing.T) {
	b := &boundedBody{ReadCloser: io.NopCloser(strings.NewReader(strings.Repeat("x", MaxBodyBytes*3))), left: MaxBodyBytes + 1}
	n, err := io.Copy(io.Discard, b)
	if err != nil || n != MaxBodyBytes+1 {
		t.Errorf("read %d bytes (%v), want %d: the rest must not be read", n, err, MaxBodyBytes+1)
	}
}
