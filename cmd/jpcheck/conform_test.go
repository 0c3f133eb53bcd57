package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/mock"
)

// Ginkgo runs one suite per process, so conform is tested through the built binary (style
// guide 10.8); usage errors, which stop before the suites run, go through run in-process.

var conformBuild struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	if args := os.Getenv(inProcessEnv); args != "" {
		os.Exit(inProcessMain(args)) // this process is one jpcheck run (hostile_test.go)
	}
	code := m.Run()
	if conformBuild.dir != "" {
		os.RemoveAll(conformBuild.dir)
	}
	os.Exit(code)
}

// conformBinary builds jpcheck once per test process and returns its path.
func conformBinary(t testing.TB) string {
	t.Helper()
	conformBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "jpcheck-conform-test-")
		if err != nil {
			conformBuild.err = err
			return
		}
		conformBuild.dir = dir
		bin := filepath.Join(dir, "jpcheck")
		// Static, as the container image and the GitHub Action build it, so the tests that
		// build it too (TestStaticBuild, TestGitHubAction) reuse the same compiled packages.
		build := exec.Command("go", "build", "-o", bin, ".")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := build.CombinedOutput()
		if err != nil {
			conformBuild.err = errors.New("go build: " + err.Error() + "\n" + string(out))
			return
		}
		conformBuild.bin = bin
	})
	if conformBuild.err != nil {
		t.Fatal(conformBuild.err)
	}
	return conformBuild.bin
}

// conformTimeout bounds one run of the binary: the embedded full run takes about a second.
const conformTimeout = 2 * time.Minute

// execConform runs the binary with args, the environment's JPCHECK_* variables replaced by env.
func execConform(t testing.TB, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	// A run without --report-dir journals webhooks to a new temporary directory it keeps for
	// the user; under a test that directory is the test's own.
	code, stdout, stderr, err := runBinary(conformBinary(t), append([]string{"TMPDIR=" + t.TempDir()}, env...), args...)
	if err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, stderr)
	}
	return code, stdout, stderr
}

// runBinary runs bin with args under conformTimeout, the environment's JPCHECK_* variables
// replaced by env. It fails no test, so several goroutines may call it: err is set only when the
// process could not run or did not finish, and an exit code is not an error.
func runBinary(bin string, env []string, args ...string) (code int, stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), conformTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(cleanEnv(), env...)
	var out, errw bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errw
	err = cmd.Run()
	if ctx.Err() != nil {
		return 0, out.String(), errw.String(), fmt.Errorf("jpcheck %s did not finish in %s", strings.Join(args, " "), conformTimeout)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String(), errw.String(), nil
	}
	return 0, out.String(), errw.String(), err
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "JPCHECK_") {
			env = append(env, kv)
		}
	}
	return env
}

// conformRun is `conform --format json` output, decoded.
type conformRun struct {
	Version int    `json:"version"`
	Target  string `json:"target"`
	Profile string `json:"profile"`
	Summary struct {
		Specs, Passed, Failed, Skipped int
		NotRun                         int `json:"not_run"`
	}
	Specs []struct {
		Name, State, Message string
		Labels               []string
	}
	Findings []struct{ Spec, Pointer, Rule, Severity, Message, Request string }
	Coverage *struct {
		FieldsDeclared int               `json:"fields_declared"`
		FieldsSeen     int               `json:"fields_seen"`
		Schemas        []json.RawMessage `json:"schemas"`
	}
}

// decodeRun decodes and checks the document's invariants: version 1, valid states, a summary
// that counts the specs, arrays never null.
func decodeRun(t *testing.T, doc string) conformRun {
	t.Helper()
	var r conformRun
	if err := json.Unmarshal([]byte(doc), &r); err != nil {
		t.Fatalf("stdout is not one JSON document (%v):\n%s", err, clipOut(doc))
	}
	if r.Version != 1 {
		t.Errorf("version %d, want 1", r.Version)
	}
	if r.Specs == nil || r.Findings == nil || r.Coverage == nil || r.Coverage.Schemas == nil {
		t.Errorf("specs, findings and coverage.schemas must be arrays:\n%s", clipOut(doc))
	}
	var passed, failed, skipped, notRun int
	for _, s := range r.Specs {
		switch s.State {
		case "passed":
			passed++
		case "failed":
			failed++
		case "not_run": // the run ended (interrupted, budget spent, target down) before it
			notRun++
			if !strings.HasPrefix(s.Message, "not run: ") {
				t.Errorf("spec %q is not run without a reason: %q", s.Name, s.Message)
			}
		case "skipped":
			skipped++
			if s.Message == "" {
				t.Errorf("spec %q is skipped without a reason", s.Name)
			}
		default:
			t.Errorf("spec %q has state %q", s.Name, s.State)
		}
	}
	if r.Summary.Specs != len(r.Specs) || r.Summary.Passed != passed || r.Summary.Failed != failed || r.Summary.Skipped != skipped || r.Summary.NotRun != notRun {
		t.Errorf("summary %+v does not count the specs (%d: %d/%d/%d/%d)", r.Summary, len(r.Specs), passed, failed, skipped, notRun)
	}
	return r
}

