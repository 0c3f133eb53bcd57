package reports

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestWriteMarkdownGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, describedRun(), Options{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "md", b.Bytes())
}

// Markdown is read on GitHub: a message's HTML, pipes and backticks must not break the page or
// a table.
func TestMarkdownEscaping(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, sampleRun(), Options{}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if strings.Contains(md, "<script>") {
		t.Error("a message's HTML reaches the Markdown")
	}
	if !strings.Contains(md, "&lt;script&gt;") {
		t.Errorf("escaped message missing:\n%s", md)
	}
	for _, tc := range []struct{ in, want string }{
		{"a|b", "`a\\|b`"},
		{"x`y", "``x`y``"},
		{"`x", "`` `x ``"},
		{"", "`\"\"`"},
	} {
		if got := mdCode(tc.in); got != tc.want {
			t.Errorf("mdCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := mdText("*bold* _it_ [l](u) # h", 100); got != `\*bold\* \_it\_ \[l\](u) \# h` {
		t.Errorf("mdText: %q", got)
	}
}

// However many specs fail, the summary stays well under GitHub's limits (65,536 characters
// for a comment, 1 MiB for a step summary).
func TestMarkdownBounded(t *testing.T) {
	r := &Run{Target: "http://t"}
	for i := range 2000 {
		name := fmt.Sprintf("order status spec %d %s", i, strings.Repeat("x", 300))
		r.Specs = append(r.Specs, Spec{Name: name, Labels: []string{"order-status"}, State: StateFailed})
		for j := range 20 {
			r.Findings = append(r.Findings, Finding{Spec: name, Pointer: fmt.Sprintf("/f%d", j), Rule: "type", Severity: "error", Message: strings.Repeat("m", 300), Request: "GET /orders/x"})
		}
		r.Specs = append(r.Specs, Spec{Name: fmt.Sprintf("skipped %d", i), State: StateSkipped, Message: fmt.Sprintf("reason %d", i)})
	}
	var b bytes.Buffer
	if err := WriteMarkdown(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 60000 {
		t.Errorf("summary of 2,000 failures is %d bytes, want under 60,000", b.Len())
	}
	for _, want := range []string{"… and 1980 more failed specs", "… and 15 more findings", "… and 1992 more reasons"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q", want)
		}
	}
}

func TestMarkdownEmptyRun(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, &Run{}, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "## jpcheck: ⚠️ inconclusive\n") {
		t.Errorf("empty run:\n%s", b.String())
	}
}

// BenchmarkNonHTMLWriters times what a report directory needs besides the page, on the
// issue's benchmark run (1,000 specs, a 1,000,000-request load run): masking customer data,
// the Markdown summary and run.json.
func BenchmarkNonHTMLWriters(b *testing.B) {
	r := bigRun(b, benchSpecs, benchRequests)
	bigErrata(r)
	for _, bc := range []struct {
		name   string
		render func() error
	}{
		{"redact", func() error { _ = Redact(r); return nil }},
		{"markdown", func() error { return WriteMarkdown(io.Discard, r, Options{}) }},
		{"json", func() error { return WriteJSON(io.Discard, r) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.render(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
