package suites

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/mock"
	"github.com/jpcheck/jpcheck/specs"
)

const watchUser, watchPassword = "hooks", "s3cret"

type watchRig struct {
	set      *contracts.Set
	receiver *Receiver
	hooks    *httptest.Server
}

func newWatchRig(t *testing.T) *watchRig {
	t.Helper()
	set, err := contracts.Load(specs.FS())
	if err != nil {
		t.Fatal(err)
	}
	rcv, err := NewReceiver(ReceiverConfig{User: watchUser, Password: watchPassword, Journal: filepath.Join(t.TempDir(), "hooks.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rcv.Close() })
	hooks := httptest.NewServer(rcv)
	t.Cleanup(hooks.Close)
	return &watchRig{set: set, receiver: rcv, hooks: hooks}
}

// payOnMock makes the reference implementation send a charged payment's three webhooks to the
// rig and returns their bodies once received.
func (r *watchRig) payOnMock(t *testing.T) []Delivery {
	t.Helper()
	srv, err := mock.New(mock.Config{WebhookURL: r.hooks.URL, WebhookUser: watchUser, WebhookPassword: watchPassword})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	target := httptest.NewServer(srv)
	t.Cleanup(target.Close)
	call := func(path string, form url.Values) {
		req, _ := http.NewRequest("POST", target.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("x-merchantid", mock.DefaultMerchantID)
		req.SetBasicAuth(mock.DefaultAPIKey, "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("POST %s: %d", path, resp.StatusCode)
		}
	}
	call("/orders", flowOrderForm("watch1", "100.00"))
	call("/txns", url.Values{"order_id": {"watch1"}, "payment_method_type": {"CARD"}, "card_number": {testCardCharged}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.receiver.WaitCount(ctx, 3); err != nil {
		t.Fatalf("the mock's webhooks did not arrive: %v", err)
	}
	return r.receiver.Deliveries()
}

func (r *watchRig) post(t *testing.T, user, password string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest("POST", r.hooks.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+password)))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestWatchJudgesEachDelivery(t *testing.T) {
	r := newWatchRig(t)
	valid := r.payOnMock(t)
	succeeded := valid[2].Body
	if valid[2].EventName != "ORDER_SUCCEEDED" {
		t.Fatalf("the mock's third webhook is %s, want ORDER_SUCCEEDED", valid[2].EventName)
	}
	// #4: the contract broken (ORDER_SUCCEEDED must carry CHARGED), as a fresh event.
	var env map[string]any
	json.Unmarshal(succeeded, &env)
	env["id"] = "evt_V2_broken"
	env["content"].(map[string]any)["order"].(map[string]any)["status"] = "PENDING_VBV"
	broken, _ := json.Marshal(env)
	if code := r.post(t, watchUser, watchPassword, broken); code != 200 {
		t.Fatalf("broken delivery answered %d", code)
	}
	// #5: wrong auth. #6: a second copy of #3.
	if code := r.post(t, watchUser, "wrong", succeeded); code != 401 {
		t.Fatalf("wrong auth answered %d, want 401", code)
	}
	if code := r.post(t, watchUser, watchPassword, succeeded); code != 200 {
		t.Fatalf("duplicate answered %d", code)
	}

	res, err := Watch(context.Background(), WatchConfig{Target: "http://target", Receiver: r.receiver, Set: r.set, Profile: contracts.ProfileStrict, Count: 6, Duration: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.Target != "http://target" || res.Started.IsZero() || res.Duration <= 0 || len(res.Coverage) == 0 {
		t.Errorf("result header: target %q started %v duration %v coverage %d", res.Target, res.Started, res.Duration, len(res.Coverage))
	}
	want := []struct{ name, state string }{
		{"webhook #1 TXN_CREATED", StatePassed},
		{"webhook #2 TXN_CHARGED", StatePassed},
		{"webhook #3 ORDER_SUCCEEDED", StatePassed},
		{"webhook #4 ORDER_SUCCEEDED", StateFailed},
		{"webhook #5 ORDER_SUCCEEDED", StateFailed},
		{"webhook #6 ORDER_SUCCEEDED", StatePassed},
	}
	if len(res.Specs) != len(want) {
		t.Fatalf("got %d specs, want %d: %+v", len(res.Specs), len(want), res.Specs)
	}
	for i, w := range want {
		if s := res.Specs[i]; s.Name != w.name || s.State != w.state || (s.State == StateFailed) != (s.Message != "") {
			t.Errorf("spec %d: %q %s %q, want %q %s", i, s.Name, s.State, s.Message, w.name, w.state)
		}
	}
	has := func(spec string, rule contracts.Rule, sev contracts.Severity, pointer string) {
		t.Helper()
		for _, f := range res.Findings {
			if f.Spec == spec && f.Rule == rule && f.Severity == sev && f.Pointer == pointer {
				return
			}
		}
		t.Errorf("no %s %s finding at %q for %s in %+v", sev, rule, pointer, spec, res.Findings)
	}
	has("webhook #4 ORDER_SUCCEEDED", contracts.RuleEventContent, contracts.SeverityError, "/content/order/status")
	// #4 carries PENDING_VBV after #3's CHARGED for the same order.
	has("webhook #4 ORDER_SUCCEEDED", RuleOutOfOrder, contracts.SeverityError, "/content/order/status")
	has("webhook #5 ORDER_SUCCEEDED", RuleWebhookAuth, contracts.SeverityError, "")
	has("webhook #5 ORDER_SUCCEEDED", RuleDuplicate, contracts.SeverityWarning, "/id")
	has("webhook #6 ORDER_SUCCEEDED", RuleDuplicate, contracts.SeverityWarning, "/id")
	if !strings.Contains(res.Specs[4].Message, string(RuleWebhookAuth)) {
		t.Errorf("#5's message does not name the auth finding: %q", res.Specs[4].Message)
	}
	for _, f := range res.Findings {
		if strings.HasPrefix(f.Spec, "webhook #1") || strings.HasPrefix(f.Spec, "webhook #2") || strings.HasPrefix(f.Spec, "webhook #3") {
			if f.Severity == contracts.SeverityError {
				t.Errorf("the mock's own webhook has an error finding: %+v", f)
			}
		}
	}
	if s := res.Summary(); s.Passed != 4 || s.Failed != 2 {
		t.Errorf("summary %+v", s)
	}
}

func TestWatchCountNotReached(t *testing.T) {
	r := newWatchRig(t)
	start := time.Now()
	res, err := Watch(context.Background(), WatchConfig{Receiver: r.receiver, Set: r.set, Count: 2, Duration: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("the watch outlived its duration")
	}
	if len(res.Specs) != 1 || res.Specs[0].State != StateFailed || !strings.Contains(res.Specs[0].Message, "received 0 of 2 webhooks in") {
		t.Fatalf("specs %+v, want one failed count spec", res.Specs)
	}
	if len(res.Findings) != 1 || res.Findings[0].Rule != RuleAssertion {
		t.Fatalf("findings %+v, want the count as an assertion finding", res.Findings)
	}
}

func TestWatchDurationOnlyAndContextEnd(t *testing.T) {
	r := newWatchRig(t)
	// A watch that received nothing judged nothing: it fails rather than pass with zero specs.
	res, err := Watch(context.Background(), WatchConfig{Receiver: r.receiver, Set: r.set, Duration: 50 * time.Millisecond})
	if err != nil || len(res.Specs) != 1 || res.Specs[0].Name != WatchCountSpec || res.Specs[0].State != StateFailed ||
		!strings.Contains(res.Specs[0].Message, "received no webhook in") || len(res.Findings) != 1 {
		t.Fatalf("an empty watch: %+v, %v", res, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, err = Watch(ctx, WatchConfig{Receiver: r.receiver, Set: r.set, Count: 1})
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not end with its context")
	}
	if err != nil || len(res.Specs) != 1 || !strings.Contains(res.Specs[0].Message, "received 0 of 1") {
		t.Fatalf("after the context ended: %+v, %v", res, err)
	}
}

func TestWatchConfigErrors(t *testing.T) {
	r := newWatchRig(t)
	for name, cfg := range map[string]WatchConfig{
		"no receiver":       {Set: r.set, Count: 1},
		"no contracts":      {Receiver: r.receiver, Count: 1},
		"neither":           {Receiver: r.receiver, Set: r.set},
		"negative count":    {Receiver: r.receiver, Set: r.set, Count: -1},
		"negative duration": {Receiver: r.receiver, Set: r.set, Duration: -time.Second},
	} {
		if _, err := Watch(context.Background(), cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
