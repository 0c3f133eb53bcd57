package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/reports"
	"github.com/jpcheck/jpcheck/suites"
	"go.uber.org/goleak"
)

// Against a target that breaks in any way, conform and load end by themselves, exit 1 or 3,
// print their JSON and write their reports, stay under 1 GiB and leave no goroutine behind.
// Each run is this test binary re-executed as one jpcheck process (inProcessMain): Ginkgo
// runs one suite per process, and the goroutine check must see the whole process.

// inProcessEnv holds the JSON array of arguments of a run the test binary makes instead of
// running tests.
const inProcessEnv = "JPCHECK_TEST_INPROCESS_ARGS"

// exitLeak is the exit code of a run after which goroutines were left running.
const exitLeak = 97

// inProcessMain runs jpcheck with the arguments in argsJSON, then checks that no goroutine
// outlived the run (goleak waits a little for those ending on their own).
func inProcessMain(argsJSON string) int {
	var args []string
	if err := json.Unmarshal([]byte(argsJSON), &args); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return exitUsage
	}
	code := run(context.Background(), args, os.Stdin, os.Stdout, os.Stderr)
	// Ginkgo's RunSpecs starts a signal handler it never stops: one per process (RunSpecs runs
	// once per process), holding no connection or file. Everything else must have ended.
	if err := goleak.Find(goleak.IgnoreTopFunction("github.com/onsi/ginkgo/v2/internal/interrupt_handler.(*InterruptHandler).registerForInterrupts.func2")); err != nil {
		fmt.Fprintf(os.Stderr, "goroutines outlived the run (exit %d):\n%v\n", code, err)
		return exitLeak
	}
	return code
}

// hostileRun is one finished run of the re-executed binary.
type hostileRun struct {
	code           int
	stdout, stderr string
	maxRSS         int64 // bytes
}

// hostileDeadline is when a run that has not ended is reported as hung: far beyond the
// bounds the flags below set (a few seconds), so that only a run that would not end trips it.
const hostileDeadline = 2 * time.Minute

func runInProcess(t *testing.T, args ...string) hostileRun {
	t.Helper()
	b, _ := json.Marshal(args)
	ctx, cancel := context.WithTimeout(context.Background(), hostileDeadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0])
	cmd.Env = append(cleanEnv(), inProcessEnv+"="+string(b), "TMPDIR="+t.TempDir())
	var out, errw bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errw
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("jpcheck %s did not end within %s\nstderr:\n%s", strings.Join(args, " "), hostileDeadline, clipOut(errw.String()))
	}
	r := hostileRun{stdout: out.String(), stderr: errw.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return r
}

// check asserts what every hostile run must do: the expected exit, no panic, no leak, under
// 1 GiB.
func (r hostileRun) check(t *testing.T, wantCode int) {
	t.Helper()
	if r.code != wantCode {
		t.Errorf("exit %d, want %d\nstderr:\n%s", r.code, wantCode, clipOut(r.stderr))
	}
	if strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "goroutine ") && r.code != exitLeak {
		t.Errorf("a panic:\n%s", clipOut(r.stderr))
	}
	if r.maxRSS >= 1<<30 {
		t.Errorf("peak resident memory %d MiB, want under 1 GiB", r.maxRSS>>20)
	}
}

// noPartialFiles fails when dir holds a file a write left behind (writes go through a
// temporary dot-file renamed into place).
func noPartialFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("%s: partial file %s left behind", dir, e.Name())
		}
	}
}

// hostileConformDoc is the part of conform's JSON these tests read.
type hostileConformDoc struct {
	Verdict, Error string
	Summary        reports.Summary
	Specs          []struct{ Name, State, Message string }
}

func decodeHostileConform(t *testing.T, what, doc string) hostileConformDoc {
	t.Helper()
	var d hostileConformDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatalf("%s is not the run's JSON (%v):\n%s", what, err, clipOut(doc))
	}
	return d
}

// The specs of the answering modes: a few areas, so that the modes whose every answer is slow
// to read (a gzip bomb, 256 MiB) stay quick to test. The modes that judge the target down run
// every spec: the rest must fail fast.
const hostileSubset = "order-status || errors"

// conformQuick bounds a conform run against a hostile target: a request timeout short enough
// for a quick test yet long enough that a busy shared machine does not make an answering
// target look down, and a whole-run budget well under the test's own deadline.
func conformQuick(target, dir string) []string {
	return []string{"conform", "--target", target, "--format", "json", "--report-dir", dir,
		"--junit", filepath.Join(dir, "junit.xml"), "--request-timeout", "2s", "--timeout", "60s",
		"--webhook-timeout", "1s"}
}

