package reports

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// The bound: a report of 1,000 specs and a 1,000,000-request load run renders in under
// a second (BenchmarkWriteHTML, `make bench`) and under 5 MB (TestHTMLSizeBound).
const (
	benchSpecs    = 1000
	benchRequests = 1_000_000
	maxPageBytes  = 5 << 20
)

// bigErrata adds as many errata as the embedded documents have, and more.
func bigErrata(r *Run) {
	for i := range 200 {
		r.Errata = append(r.Errata, Erratum{Kind: []string{"error", "quirk", "undeclared", "spec"}[i%4], Document: "order-status",
			Section: fmt.Sprintf("Sample Code Snippets › Sample Response › Card %d", i), Example: "order-status-card.json",
			Pointer: "/txn_detail/txn_amount_breakup/0/value", Rule: "quirk.field-alias", Message: "field value stands for amount (quirk field-alias)"})
	}
}

func TestHTMLSizeBound(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: records a million latencies")
	}
	r := bigRun(t, benchSpecs, benchRequests)
	bigErrata(r)
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d specs, %d findings, %d requests: %d bytes", len(r.Specs), len(r.Findings), r.Load.Histogram.TotalCount(), b.Len())
	if b.Len() > maxPageBytes {
		t.Errorf("the page is %d bytes, over the %d bound", b.Len(), maxPageBytes)
	}
	if r.Load.Histogram.TotalCount() != benchRequests {
		t.Errorf("the histogram holds %d latencies, want %d", r.Load.Histogram.TotalCount(), benchRequests)
	}
}

// BenchmarkWriteHTML renders the page as WriteHTML is given it, and as WriteDir shows it by
// default (customer data masked first).
func BenchmarkWriteHTML(b *testing.B) {
	r := bigRun(b, benchSpecs, benchRequests) // recording the latencies is not timed
	bigErrata(r)
	var size countingWriter
	if err := WriteHTML(&size, r); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name   string
		render func() error
	}{
		{"page", func() error { return WriteHTML(io.Discard, r) }},
		{"redacted", func() error { return WriteHTML(io.Discard, Options{}.Shown(r)) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.render(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size), "html-bytes")
		})
	}
}

type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
