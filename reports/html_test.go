package reports

import (
	"bytes"
	"encoding/xml"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// esc is s as html/template writes it in text.
func esc(s string) string { return strings.ReplaceAll(html.EscapeString(s), "+", "&#43;") }

func renderHTML(t *testing.T, r *Run) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Everything the run holds is on the page: each spec in its area's table, each finding with
// its pointer, rule and request, each declared field, each erratum and each earlier run.
func TestHTMLShowsTheWholeRun(t *testing.T) {
	r := htmlRun(t, 20000)
	// Pointers and rules may wrap after a slash or dot; the text is the same without <wbr>.
	page := strings.ReplaceAll(renderHTML(t, Options{NoRedact: true}.Shown(r)), "<wbr>", "")
	must := func(what, s string) {
		t.Helper()
		if !strings.Contains(page, esc(s)) {
			t.Errorf("page lacks %s %q", what, s)
		}
	}
	must("verdict", "FAIL")
	must("reason", "2 specs of 9 failed")
	for _, title := range []string{"Order status", "V4 (encrypted order status)", "Webhooks", "Offers", "Rewards", "Errors", "Flows"} {
		if !regexp.MustCompile(`<h3>` + regexp.QuoteMeta(esc(title)) + ` <span`).MatchString(page) {
			t.Errorf("page lacks the area table %q", title)
		}
	}
	must("section", `<h2>Latency</h2>`[4:11])
	for _, s := range r.Specs {
		must("spec", s.Name)
		if s.Message != "" {
			must("message of "+s.Name, s.Message)
		}
	}
	// A spec with two areas is in both tables.
	if n := strings.Count(page, esc("webhooks order succeeded is delivered")); n < 2 {
		t.Errorf("the webhooks+flows spec is in %d tables, want both", n)
	}
	for _, f := range r.Findings {
		must("finding", f.Message)
		must("request", f.Request)
		must("pointer", orRoot(f.Pointer))
		must("rule", string(f.Rule))
		if f.Expected != "" {
			must("expected", f.Expected)
		}
		if f.RelatedRequest != "" {
			must("related request", f.RelatedRequest)
		}
	}
	for _, sc := range r.Coverage.Schemas {
		must("schema", sc.Schema)
		for _, f := range sc.Fields {
			if !strings.Contains(page, "<code>"+f.Field+"</code>") {
				t.Errorf("page lacks field %q", f.Field)
			}
			must("source", f.Source)
		}
	}
	for _, e := range r.Errata {
		must("erratum", e.Message)
		must("erratum section", e.Section)
	}
	must("repair", "removed a trailing comma")
	for _, h := range r.History {
		must("earlier run", h.StartedAt.Format("2006-01-02 15:04 UTC"))
	}
	must("this run in the trend", "(this run)")
	must("digest", "sha256:9f2c4e1a7b3d")
	must("jpcheck version", "v0.6.0-test")
	must("duration", "full suite in 0.3 s")
	// The failed spec comes first in its area's table.
	os := strings.Index(page, `id="area-order-status"`)
	if fail, pass := strings.Index(page[os:], "netbanking"), strings.Index(page[os:], "order status card"); fail > pass {
		t.Error("a failed spec is listed after a passed one")
	}
	// A field's findings are in its row of the matrix.
	row := regexp.MustCompile(`(?s)<th scope="row"><code>status_id</code></th>.*?</tr>`).FindString(page)
	if !strings.Contains(row, "does not match status CHARGED") {
		t.Errorf("the status_id row lacks its finding: %s", row)
	}
}

// Messages are text: a message holding markup is shown, never run.
func TestHTMLEscapesMessages(t *testing.T) {
	page := renderHTML(t, htmlRun(t, 1000))
	for _, bad := range []string{"<script", "<img", "<encrypted>"} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds unescaped %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt; &amp; more", "&lt;img src=x onerror=alert(2)&gt;", "&lt;encrypted&gt;", "&lt;b&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks the escaped text %q", want)
		}
	}
}

// Customer data is masked on the page by default and shown with --no-redact.
func TestHTMLRedaction(t *testing.T) {
	r := htmlRun(t, 1000)
	for _, tc := range []struct {
		name  string
		opts  Options
		shown bool
	}{{"default", Options{}, false}, {"no-redact", Options{NoRedact: true}, true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := WriteDir(dir, r, tc.opts); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(dir, HTMLFile))
			if err != nil {
				t.Fatal(err)
			}
			for _, pii := range []string{pageEmail, pagePhone} {
				if got := bytes.Contains(b, []byte(pii)); got != tc.shown {
					t.Errorf("%s on the page: %v, want %v", pii, got, tc.shown)
				}
			}
			if !bytes.Contains(b, []byte("p***@example.com")) && !tc.shown {
				t.Error("the masked address does not keep its first letter and domain")
			}
		})
	}
}

