package reports

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The page is opened in a real browser (headless Chromium): it must load without a console
// error, an exception or a request leaving the file, and show its verdict and tables. The
// screenshot is kept as an artefact for a person to look at.

// browserTimeout bounds the whole browser test: start, two pages, screenshot.
const browserTimeout = 60 * time.Second

// chromium finds the browser: $CHROME_PATH, else Debian's /usr/bin/chromium. Without one the
// test skips, saying so: `go test ./...` never fails for a missing tool. `make test` installs
// Chromium (scripts/test-deps.sh) and sets JPCHECK_REQUIRE_TOOLS=1, under which a missing
// browser fails the test instead, so CI cannot pass without looking at the page.
func chromium(t *testing.T) string {
	t.Helper()
	if os.Getenv("JPCHECK_SKIP_BROWSER") == "1" {
		t.Skip("JPCHECK_SKIP_BROWSER=1: the report is not checked in a browser")
	}
	path := os.Getenv("CHROME_PATH")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("no browser at %s (%v): make test installs Chromium (scripts/test-deps.sh: apt-get install chromium chromium-driver), or point CHROME_PATH at one", path, err)
		if os.Getenv("JPCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// pageProblems collects what a page must not do: write an error to the console, throw, log
// an error, or request anything but its own file.
type pageProblems struct {
	mu   sync.Mutex
	list []string
}

func (p *pageProblems) add(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.list = append(p.list, fmt.Sprintf(format, args...))
}

func (p *pageProblems) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.list...)
}

// listen runs in the tab's read loop: it must only record.
func (p *pageProblems) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				args = append(args, strings.Trim(string(a.Value), `"`)+a.Description)
			}
			p.add("console.%s: %s", ev.Type, strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		p.add("exception: %s", msg)
	case *log.EventEntryAdded:
		if ev.Entry != nil && ev.Entry.Level == log.EntryLevelError {
			p.add("log %s: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	case *network.EventRequestWillBeSent:
		if u := ev.Request.URL; !strings.HasPrefix(u, "file:") && !strings.HasPrefix(u, "data:") {
			p.add("request leaves the page: %s", u)
		}
	}
}

// browser starts headless Chromium for the test, with a fresh profile and nothing that
// phones home: the machine's network refuses background connections.
func browser(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancel)
	return actx
}

// open loads path in a new tab of the browser and returns the tab and what it did wrong.
func open(t *testing.T, browserCtx context.Context, path string) (context.Context, *pageProblems) {
	t.Helper()
	problems := &pageProblems{}
	tab, cancel := chromedp.NewContext(browserCtx, chromedp.WithListener(problems.listen))
	t.Cleanup(cancel)
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	if err := chromedp.Do(tab, chromedp.Navigate(u.String()), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("open %s: %v", u.String(), err)
	}
	return tab, problems
}

// pageFacts is what the test reads from the page's DOM.
type pageFacts struct {
	Verdict    string      `json:"verdict"`
	Background string      `json:"background"`
	Areas      []areaFacts `json:"areas"`
	Headings   []string    `json:"headings"`
	SLOHeaders []string    `json:"sloHeaders"`
	Plots      []float64   `json:"plots"`
	Width      float64     `json:"width"`
}

type areaFacts struct {
	ID      string   `json:"id"`
	Heading string   `json:"heading"`
	Headers []string `json:"headers"`
	Rows    int      `json:"rows"`
}

const readPage = `(() => {
  const text = (el) => el ? el.textContent.trim() : "";
  const banner = document.querySelector("section.verdict");
  return {
    verdict: text(document.querySelector("#verdict")),
    background: banner ? getComputedStyle(banner).backgroundColor : "",
    areas: Array.from(document.querySelectorAll("section.area")).map(s => ({
      id: s.id,
      heading: s.querySelector("h3") ? text(s.querySelector("h3").firstChild) : "",
      headers: Array.from(s.querySelectorAll("thead th")).map(text),
      rows: s.querySelectorAll("tbody tr").length,
    })),
    headings: Array.from(document.querySelectorAll("h2")).map(text),
    sloHeaders: Array.from(document.querySelectorAll("#latency table.slo thead th")).map(text),
    plots: Array.from(document.querySelectorAll("svg.plot")).map(s => s.getBoundingClientRect().height),
    width: document.documentElement.scrollWidth,
  };
})()`

