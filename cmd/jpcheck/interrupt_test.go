package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/mock"
	"github.com/jpcheck/jpcheck/reports"
)

// slowTarget serves the reference implementation with every answer delayed, and closes started
// at the first order-status request: by then the command has its signal handler and is running.
func slowTarget(t *testing.T, delay time.Duration) (url string, started <-chan struct{}) {
	t.Helper()
	srv, err := mock.New(mock.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	ch := make(chan struct{})
	var once sync.Once
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/orders/") {
			once.Do(func() { close(ch) })
		}
		time.Sleep(delay)
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts.URL, ch
}

// isClosed reports whether ch is closed.
func isClosed(ch <-chan struct{}) func(string) bool {
	return func(string) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
}

// interruptBinary starts jpcheck with args, sends SIGINT once ready says so (it is given the
// stderr so far), and returns the exit code and output.
func interruptBinary(t *testing.T, ready func(stderr string) bool, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), conformTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, conformBinary(t), args...)
	cmd.Env = append(cleanEnv(), "TMPDIR="+t.TempDir())
	var out bytes.Buffer
	errw := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = &out, errw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for !ready(errw.String()) {
		select {
		case err := <-done:
			t.Fatalf("jpcheck ended before it was interrupted (%v)\nstderr:\n%s", err, errw)
		case <-ctx.Done():
			t.Fatalf("jpcheck never got ready\nstderr:\n%s", errw)
		case <-time.After(10 * time.Millisecond):
		}
	}
	time.Sleep(200 * time.Millisecond) // let the run get going: the partial result has content
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := <-done
	var ee *exec.ExitError
	switch {
	case err == nil:
		code = 0
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return code, out.String(), errw.String()
}

// SIGINT stops conform: the spec running is interrupted, the rest are not run, the partial run
// is printed and written, and the exit is 130.
func TestConformInterrupted(t *testing.T) {
	target, started := slowTarget(t, 50*time.Millisecond)
	dir := t.TempDir()
	code, stdout, stderr := interruptBinary(t, isClosed(started), "conform", "--target", target, "--format", "json", "--report-dir", dir)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want 130\nstderr:\n%s", code, stderr)
	}
	usageLine("interrupted")(t, stderr[strings.LastIndex(strings.TrimSuffix(stderr, "\n"), "\n")+1:])
	r := decodeRun(t, stdout)
	if r.Summary.Specs == 0 {
		t.Error("the partial run holds no spec")
	}
	saved, err := reports.ReadRun(filepath.Join(dir, reports.RunFile))
	if err != nil || len(saved.Specs) != r.Summary.Specs {
		t.Errorf("run.json: %v, want the %d specs printed", err, r.Summary.Specs)
	}
	if _, err := os.Stat(filepath.Join(dir, reports.HTMLFile)); err != nil {
		t.Errorf("the partial report page is not written: %v", err)
	}
}

// SIGINT stops load: the requests in flight finish, the partial result is printed and written,
// and the exit is 130.
func TestLoadInterruptedBySignal(t *testing.T) {
	target, started := slowTarget(t, 0)
	out := t.TempDir()
	code, stdout, stderr := interruptBinary(t, isClosed(started), "load", "--target", target, "--order-id", "JP1636474794",
		"--rate", "50", "--duration", "10m", "--format", "json", "--out", out)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want 130\nstderr:\n%s", code, stderr)
	}
	usageLine("interrupted")(t, stderr)
	d := decodeLoad(t, stdout)
	if !d.Aborted || d.Requests == 0 {
		t.Errorf("aborted %v, %d requests: want the partial run", d.Aborted, d.Requests)
	}
	if _, err := os.Stat(filepath.Join(out, reports.LoadJSONFile)); err != nil {
		t.Errorf("the partial result is not written: %v", err)
	}
}

// SIGINT ends a webhooks-only watch: what arrived is judged and written, and the exit is 130.
// Nothing arrived here, which is itself a failed spec: a watch never passes with zero specs.
func TestConformWebhooksOnlyInterrupted(t *testing.T) {
	dir := t.TempDir()
	listening := func(stderr string) bool { return strings.Contains(stderr, "receiving webhooks at") }
	code, stdout, stderr := interruptBinary(t, listening, "conform", "--webhooks-only", "--webhook-listen", "127.0.0.1:0",
		"--webhook-duration", "10m", "--format", "json", "--report-dir", dir)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want 130\nstderr:\n%s", code, stderr)
	}
	r := decodeRun(t, stdout)
	if r.Summary.Specs != 1 || r.Summary.Failed != 1 || r.Specs[0].Name != "webhook count" || !strings.Contains(r.Specs[0].Message, "received no webhook") {
		t.Errorf("specs %+v, want the failed webhook count", r.Specs)
	}
}

// --webhooks-only that receives nothing in its duration fails (exit 1), never passes with zero
// specs.
func TestConformWebhooksOnlyNothingReceived(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, []string{"conform", "--webhooks-only", "--webhook-listen", "127.0.0.1:0",
		"--webhook-duration", "200ms", "--format", "json", "--report-dir", dir}, "")
	if code != exitFindings {
		t.Fatalf("exit %d, want 1\nstderr:\n%s", code, stderr)
	}
	r := decodeRun(t, stdout)
	if r.Summary.Specs != 1 || r.Summary.Failed != 1 || !strings.Contains(r.Specs[0].Message, "received no webhook in") {
		t.Errorf("specs %+v", r.Specs)
	}
	if !strings.Contains(stdout, `"verdict": "fail"`) {
		t.Errorf("the verdict is not fail:\n%s", clipOut(stdout))
	}
}