func (r conformRun) specNames() []string {
	var names []string
	for _, s := range r.Specs {
		names = append(names, s.Name)
	}
	return names
}

func TestConformEmbeddedJSONAndReports(t *testing.T) {
	dir := t.TempDir()
	junit := filepath.Join(dir, "junit", "report.xml")
	code, stdout, stderr := execConform(t, nil, "conform", "--format", "json", "--profile", "strict", "--report-dir", dir, "--junit", junit)
	if code != exitOK {
		t.Fatalf("exit %d, want 0\nstderr:\n%s\nstdout:\n%s", code, stderr, clipOut(stdout))
	}
	r := decodeRun(t, stdout)
	if r.Summary.Failed != 0 || r.Summary.Passed == 0 || len(r.Specs) < 20 {
		t.Errorf("the reference implementation must pass a full run: %+v", r.Summary)
	}
	if r.Profile != "strict" || !regexp.MustCompile(`^http://127\.0\.0\.1:\d+$`).MatchString(r.Target) {
		t.Errorf("profile %q, target %q", r.Profile, r.Target)
	}
	if r.Coverage.FieldsDeclared == 0 || r.Coverage.FieldsSeen == 0 || len(r.Coverage.Schemas) == 0 {
		t.Errorf("coverage is empty: %+v", r.Coverage)
	}
	for _, f := range r.Findings {
		if f.Severity == "error" {
			t.Errorf("error finding in a passing run: %+v", f)
		}
	}
	labels := map[string]bool{}
	for _, s := range r.Specs {
		for _, l := range s.Labels {
			labels[l] = true
		}
	}
	for _, l := range []string{"order-status", "v4", "webhooks", "offers", "rewards", "errors", "flows"} {
		if !labels[l] {
			t.Errorf("no spec carries label %s", l)
		}
	}

	file := decodeRun(t, string(mustRead(t, filepath.Join(dir, "run.json"))))
	if !slices.Equal(file.specNames(), r.specNames()) {
		t.Error("run.json and stdout list different specs")
	}
	// html/template escapes more than html.EscapeString (+ is &#43;): compare the text.
	page := html.UnescapeString(string(mustRead(t, filepath.Join(dir, "index.html"))))
	for _, name := range r.specNames() {
		if !strings.Contains(page, name) {
			t.Errorf("index.html does not list spec %q", name)
		}
	}
	var ju struct {
		Cases []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal(mustRead(t, junit), &ju); err != nil {
		t.Fatalf("--junit wrote no XML: %v", err)
	}
	if len(ju.Cases) != len(r.Specs) {
		t.Errorf("JUnit has %d testcases, want one per spec (%d)", len(ju.Cases), len(r.Specs))
	}
	journal := string(mustRead(t, filepath.Join(dir, "webhooks.jsonl")))
	if !strings.Contains(journal, `"event_name":"ORDER_SUCCEEDED"`) || !strings.Contains(journal, `"auth_ok":true`) {
		t.Errorf("the report directory's webhook journal lacks the run's deliveries:\n%s", clipOut(journal))
	}
	if strings.Contains(stderr+stdout, mock.DefaultAPIKey) {
		t.Error("the API key is printed")
	}
}

var summaryLineRE = regexp.MustCompile(`(?m)^(\d+) specs: (\d+) passed, 0 failed, (\d+) skipped in \d+\.\ds against http://127\.0\.0\.1:\d+$`)

func TestConformEmbeddedText(t *testing.T) {
	code, stdout, stderr := execConform(t, nil, "conform")
	if code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s\nstdout:\n%s", code, stderr, clipOut(stdout))
	}
	if !strings.Contains(stdout, "Running Suite: jpcheck conformance") || !summaryLineRE.MatchString(stdout) {
		t.Errorf("want Ginkgo's progress and the summary line:\n%s", clipOut(stdout))
	}
	// Without --report-dir the journal goes to a new temporary file, named on stderr.
	m := regexp.MustCompile(`webhook journal (\S+)`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("stderr does not name the webhook journal: %q", stderr)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(m[1])) })
	if fi, err := os.Stat(m[1]); err != nil || fi.Size() == 0 {
		t.Errorf("journal %s: %v", m[1], err)
	}
}