func TestBrowserRendersReport(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()
	bctx := browser(t, ctx)

	dir := t.TempDir()
	r := htmlRun(t, 200_000)
	if err := WriteDir(dir, r, Options{}); err != nil {
		t.Fatal(err)
	}
	tab, problems := open(t, bctx, filepath.Join(dir, HTMLFile))
	facts, err := chromedp.Run(tab, chromedp.Evaluate[pageFacts](readPage))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	// The first screen (what a reader sees on opening the page; docs/report-screenshot.png is
	// one) and the whole page.
	top, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	shot, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	saveArtifacts(t, dir, top, shot)

	for _, p := range problems.all() {
		t.Errorf("the page in a browser: %s", p)
	}
	if facts.Verdict != "FAIL" {
		t.Errorf("verdict %q, want FAIL (in words, not only colour)", facts.Verdict)
	}
	if facts.Background != "rgb(253, 232, 233)" {
		t.Errorf("a failing verdict's banner is %s, want the fail colour", facts.Background)
	}
	want := map[string]string{"area-order-status": "Order status", "area-v4": "V4 (encrypted order status)", "area-webhooks": "Webhooks",
		"area-offers": "Offers", "area-rewards": "Rewards", "area-errors": "Errors", "area-flows": "Flows"}
	seen := map[string]bool{}
	for _, a := range facts.Areas {
		seen[a.ID] = true
		if title, ok := want[a.ID]; ok && a.Heading != title {
			t.Errorf("area %s is headed %q, want %q", a.ID, a.Heading, title)
		}
		if strings.Join(a.Headers, "|") != "state|spec|time|message or skip reason" || a.Rows == 0 {
			t.Errorf("area %s: table headers %q with %d rows", a.ID, a.Headers, a.Rows)
		}
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("the page has no table for area %s", id)
		}
	}
	for _, h := range []string{"Specs by area", "Findings", "Field-level compliance", "Latency", "Errata of the documents", "Trend"} {
		if !containsString(facts.Headings, h) {
			t.Errorf("the page has no %q heading (headings: %q)", h, facts.Headings)
		}
	}
	if strings.Join(facts.SLOHeaders, "|") != "check|limit|observed|95% CI|verdict" {
		t.Errorf("SLO table headers %q", facts.SLOHeaders)
	}
	if len(facts.Plots) != 4 {
		t.Errorf("%d plots drawn, want 4", len(facts.Plots))
	}
	for i, h := range facts.Plots {
		if h < 100 {
			t.Errorf("plot %d is %.0f px high: not drawn", i, h)
		}
	}
	if facts.Width > 1280 {
		t.Errorf("the page is %.0f px wide in a 1280 px window: something overflows", facts.Width)
	}
}

// The checks above can fail: a page that writes a console error, throws and fetches is caught.
func TestBrowserCatchesABrokenPage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()
	bctx := browser(t, ctx)
	path := filepath.Join(t.TempDir(), "broken.html")
	broken := `<!DOCTYPE html><title>broken</title><img src="http://192.0.2.1/x.png">` +
		`<script>console.error("boom"); throw new Error("thrown")</script>`
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	_, problems := open(t, bctx, path)
	got := strings.Join(problems.all(), "\n")
	for _, want := range []string{"console.error: boom", "exception:", "thrown", "request leaves the page: http://192.0.2.1/x.png"} {
		if !strings.Contains(got, want) {
			t.Errorf("a broken page's problems lack %q; got:\n%s", want, got)
		}
	}
}

// saveArtifacts keeps the screenshots and the page in $JPCHECK_ARTIFACTS (else a temporary
// directory) and logs where.
func saveArtifacts(t *testing.T, pageDir string, top, shot []byte) {
	t.Helper()
	dir := os.Getenv("JPCHECK_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(pageDir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"report-screenshot-top.png": top, "report-screenshot.png": shot, "report-index.html": page} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("artifact: %s", path)
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
