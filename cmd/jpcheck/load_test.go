package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jpcheck/jpcheck/load"
	"github.com/jpcheck/jpcheck/mock"
	"github.com/jpcheck/jpcheck/reports"
	"github.com/spf13/pflag"
)

// Every real run here is short and modest (a few dozen requests per second for a second or
// two) against a server in the test process. --max-lag is beyond any run's length because
// these machines are shared (a busy neighbour has delayed sends by half a second): the
// generator's punctuality is the engine's test, not the CLI's.
var loadQuick = []string{"--rate", "40", "--duration", "1500ms", "--max-lag", "10s"}

func loadArgs(extra ...string) []string {
	return append(append([]string{"load"}, loadQuick...), extra...)
}

func TestLoadUsageErrors(t *testing.T) {
	t.Setenv("JPCHECK_API_KEY", "")
	t.Setenv("JPCHECK_MERCHANT_ID", "")
	const local = "http://127.0.0.1:9"
	runTable(t, []cliCase{
		{name: "production host refused", args: []string{"load", "--target", "https://api.juspay.in", "--order-id", "o1"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("production", "--allow-production", "api.juspay.in")}},
		{name: "production host with port and path refused", args: []string{"load", "--target", "https://API.juspay.in:443/v1", "--order-id", "o1"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("production")}},
		{name: "rate over the cap", args: []string{"load", "--target", local, "--order-id", "o1", "--rate", "6000"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--max-rate 5000")}},
		{name: "ramp over the cap", args: []string{"load", "--target", local, "--order-id", "o1", "--ramp", "100:6000:100"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--ramp", "--max-rate")}},
		{name: "duration over the cap", args: []string{"load", "--target", local, "--order-id", "o1", "--duration", "2h"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--max-duration 1h0m0s")}},
		{name: "ramp longer than the cap", args: []string{"load", "--target", local, "--order-id", "o1", "--ramp", "10:100:10:10m"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("1h40m0s", "--max-duration")}},
		{name: "capacity search longer than the cap", args: []string{"load", "--target", local, "--order-id", "o1", "--find-capacity", "--rate", "10", "--duration", "1m"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--max-duration")}},
		{name: "capacity search without a start", args: []string{"load", "--find-capacity", "--rate", "0"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--find-capacity", "--rate N")}},
		{name: "unthrottled against a remote host", args: []string{"load", "--target", "https://sandbox.example.com", "--order-id", "o1", "--rate", "0"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("unthrottled", "--max-rate 0")}},
		{name: "bad ramp", args: []string{"load", "--ramp", "100:50:10"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--ramp", "FROM must not exceed TO")}},
		{name: "ramp not numbers", args: []string{"load", "--ramp", "a:b:c"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("FROM is not a number")}},
		{name: "unknown SLO key", args: []string{"load", "--slo", "testdata/load-slo-unknown-key.yaml"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--slo", "tp95_ms")}},
		{name: "missing SLO file", args: []string{"load", "--slo", "testdata/no-such-slo.yaml"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--slo", "no such file")}},
		{name: "no pool with a target", args: []string{"load", "--target", local},
			wantCode: exitUsage, stderr: []outCheck{usageLine("no order ids", "--order-id")}},
		{name: "missing order-ids file", args: []string{"load", "--target", local, "--order-ids", "testdata/no-such-ids.txt"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--order-ids", "no such file")}},
		{name: "empty order id", args: []string{"load", "--target", local, "--order-id", " "},
			wantCode: exitUsage, stderr: []outCheck{usageLine("empty order id")}},
		{name: "bad format", args: []string{"load", "--format", "xml"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("unknown format", "openmetrics")}},
		{name: "bad profile", args: []string{"load", "--profile", "lenient"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("lenient")}},
		{name: "v4 without keys", args: []string{"load", "--target", local, "--order-id", "o1", "--v4"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--v4", "v4 section")}},
		{name: "v4 key files missing", args: []string{"load", "--target", local, "--fixtures", "testdata/load-fixtures-v4.yaml", "--v4"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--fixtures")}},
		{name: "bad mock latency", args: []string{"load", "--mock-latency", "fast"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--mock-latency")}},
		{name: "mock latency with a target", args: []string{"load", "--target", local, "--order-id", "o1", "--mock-latency", "none"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--mock-latency", "embedded")}},
		{name: "not a URL", args: []string{"load", "--target", "ftp://x", "--order-id", "o1"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("not an http(s) URL")}},
		{name: "sample out of range", args: []string{"load", "--validate-sample", "1.5"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--validate-sample")}},
		{name: "no workers", args: []string{"load", "--workers", "0"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--workers")}},
		{name: "negative rate", args: []string{"load", "--rate", "-1"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--rate")}},
		{name: "timeout that censors", args: []string{"load", "--timeout", "1s"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--timeout", "below 2s")}},
		{name: "timeout under an SLO limit", args: []string{"load", "--timeout", "2s", "--slo", "testdata/load-slo-slow-tail.yaml"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--timeout", "below 3s")}},
		{name: "no duration", args: []string{"load", "--duration", "0s"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("--duration")}},
		{name: "positional argument", args: []string{"load", "extra"},
			wantCode: exitUsage, stderr: []outCheck{usageLine("takes 0 argument")}},
	})
}

// loadDoc is the part of `load --format json` the tests read.
type loadDoc struct {
	Version  int    `json:"version"`
	Target   string `json:"target"`
	Endpoint string `json:"endpoint"`
	Requests int64  `json:"requests"`
	Aborted  bool   `json:"aborted"`
	Rate     struct{ Requested, Achieved float64 }
	Latency  map[string]float64 `json:"latency_ms"`
	Errors   struct {
		Count  int64            `json:"count"`
		ByKind map[string]int64 `json:"by_kind"`
	} `json:"errors"`
	SLO struct {
		Verdict          string      `json:"verdict"`
		Pass             bool        `json:"pass"`
		Conclusive       bool        `json:"conclusive"`
		GeneratorLimited bool        `json:"generator_limited"`
		Reasons          []string    `json:"reasons"`
		Checks           []loadCheck `json:"checks"`
	} `json:"slo"`
	Generator struct {
		LagP99MS    float64 `json:"lag_p99_ms"`
		HiccupP99MS float64 `json:"hiccup_p99_ms"`
	} `json:"generator"`
	Validation struct {
		Validated int64 `json:"validated"`
		Failed    int64 `json:"failed"`
	} `json:"validation"`
}

func decodeLoad(t *testing.T, out string) loadDoc {
	t.Helper()
	var d loadDoc
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("stdout is not the load JSON: %v\n%s", err, clipOut(out))
	}
	return d
}

type loadCheck struct {
	Name             string   `json:"name"`
	Result           string   `json:"result"`
	Pass             *bool    `json:"pass"`
	LimitFraction    *float64 `json:"limit_fraction"`
	ObservedFraction *float64 `json:"observed_fraction"`
}

func (d loadDoc) check(t *testing.T, name string) loadCheck {
	t.Helper()
	for _, c := range d.SLO.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %s in %+v", name, d.SLO.Checks)
	return loadCheck{}
}

func checkNames(d loadDoc) string {
	var names []string
	for _, c := range d.SLO.Checks {
		names = append(names, c.Name)
	}
	return strings.Join(names, " ")
}

// A short run against a target with a generous SLO: every field the issue names, no error,
// every response checked, the result and its histogram written, exit 0.
func TestLoadRunJSON(t *testing.T) {
	const key = "ci_load_key_42"
	t.Setenv("JPCHECK_API_KEY", key)
	t.Setenv("JPCHECK_MERCHANT_ID", "m_load")
	target := startTargetMock(t, mock.Config{APIKey: key, MerchantID: "m_load"})
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI(t, loadArgs("--target", target, "--order-ids", "testdata/load-order-ids.txt",
		"--fixtures", "testdata/conform-fixtures-card.yaml", "--slo", "testdata/load-slo-generous.yaml",
		"--format", "json", "--out", out, "--profile", "strict"), "")
	if code != exitOK {
		t.Fatalf("exit %d, want 0\nstderr:\n%s\nstdout:\n%s", code, stderr, clipOut(stdout))
	}
	if stderr != "" {
		t.Errorf("stderr is not empty on a non-terminal:\n%s", stderr)
	}
	d := decodeLoad(t, stdout)
	if d.Version != 1 || d.Target != target || d.Endpoint != load.EndpointOrderStatus || d.Requests == 0 || d.Rate.Requested != 40 {
		t.Errorf("version %d, target %q, endpoint %q, %d requests, rate %+v", d.Version, d.Target, d.Endpoint, d.Requests, d.Rate)
	}
	if d.Errors.Count != 0 || d.Validation.Validated != d.Requests || d.Validation.Failed != 0 {
		t.Errorf("errors %+v, validation %+v of %d requests", d.Errors, d.Validation, d.Requests)
	}
	if !d.SLO.Pass || d.SLO.GeneratorLimited {
		t.Errorf("slo %+v", d.SLO)
	}
	if got := checkNames(d); got != "TP50 TP90 TP99 TP99.9 TP99.99 timeout-1000ms timeout-2000ms errors" {
		t.Errorf("checks %s", got)
	}
	for _, k := range []string{"p50", "p90", "p99", "p99.9", "p99.99", "max"} {
		if v, ok := d.Latency[k]; !ok || v <= 0 {
			t.Errorf("latency_ms.%s = %v", k, v)
		}
	}
	saved, err := os.ReadFile(filepath.Join(out, reports.LoadJSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if s := decodeLoad(t, string(saved)); s.Requests != d.Requests {
		t.Errorf("%s holds %d requests, stdout %d", reports.LoadJSONFile, s.Requests, d.Requests)
	}
	hdr, err := os.ReadFile(filepath.Join(out, reports.LoadHistogramFile))
	if err != nil {
		t.Fatal(err)
	}
	h, err := load.DecodeHistogram(bytes.TrimSpace(hdr))
	if err != nil || h.TotalCount() != d.Requests {
		t.Errorf("%s: %v, %d values for %d requests", reports.LoadHistogramFile, err, h.TotalCount(), d.Requests)
	}
	if strings.Contains(stdout+stderr+string(saved), key) {
		t.Error("the API key is printed")
	}
}

// A TP50 of a microsecond fails conclusively: exit 1, the text names the failed check.
func TestLoadSLOBreach(t *testing.T) {
	target := startTargetMock(t, mock.Config{})
	code, stdout, stderr := runCLI(t, loadArgs("--target", target, "--order-id", "JP1636474794", "--slo", "testdata/load-slo-tight.yaml"), "")
	if code != exitFindings {
		t.Fatalf("exit %d, want 1\nstderr:\n%s\nstdout:\n%s", code, stderr, clipOut(stdout))
	}
	for _, want := range []string{"SLO not met: TP50 failed", "TP50", "0.001 ms", "FAIL", "latency ms"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, `0.0198 under a "(ms)" header`) {
		t.Error("the TP50 unit note is printed for an overridden TP50")
	}
	if stderr != "" {
		t.Errorf("stderr: %s", stderr)
	}
}

// Every request refused (a wrong key): the errors check fails, and so does every percentile,
// which ranks the failures slower than its limit. --max-error-fraction (or the --slo file's
// errors_max_fraction) sets the errors check's limit only: a budget of 100% passes that check,
// and the failed requests still fail the latency checks.
func TestLoadErrorBudget(t *testing.T) {
	t.Setenv("JPCHECK_API_KEY", "")
	target := startTargetMock(t, mock.Config{APIKey: "right_key"})
	code, stdout, stderr := runCLI(t, loadArgs("--target", target, "--order-id", "JP1636474794", "--api-key", "wrong_key",
		"--slo", "testdata/load-slo-generous.yaml", "--format", "json"), "")
	if code != exitFindings {
		t.Fatalf("exit %d, want 1\nstderr:\n%s", code, stderr)
	}
	d := decodeLoad(t, stdout)
	if d.Errors.Count != d.Requests || d.Errors.ByKind[load.ErrorStatus4xx] != d.Requests || d.SLO.Pass || d.SLO.Verdict != load.OutcomeFail {
		t.Errorf("errors %+v of %d requests, slo %+v", d.Errors, d.Requests, d.SLO)
	}
	if got := d.check(t, load.CheckErrors); got.Result != load.OutcomeFail || *got.LimitFraction != load.DefaultErrorsMaxFraction {
		t.Errorf("errors check %+v", got)
	}
	usageLine("SLO not met", "errors failed", "TP50 failed")(t, stderr)
	if strings.Contains(stdout+stderr, "wrong_key") {
		t.Error("the API key is printed")
	}
	for _, args := range [][]string{
		{"--max-error-fraction", "1"},
		{"--slo", "testdata/load-slo-errors-free.yaml"},
		// The flag, when given, wins over the file.
		{"--slo", "testdata/load-slo-errors-free.yaml", "--max-error-fraction", "0.5"},
	} {
		code, stdout, stderr = runCLI(t, loadArgs(append([]string{"--target", target, "--order-id", "JP1636474794", "--api-key", "wrong_key",
			"--slo", "testdata/load-slo-generous.yaml", "--format", "json"}, args...)...), "")
		d := decodeLoad(t, stdout)
		want, wantResult := 1.0, load.OutcomePass
		if len(args) == 4 {
			want, wantResult = 0.5, load.OutcomeFail // every request failed: over half
		}
		if got := d.check(t, load.CheckErrors); code != exitFindings || got.Result != wantResult || *got.LimitFraction != want ||
			d.check(t, load.CheckTP50).Result != load.OutcomeFail {
			t.Errorf("%v: exit %d, errors check %+v (limit want %v), TP50 %+v\n%s", args, code, got, want, d.check(t, load.CheckTP50), stderr)
		}
	}
}

func TestLoadUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	code, stdout, stderr := runCLI(t, loadArgs("--target", "http://"+addr, "--order-id", "o1"), "")
	if code != exitUnreachable || stdout != "" {
		t.Errorf("exit %d, want 3; stdout %q", code, stdout)
	}
	usageLine("unreachable")(t, stderr)
}

// Cancelling the context (what SIGINT does) stops the run: the partial result is printed and
// written, and the exit is 130 (TestLoadInterruptedBySignal sends the signal itself).
func TestLoadInterrupted(t *testing.T) {
	srv, err := mock.New(mock.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/orders/") {
			once.Do(cancel) // the run has started: interrupt it
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"load", "--target", ts.URL, "--order-id", "JP1636474794", "--rate", "20", "--duration", "10m",
		"--format", "json", "--out", out}, strings.NewReader(""), &stdout, &stderr)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want 130\nstderr:\n%s", code, stderr.String())
	}
	d := decodeLoad(t, stdout.String())
	if !d.Aborted || d.Requests == 0 || len(d.SLO.Checks) != 8 {
		t.Errorf("aborted %v, %d requests, %d checks", d.Aborted, d.Requests, len(d.SLO.Checks))
	}
	if _, err := os.Stat(filepath.Join(out, reports.LoadJSONFile)); err != nil {
		t.Errorf("the partial result is not written: %v", err)
	}
	usageLine("interrupted", "aborted")(t, stderr.String())
}

// Without --target the run starts the reference implementation and requests its seeded
// orders; --v4 uses its keys. Every response satisfies the contract.
func TestLoadEmbedded(t *testing.T) {
	t.Setenv("JPCHECK_API_KEY", "")
	t.Setenv("JPCHECK_MERCHANT_ID", "")
	for _, tc := range []struct {
		name     string
		extra    []string
		endpoint string
	}{
		{"order status", nil, load.EndpointOrderStatus},
		{"v4", []string{"--v4"}, load.EndpointV4OrderStatus},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := loadArgs(append([]string{"--mock-latency", "none", "--slo", "testdata/load-slo-generous.yaml", "--format", "json"}, tc.extra...)...)
			code, stdout, stderr := runCLI(t, args, "")
			if code != exitOK {
				t.Fatalf("exit %d\nstderr:\n%s\nstdout:\n%s", code, stderr, clipOut(stdout))
			}
			d := decodeLoad(t, stdout)
			if d.Endpoint != tc.endpoint || d.Requests == 0 || d.Errors.Count != 0 || d.Validation.Validated == 0 || d.Validation.Failed != 0 {
				t.Errorf("endpoint %q, %d requests, errors %+v, validation %+v", d.Endpoint, d.Requests, d.Errors, d.Validation)
			}
			if !strings.HasPrefix(d.Target, "http://127.0.0.1:") {
				t.Errorf("target %q is not the embedded loopback server", d.Target)
			}
		})
	}
}

// --format openmetrics ends with # EOF and has the latency histogram at the SLO limits.
func TestLoadOpenMetrics(t *testing.T) {
	target := startTargetMock(t, mock.Config{})
	code, stdout, stderr := runCLI(t, loadArgs("--target", target, "--order-id", "JP1636474794",
		"--slo", "testdata/load-slo-generous.yaml", "--format", "openmetrics"), "")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.HasSuffix(stdout, "\n# EOF\n") || !strings.Contains(stdout, "# TYPE jpcheck_load_latency_seconds histogram\n") ||
		!strings.Contains(stdout, `jpcheck_load_latency_seconds_bucket{le="2.0"}`) || !strings.Contains(stdout, `jpcheck_load_latency_seconds_bucket{le="+Inf"}`) {
		t.Errorf("not the expected exposition:\n%s", clipOut(stdout))
	}
}

func TestLoadFindCapacity(t *testing.T) {
	target := startTargetMock(t, mock.Config{})
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, []string{"load", "--target", target, "--order-id", "JP1636474794", "--find-capacity",
		"--ramp", "20:40:20:1s", "--max-lag", "10s", "--slo", "testdata/load-slo-generous.yaml", "--out", out}, "")
	if code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s\nstdout:\n%s", code, stderr, stdout)
	}
	if !strings.Contains(stdout, "capacity: 40/s, the highest rate that met the SLO (every rate up to the maximum met the SLO") {
		t.Errorf("stdout:\n%s", stdout)
	}
	for _, f := range []string{reports.LoadCapacityFile, reports.LoadJSONFile, reports.LoadHistogramFile} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

// The manual's load page (docs/load.md) documents every flag of jpcheck load, every check name
// and every error kind.
func TestLoadDocumented(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "load.md"))
	if err != nil {
		t.Fatal(err)
	}
	section := string(data)
	newLoadCmd(streams{}).Flags().VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(section, "`--"+f.Name) {
			t.Errorf("flag --%s is not in docs/load.md", f.Name)
		}
	})
	for _, name := range []string{load.CheckTP50, load.CheckTP90, load.CheckTP99, load.CheckTP999, load.CheckTP9999,
		load.CheckTimeout1000, load.CheckTimeout2000, load.CheckErrors, load.OutcomePass, load.OutcomeFail,
		load.OutcomeInconclusive, load.OutcomeNotJudged, load.PhaseClimb, load.PhaseBisect, load.PhaseConfirm,
		load.StoppedBySLO, load.StoppedByGenerator, load.StoppedByInconclusive, load.StoppedByMax, load.StoppedByAborted,
		"errors_max_fraction", "effective_requests", "hiccup_p99_ms", "ramp_steps", "batches", "warmup_ms", load.ErrorTimeout, load.ErrorConnection, load.ErrorStatus3xx,
		load.ErrorStatus4xx, load.ErrorStatus5xx, load.ErrorStatusOther, load.ErrorBodyTooLarge, load.ErrorContract,
		load.ErrorV4Open, reports.LoadJSONFile, reports.LoadHistogramFile, reports.LoadCapacityFile, "JPCHECK_API_KEY", "JPCHECK_MERCHANT_ID"} {
		if !strings.Contains(section, "`"+name+"`") {
			t.Errorf("%s is not in docs/load.md", name)
		}
	}
	if !strings.Contains(section, fmt.Sprintf("| %d | not judged", exitNotJudged)) {
		t.Error("docs/load.md's exit codes lack the not-judged code")
	}
	if !strings.Contains(section, "0.0198 s = 19.8 ms is the only reading consistent with") {
		t.Error("docs/load.md does not explain the TP50 unit")
	}
}