// startTargetMock serves the reference implementation in the test process, as a remote target.
func startTargetMock(t *testing.T, cfg mock.Config) string {
	t.Helper()
	srv, err := mock.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

func TestConformTargetCredentials(t *testing.T) {
	const key = "ci_secret_key_42"
	target := startTargetMock(t, mock.Config{APIKey: key, MerchantID: "m_ci"})
	env := []string{"JPCHECK_API_KEY=" + key, "JPCHECK_MERCHANT_ID=m_ci"}

	code, stdout, stderr := execConform(t, env, "conform", "--target", target, "--format", "json")
	if code != exitOK {
		t.Fatalf("key from JPCHECK_API_KEY: exit %d\nstderr:\n%s\nstdout:\n%s", code, stderr, clipOut(stdout))
	}
	r := decodeRun(t, stdout)
	if r.Target != target || r.Summary.Failed != 0 || r.Summary.Passed == 0 {
		t.Errorf("target %q, summary %+v", r.Target, r.Summary)
	}
	if strings.Contains(stdout+stderr, key) {
		t.Error("the API key is printed")
	}
	// No --webhook-listen against a target: no receiver, the webhook specs say so.
	for _, s := range r.Specs {
		if slices.Contains(s.Labels, "webhooks") && s.State == "passed" && strings.Contains(s.Name, "delivers") {
			t.Errorf("webhook spec %q passed without a receiver", s.Name)
		}
	}

	code, stdout, stderr = execConform(t, env, "conform", "--target", target, "--format", "json", "--api-key", "wrong_key", "--label-filter", "order-status")
	if code != exitFindings {
		t.Fatalf("a wrong --api-key (the flag wins over JPCHECK_API_KEY): exit %d, want 1\nstderr:\n%s", code, stderr)
	}
	r = decodeRun(t, stdout)
	if r.Summary.Failed == 0 || len(r.Findings) == 0 {
		t.Errorf("want failed specs with findings: %+v", r.Summary)
	}
	if !strings.Contains(stdout, "401") {
		t.Error("the findings do not show the 401 the wrong key got")
	}
}

func TestConformLabelFilterAndFocus(t *testing.T) {
	code, stdout, stderr := execConform(t, nil, "conform", "--format", "json", "--label-filter", "order-status")
	if code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	r := decodeRun(t, stdout)
	if len(r.Specs) == 0 {
		t.Fatal("--label-filter order-status ran no spec")
	}
	for _, s := range r.Specs {
		if !slices.Contains(s.Labels, "order-status") {
			t.Errorf("spec %q (labels %v) ran under --label-filter order-status", s.Name, s.Labels)
		}
	}
	code, stdout, stderr = execConform(t, nil, "conform", "--format", "json", "--focus", "card", "--focus", "netbanking", "--label-filter", "order-status")
	if code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	focused := decodeRun(t, stdout)
	if len(focused.Specs) == 0 || len(focused.Specs) >= len(r.Specs) {
		t.Errorf("--focus card --focus netbanking ran %d of %d specs", len(focused.Specs), len(r.Specs))
	}
	for _, s := range focused.Specs {
		if !strings.Contains(s.Name, "card") && !strings.Contains(s.Name, "netbanking") {
			t.Errorf("spec %q ran under --focus card --focus netbanking", s.Name)
		}
	}
	// A selection that matches nothing would pass CI while checking nothing.
	code, _, stderr = execConform(t, nil, "conform", "--format", "json", "--label-filter", "no-such-label")
	if code != exitUsage || !strings.Contains(stderr, "no spec matches") {
		t.Errorf("a label filter matching no spec: exit %d, stderr %q; want 2", code, stderr)
	}
}

// A scenario the fixtures do not name is skipped with its reason, never counted as passed.
func TestConformFixturesSkipMissingScenarios(t *testing.T) {
	code, stdout, stderr := execConform(t, nil, "conform", "--format", "json", "--fixtures", filepath.Join("testdata", "conform-fixtures-card.yaml"))
	if code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	r := decodeRun(t, stdout)
	var noFixture int
	for _, s := range r.Specs {
		if s.State == "skipped" && strings.Contains(s.Message, "no fixture for scenario") {
			noFixture++
		}
		if s.State == "passed" && strings.Contains(s.Name, "netbanking") {
			t.Errorf("spec %q passed without a netbanking fixture", s.Name)
		}
	}
	if noFixture == 0 || r.Summary.Passed == 0 {
		t.Errorf("want skips for the missing scenarios and the card spec passing: %+v", r.Summary)
	}
}

func TestConformUsageErrors(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	mustWrite(t, notDir, nil)
	fail := func(name string, args []string, subs ...string) cliCase {
		return cliCase{name: name, args: append([]string{"conform"}, args...), wantCode: exitUsage,
			stdout: []outCheck{isEmpty()}, stderr: []outCheck{usageLine(subs...)}}
	}
	runTable(t, []cliCase{
		fail("bad label filter", []string{"--label-filter", "order-status &&"}, "label filter"),
		fail("bad focus", []string{"--focus", "("}, "focus"),
		fail("unknown scenario", []string{"--fixtures", filepath.Join("testdata", "conform-fixtures-unknown.yaml")}, "unknown scenario order-status/crad"),
		fail("missing fixtures", []string{"--fixtures", filepath.Join("testdata", "no-such.yaml")}, "--fixtures"),
		fail("bad format", []string{"--format", "xml"}, `unknown format "xml"`),
		fail("bad profile", []string{"--profile", "lax"}, `unknown profile "lax"`),
		fail("webhooks-only without listen", []string{"--webhooks-only", "--webhook-count", "1"}, "--webhook-listen"),
		fail("webhooks-only without count or duration", []string{"--webhooks-only", "--webhook-listen", "127.0.0.1:0"}, "--webhook-count"),
		fail("webhook count without webhooks-only", []string{"--webhook-count", "3"}, "--webhooks-only"),
		fail("negative count", []string{"--webhooks-only", "--webhook-listen", "127.0.0.1:0", "--webhook-count", "-1"}, "negative"),
		fail("webhooks-only with a label filter", []string{"--webhooks-only", "--webhook-listen", "127.0.0.1:0", "--webhook-count", "1", "--label-filter", "v4"}, "runs no spec"),
		fail("bad duration", []string{"--webhook-timeout", "soon"}, "--webhook-timeout"),
		fail("zero timeout", []string{"--timeout", "0s"}, "--timeout"),
		fail("report dir is a file", []string{"--report-dir", notDir}, "--report-dir"),
		fail("junit under a file", []string{"--junit", filepath.Join(notDir, "junit.xml")}, "--junit"),
		fail("not an http target", []string{"--target", "ftp://example.com"}, "not an http(s) URL"),
		fail("extra argument", []string{"now"}, "takes 0 argument"),
	})
}

func TestConformHelp(t *testing.T) {
	runTable(t, []cliCase{
		{name: "conform --help", args: []string{"conform", "--help"}, wantCode: exitOK, stdout: []outCheck{contains("Usage:", "jpcheck conform [flags]",
			"--target", "--api-key", "--merchant-id", "--fixtures", "--label-filter", "--focus", "--profile", "--report-dir",
			"--format", "--junit", "--webhook-listen", "--webhook-user", "--webhook-password", "--webhook-journal",
			"--webhook-timeout", "--webhooks-only", "--webhook-count", "--webhook-duration", "--timeout", "--verbose",
			"JPCHECK_API_KEY", "JPCHECK_MERCHANT_ID")}},
	})
}

// The ids a fixture names beside the order must be the order's: a wrong txn_id fails the spec.
func TestConformFixtureIDsChecked(t *testing.T) {
	code, stdout, stderr := execConform(t, nil, "conform", "--format", "json", "--label-filter", "order-status", "--focus", "card",
		"--fixtures", filepath.Join("testdata", "conform-fixtures-card-txn.yaml"))
	if code != exitFindings {
		t.Fatalf("exit %d, want %d\nstderr:\n%s", code, exitFindings, stderr)
	}
	r := decodeRun(t, stdout)
	found := false
	for _, f := range r.Findings {
		if f.Rule == "assertion" && strings.Contains(f.Message, "jpcheck-no-such-txn") && strings.Contains(f.Spec, "card") {
			found = true
		}
		if strings.Contains(f.Message, "customer_id") {
			t.Errorf("the right customer_id was reported: %+v", f)
		}
	}
	if !found {
		t.Errorf("no assertion finding names the fixture's txn_id: %+v", r.Findings)
	}
}