// conformWant is what a hostile mode must lead conform to.
var conformWant = map[string]struct {
	down   bool // judged down: verdict error, the specs left not run
	subset bool // run only hostileSubset
}{
	hostileHang: {down: true}, hostileReset: {down: true}, hostileTrickle: {down: true}, hostileGarbage: {down: true},
	hostileHTML: {subset: true}, hostileGzipBomb: {subset: true}, hostileHuge: {subset: true},
	hostileNested: {subset: true}, hostile500: {subset: true},
}

func TestConformHostileTargets(t *testing.T) {
	for _, mode := range hostileModes {
		t.Run(mode, func(t *testing.T) {
			want := conformWant[mode]
			srv := startHostile(t, mode)
			dir := t.TempDir()
			args := conformQuick(srv.URL, dir)
			if want.subset {
				args = append(args, "--label-filter", hostileSubset)
			}
			r := runInProcess(t, args...)
			srv.Close()
			r.check(t, exitFindings)
			d := decodeHostileConform(t, "stdout", r.stdout)
			file := decodeHostileConform(t, reports.RunFile, string(mustRead(t, filepath.Join(dir, reports.RunFile))))
			if file.Verdict != d.Verdict || file.Summary != d.Summary {
				t.Errorf("run.json (%s %+v) is not the run printed (%s %+v)", file.Verdict, file.Summary, d.Verdict, d.Summary)
			}
			for _, f := range []string{reports.HTMLFile, reports.MarkdownFile, "junit.xml"} {
				if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
					t.Errorf("%s not written: %v", f, err)
				}
			}
			noPartialFiles(t, dir)
			if d.Summary.Specs == 0 {
				t.Fatalf("no spec in the run:\n%s", clipOut(r.stdout))
			}
			t.Logf("verdict %s, summary %+v, error %q, peak RSS %d MiB", d.Verdict, d.Summary, d.Error, r.maxRSS>>20)
			if want.down {
				if d.Verdict != reports.VerdictError || !strings.Contains(d.Error, "judged down") || d.Summary.NotRun == 0 || d.Summary.Passed != 0 {
					t.Errorf("verdict %q, error %q, summary %+v; want error, judged down, specs not run", d.Verdict, d.Error, d.Summary)
				}
				if !strings.Contains(r.stderr, "judged down") {
					t.Errorf("stderr does not say why:\n%s", clipOut(r.stderr))
				}
				for _, s := range d.Specs {
					if s.State == reports.StateNotRun && !strings.HasPrefix(s.Message, "not run: target judged down") {
						t.Errorf("spec %q not run with message %q", s.Name, s.Message)
					}
				}
				// Judged down after suites.DownAfter requests without an answer, each failing its
				// spec: every later spec that would call the target is not run, rather than
				// waiting out its own timeout (minutes for the whole suite).
				if d.Summary.Failed > suites.DownAfter {
					t.Errorf("%d specs failed (summary %+v): the target was not judged down after %d", d.Summary.Failed, d.Summary, suites.DownAfter)
				}
				return
			}
			if d.Verdict != reports.VerdictFail || d.Error != "" || d.Summary.Failed == 0 || d.Summary.NotRun != 0 {
				t.Errorf("verdict %q, error %q, summary %+v; want fail, every spec run", d.Verdict, d.Error, d.Summary)
			}
		})
	}
}

func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// Nothing accepts the connection: exit 3 as before, but the run is printed and written,
// every spec not run, with the reason.
func TestConformUnreachableWritesReport(t *testing.T) {
	dir := t.TempDir()
	r := runInProcess(t, conformQuick(closedPort(t), dir)...)
	r.check(t, exitUnreachable)
	d := decodeHostileConform(t, "stdout", r.stdout)
	if d.Verdict != reports.VerdictError || !strings.Contains(d.Error, "target unreachable") ||
		d.Summary.Specs == 0 || d.Summary.NotRun != d.Summary.Specs {
		t.Errorf("verdict %q, error %q, summary %+v; want error, unreachable, every spec not run", d.Verdict, d.Error, d.Summary)
	}
	file := decodeHostileConform(t, reports.RunFile, string(mustRead(t, filepath.Join(dir, reports.RunFile))))
	if file.Verdict != reports.VerdictError || file.Error != d.Error {
		t.Errorf("run.json: verdict %q, error %q", file.Verdict, file.Error)
	}
	if _, err := os.Stat(filepath.Join(dir, reports.HTMLFile)); err != nil {
		t.Error(err)
	}
	noPartialFiles(t, dir)
	usageLine("target unreachable")(t, r.stderr)
}

// hostileLoadDoc is the part of load's JSON these tests read.
type hostileLoadDoc struct {
	Verdict, Error string
	Requests       int64
	Errors         struct {
		Count  int64
		ByKind map[string]int64 `json:"by_kind"`
	}
	Aborted bool
}

func decodeHostileLoad(t *testing.T, what, doc string) hostileLoadDoc {
	t.Helper()
	var d hostileLoadDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatalf("%s is not the load JSON (%v):\n%s", what, err, clipOut(doc))
	}
	return d
}

