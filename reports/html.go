package reports

import (
	"embed"
	"fmt"
	"html/template"
	"io"

	"github.com/jpcheck/jpcheck/contracts"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// htmlTemplate is parsed on each call: a page per run costs nothing worth caching, and no
// package state is kept.
func htmlTemplate() (*template.Template, error) {
	return template.New("run.html.tmpl").Funcs(template.FuncMap{
		"root":    orRoot,
		"seconds": func(ms int64) string { return fmt.Sprintf("%.1f s", float64(ms)/1000) },
		"millis": func(ms int64) string {
			if ms == 0 {
				return "<1 ms" // durations are kept in whole milliseconds
			}
			return fmt.Sprintf("%d ms", ms)
		},
		"percent": func(n, of int) string {
			if of == 0 {
				return "no schema reached"
			}
			return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(of))
		},
		"seen": func(fs []contracts.FieldCoverage) int {
			n := 0
			for _, f := range fs {
				if f.Seen > 0 {
					n++
				}
			}
			return n
		},
		"failed": func(fs []contracts.FieldCoverage) int {
			n := 0
			for _, f := range fs {
				if f.Failed > 0 {
					n++
				}
			}
			return n
		},
	}).ParseFS(templateFS, "templates/run.html.tmpl")
}

// WriteHTML writes the run as one self-contained page (inline CSS, no external asset): the
// summary and timing, every spec with its state and message, every finding, and coverage.
func WriteHTML(w io.Writer, r *Run) error {
	t, err := htmlTemplate()
	if err != nil {
		return fmt.Errorf("html template: %w", err)
	}
	return t.Execute(w, r.normalized())
}