var (
	// urlAttr is an attribute that makes a browser fetch or navigate.
	urlAttr = regexp.MustCompile(`(?i)\s(src|href|srcset|action|formaction|poster|data|xlink:href|background|cite|ping)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)`)
	// startTag is an element's start tag: text is escaped, so a raw < only starts a tag.
	startTag = regexp.MustCompile(`<[A-Za-z][^>]*>`)
	// fetchTag is an element that loads something, whatever its attributes.
	fetchTag = regexp.MustCompile(`(?i)<(script|link|iframe|img|object|embed|video|audio|source|base|meta\s+http-equiv)\b`)
)

// The page is self-contained: no attribute points off the page, no element or style loads
// anything; addresses appear only as text.
func TestHTMLFetchesNothing(t *testing.T) {
	page := renderHTML(t, htmlRun(t, 5000))
	for _, tag := range startTag.FindAllString(page, -1) {
		for _, m := range urlAttr.FindAllStringSubmatch(tag, -1) {
			if v := strings.Trim(m[2], `"'`); !strings.HasPrefix(v, "#") {
				t.Errorf("attribute %s=%q leaves the page", m[1], v)
			}
		}
	}
	if m := fetchTag.FindString(page); m != "" {
		t.Errorf("page has a loading element %s", m)
	}
	for _, bad := range []string{"@import", "url(", "@font-face", "javascript:"} {
		if strings.Contains(page, bad) {
			t.Errorf("page has %q", bad)
		}
	}
	if !strings.Contains(page, "http://127.0.0.1:8080") {
		t.Error("the target's address should be on the page as text")
	}
}

var svgElem = regexp.MustCompile(`(?s)<svg\b.*?</svg>`)

// With a load run the page has the SLO table with words for each verdict, the TP50 unit note,
// and the three plots; each plot is well-formed XML.
func TestHTMLLatencySection(t *testing.T) {
	r := htmlRun(t, 50000)
	page := renderHTML(t, r)
	for _, want := range []string{`<table class="slo">`, "TP50", "TP90", "TP99.9", "timeout-1000ms", "95% CI",
		"0.0198 s = 19.8 ms is the only reading consistent with TP90 = 55.71 ms",
		`class="plot percentiles"`, `class="plot rate"`, `class="plot p99"`, `class="plot trend"`,
		"TP99.9 ≤ 594.42 ms", "99.999", "status_5xx"} {
		if !strings.Contains(page, esc(want)) && !strings.Contains(page, want) {
			t.Errorf("latency section lacks %q", want)
		}
	}
	for _, c := range r.Load.SLO.Checks {
		row := regexp.MustCompile(`(?s)<tr class="check [a-z]+"><th scope="row">` + regexp.QuoteMeta(c.Name) + `</th>.*?</tr>`).FindString(page)
		word := strings.ToUpper(checkVerdict(c))
		if !strings.Contains(row, ">"+word) {
			t.Errorf("check %s: row %q lacks its verdict %s", c.Name, row, word)
		}
	}
	svgs := svgElem.FindAllString(page, -1)
	if len(svgs) != 4 {
		t.Fatalf("%d plots, want 4 (percentiles, rate, p99, trend)", len(svgs))
	}
	for _, s := range svgs {
		if err := wellFormed(s); err != nil {
			t.Errorf("plot is not well-formed XML: %v\n%.300s", err, s)
		}
	}

	r.Load, r.History = nil, nil
	page = renderHTML(t, r)
	if !strings.Contains(page, "No load run in this report") || strings.Contains(page, "<svg") {
		t.Error("without a load run the latency section should say so and draw nothing")
	}
}

func wellFormed(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	d.Entity = xml.HTMLEntity
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// An empty run still renders a page that says nothing ran.
func TestHTMLEmptyRun(t *testing.T) {
	page := renderHTML(t, &Run{})
	for _, want := range []string{"INCONCLUSIVE", "no spec ran", "No spec of this area ran.", "No finding.", "No payload reached a schema"} {
		if !strings.Contains(page, want) {
			t.Errorf("empty page lacks %q", want)
		}
	}
}