func loadQuickHostile(target, dir string) []string {
	return []string{"load", "--target", target, "--order-id", "o1", "--rate", "20", "--duration", "3s",
		"--timeout", "2s", "--max-lag", "10s", "--format", "json", "--out", dir}
}

// bodyHeavy are the modes whose every answer has a body read up to the 1 MiB bound.
var bodyHeavy = map[string]bool{hostileGzipBomb: true, hostileHuge: true, hostileNested: true}

func TestLoadHostileTargets(t *testing.T) {
	for _, mode := range hostileModes {
		t.Run(mode, func(t *testing.T) {
			down := conformWant[mode].down
			if raceEnabled && bodyHeavy[mode] {
				// 20 answers a second of up to a MiB each take both cores under the detector, so
				// answers time out and the target is judged down: the test would measure itself.
				// The plain pass runs this mode; the detector runs the same paths in the others.
				t.Skip("answers up to a MiB of body 20 times a second: too slow to read under the race detector; run without -race")
			}
			srv := startHostile(t, mode)
			dir := t.TempDir()
			r := runInProcess(t, loadQuickHostile(srv.URL, dir)...)
			srv.Close()
			r.check(t, exitFindings)
			d := decodeHostileLoad(t, "stdout", r.stdout)
			file := decodeHostileLoad(t, reports.LoadJSONFile, string(mustRead(t, filepath.Join(dir, reports.LoadJSONFile))))
			if file.Verdict != d.Verdict || file.Requests != d.Requests || file.Error != d.Error {
				t.Errorf("%s (%+v) is not the run printed (%+v)", reports.LoadJSONFile, file, d)
			}
			noPartialFiles(t, dir)
			t.Logf("verdict %s, %d requests, errors %v, error %q, peak RSS %d MiB", d.Verdict, d.Requests, d.Errors.ByKind, d.Error, r.maxRSS>>20)
			if d.Requests == 0 || d.Errors.Count == 0 || d.Aborted {
				t.Errorf("%d requests, errors %+v, aborted %v: want requests, errors, not aborted", d.Requests, d.Errors, d.Aborted)
			}
			if down {
				if d.Verdict != reports.VerdictError || !strings.Contains(d.Error, "judged down") {
					t.Errorf("verdict %q, error %q; want error, judged down", d.Verdict, d.Error)
				}
				usageLine("judged down")(t, r.stderr)
				return
			}
			// The target answers: its answers are judged, never an error verdict.
			if d.Verdict == reports.VerdictError || d.Error != "" {
				t.Errorf("verdict %q, error %q: the target answered", d.Verdict, d.Error)
			}
		})
	}
}

func TestLoadUnreachableWritesResult(t *testing.T) {
	dir := t.TempDir()
	r := runInProcess(t, loadQuickHostile(closedPort(t), dir)...)
	r.check(t, exitUnreachable)
	d := decodeHostileLoad(t, "stdout", r.stdout)
	if d.Verdict != reports.VerdictError || !strings.Contains(d.Error, "target unreachable") || d.Requests != 0 {
		t.Errorf("verdict %q, error %q, %d requests; want error, unreachable, none", d.Verdict, d.Error, d.Requests)
	}
	file := decodeHostileLoad(t, reports.LoadJSONFile, string(mustRead(t, filepath.Join(dir, reports.LoadJSONFile))))
	if file.Verdict != reports.VerdictError || file.Error != d.Error {
		t.Errorf("%s: verdict %q, error %q", reports.LoadJSONFile, file.Verdict, file.Error)
	}
	noPartialFiles(t, dir)
	usageLine("target unreachable")(t, r.stderr)
}

// A whole-run budget spent while the target hangs: the request in flight is cut, the specs
// left are not run, the report says the budget was spent; exit 1.
func TestConformBudgetSpent(t *testing.T) {
	srv := startHostile(t, hostileHang)
	dir := t.TempDir()
	r := runInProcess(t, "conform", "--target", srv.URL, "--format", "json", "--report-dir", dir,
		"--request-timeout", "1m", "--timeout", "3s")
	srv.Close()
	r.check(t, exitFindings)
	d := decodeHostileConform(t, "stdout", r.stdout)
	if d.Verdict != reports.VerdictError || !strings.Contains(d.Error, "budget of 3s") || d.Summary.NotRun == 0 {
		t.Errorf("verdict %q, error %q, summary %+v; want error, the budget spent, specs not run", d.Verdict, d.Error, d.Summary)
	}
	file := decodeHostileConform(t, reports.RunFile, string(mustRead(t, filepath.Join(dir, reports.RunFile))))
	if file.Verdict != reports.VerdictError {
		t.Errorf("run.json: verdict %q", file.Verdict)
	}
	noPartialFiles(t, dir)
}
