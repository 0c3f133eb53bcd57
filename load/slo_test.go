package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultSLO(t *testing.T) {
	s := DefaultSLO()
	// The document's table, TP50 read as 0.0198 s (facts § 6.3).
	want := SLO{TP50MS: 19.8, TP90MS: 55.71, TP99MS: 351.85, TP999MS: 594.42, TP9999MS: 1431.42,
		Over1000MaxFraction: 0.001, Over2000MaxFraction: 0.0001, ErrorsMaxFraction: 0.001, Confidence: 0.95}
	if s != want {
		t.Errorf("DefaultSLO() = %+v, want %+v", s, want)
	}
	if err := s.Validate(); err != nil {
		t.Error(err)
	}
}

func TestParseSLO(t *testing.T) {
	got, err := ParseSLO(strings.NewReader("tp99_ms: 200\nover_2000ms_max_fraction: 0.001\nerrors_max_fraction: 0.02\nconfidence: 0.99\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultSLO()
	want.TP99MS, want.Over2000MaxFraction, want.ErrorsMaxFraction, want.Confidence = 200, 0.001, 0.02, 0.99
	if got != want {
		t.Errorf("subset override: %+v, want %+v", got, want)
	}
	f, err := os.Open(filepath.Join("testdata", "slo-full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	full, err := ParseSLO(f)
	if err != nil {
		t.Fatal(err)
	}
	if full.TP50MS != 10 || full.TP9999MS != 1000 || full.Over1000MaxFraction != 0.01 || full.ErrorsMaxFraction != 0.02 || full.Confidence != 0.9 {
		t.Errorf("full file: %+v", full)
	}
}

func TestParseSLORejects(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"empty", "", "empty file"},
		{"unknown key", "tp95_ms: 10\n", "tp95_ms"},
		{"typo of a known key", "tp99ms: 10\n", "tp99ms"},
		{"not a number", "tp50_ms: fast\n", "slo:"},
		{"a list", "- tp50_ms: 1\n", "slo:"},
		{"zero ms", "tp50_ms: 0\n", "tp50_ms must be a positive"},
		{"negative ms", "tp99_9_ms: -5\n", "tp99_9_ms must be a positive"},
		{"fraction over 1", "over_1000ms_max_fraction: 1.5\n", "over_1000ms_max_fraction must be a fraction"},
		{"negative fraction", "over_2000ms_max_fraction: -0.1\n", "over_2000ms_max_fraction"},
		{"confidence 1", "confidence: 1\n", "confidence must be in"},
		{"confidence as percent", "confidence: 95\n", "confidence must be in"},
		{"two documents", "tp50_ms: 5\n---\ntp50_ms: 6\n", "more than one YAML document"},
		{"too large", "# " + strings.Repeat("x", MaxSLOBytes) + "\n", "larger than"},
		{"NaN", "tp90_ms: .nan\n", "tp90_ms"},
		{"infinite", "tp90_ms: .inf\n", "tp90_ms"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSLO(strings.NewReader(c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}
