package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/mock"
)

// --webhooks-only judges whatever arrives: here the reference implementation's webhooks for a
// payment, and one delivery with the wrong Basic auth.
func TestConformWebhooksOnly(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), conformTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, conformBinary(t), "conform", "--webhooks-only", "--webhook-listen", "127.0.0.1:0",
		"--webhook-user", "hooks", "--webhook-count", "4", "--webhook-duration", "1m", "--format", "json", "--report-dir", dir)
	cmd.Env = append(cleanEnv(), "JPCHECK_WEBHOOK_PASSWORD=s3cret")
	var stdout bytes.Buffer
	stderr := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	hookURL := ""
	for hookURL == "" {
		if m := regexp.MustCompile(`receiving webhooks at (http://\S+)`).FindStringSubmatch(stderr.String()); m != nil {
			hookURL = m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("jpcheck exited before listening (%v): %s", err, stderr)
		case <-ctx.Done():
			t.Fatalf("jpcheck did not listen: %s", stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}

	target := startTargetMock(t, mock.Config{WebhookURL: hookURL, WebhookUser: "hooks", WebhookPassword: "s3cret"})
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{"/orders", url.Values{"order_id": {"watch_1"}, "amount": {"100.00"}, "currency": {"INR"}, "customer_id": {"c1"}}},
		{"/txns", url.Values{"order_id": {"watch_1"}, "payment_method_type": {"CARD"}, "card_number": {"4111111111111111"}}},
	} {
		req, _ := http.NewRequest("POST", target+step.path, strings.NewReader(step.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("x-merchantid", mock.DefaultMerchantID)
		req.SetBasicAuth(mock.DefaultAPIKey, "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("POST %s: %d", step.path, resp.StatusCode)
		}
	}
	// The fourth delivery, sent after the mock's three, with the wrong password.
	waitJournal(t, filepath.Join(dir, "webhooks.jsonl"), 3)
	req, _ := http.NewRequest("POST", hookURL, strings.NewReader(`{"id":"evt_V2_x","event_name":"ORDER_SUCCEEDED","content":{}}`))
	req.SetBasicAuth("hooks", "wrong")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("wrong auth answered %d, want 401", resp.StatusCode)
	}

	var ee *exec.ExitError
	if err := <-done; !errors.As(err, &ee) || ee.ExitCode() != exitFindings {
		t.Fatalf("exit %v, want 1 (one delivery with the wrong auth)\nstderr:\n%s", err, stderr)
	}
	r := decodeRun(t, stdout.String())
	if r.Summary.Specs != 4 || r.Summary.Passed != 3 || r.Summary.Failed != 1 {
		t.Errorf("summary %+v, want the mock's 3 deliveries passed and the 4th failed", r.Summary)
	}
	var auth bool
	for _, f := range r.Findings {
		auth = auth || (f.Rule == "delivery.auth" && strings.HasPrefix(f.Spec, "webhook #4"))
	}
	if !auth {
		t.Errorf("no delivery.auth finding for webhook #4: %+v", r.Findings)
	}
	if n := strings.Count(string(mustRead(t, filepath.Join(dir, "webhooks.jsonl"))), "\n"); n != 4 {
		t.Errorf("the journal holds %d deliveries, want 4", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		t.Error(err)
	}
}

// waitJournal waits until the journal holds n lines.
func waitJournal(t *testing.T, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && bytes.Count(b, []byte("\n")) >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s does not hold %d deliveries", path, n)
}
