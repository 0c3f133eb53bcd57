package contracts_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
)

// TestOfficialSamples validates Juspay's official sample payloads (a local copy of
// juspay/juspay-sdk-integration-demo, any branch or folder) under compat: every payload of a
// kind jpcheck knows must be clean but for the errata listed in
// specs/examples/official-samples.errata.yaml. The samples are not in the project (they are
// Juspay's), so the test runs only when JPCHECK_OFFICIAL_SAMPLES names a directory (several
// may be given, separated by the OS path list separator).
func TestOfficialSamples(t *testing.T) {
	dirs := os.Getenv("JPCHECK_OFFICIAL_SAMPLES")
	if dirs == "" {
		t.Skip("JPCHECK_OFFICIAL_SAMPLES is not set: point it at a checkout of juspay/juspay-sdk-integration-demo (for instance its api-reference branch) to validate Juspay's official samples")
	}
	errata, err := specs.OfficialErrata()
	if err != nil {
		t.Fatal(err)
	}
	set := mustSet(t)
	for _, dir := range filepath.SplitList(dirs) {
		var checked, clean, withErrata, failed int
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == ".git" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(p, ".json") {
				return nil
			}
			raw, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			rel = filepath.ToSlash(rel)
			res, err := set.Validate(contracts.KindAuto, stripJSONComments(raw), contracts.Options{Profile: contracts.ProfileCompat})
			if err != nil {
				t.Errorf("%s: %v", rel, err)
				return nil
			}
			if res.Kind == contracts.KindAuto || res.Kind == "" {
				return nil // not a payload of a kind jpcheck knows (requests, SDK calls, other APIs)
			}
			checked++
			bad, excused := 0, 0
			for _, f := range res.Findings {
				if f.Severity != contracts.SeverityError {
					continue
				}
				if officialErratum(errata, rel, f) {
					excused++
					continue
				}
				bad++
				t.Errorf("%s (%s): %s %s: %s", rel, res.Kind, f.Pointer, f.Rule, f.Message)
			}
			switch {
			case bad > 0:
				failed++
			case excused > 0:
				withErrata++
			default:
				clean++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if checked == 0 {
			t.Errorf("%s: no payload of a known kind found; is it a checkout of juspay/juspay-sdk-integration-demo?", dir)
		}
		t.Logf("%s: %d payloads of known kinds: %d clean, %d only listed errata, %d other failures", dir, checked, clean, withErrata, failed)
	}
}

func officialErratum(errata []specs.OfficialErratum, rel string, f contracts.Finding) bool {
	for _, e := range errata {
		if rel != e.Path && !strings.HasSuffix(rel, "/"+e.Path) {
			continue
		}
		if e.Rule == "*" || e.Pointer == f.Pointer && e.Rule == string(f.Rule) {
			return true
		}
	}
	return false
}

// stripJSONComments removes the // and /* */ comments Juspay's samples carry (JSONC); the
// reader itself stays strict RFC 8259. Strings are copied as they are, so "https://..." stays.
func stripJSONComments(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(b) && b[j] != '"' {
				if b[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(b) {
				j = len(b) - 1
			}
			out = append(out, b[i:j+1]...)
			i = j
		case c == '/' && i+1 < len(b) && b[i+1] == '/':
			for i < len(b) && b[i] != '\n' {
				i++
			}
			if i < len(b) {
				out = append(out, '\n')
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			end := strings.Index(string(b[i+2:]), "*/")
			if end < 0 {
				return out
			}
			i += end + 3
		default:
			out = append(out, c)
		}
	}
	return out
}

func TestStripJSONComments(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"a": 1 // one` + "\n}", "{\"a\": 1 \n}"},
		{`{"u": "https://x.in/a//b"}`, `{"u": "https://x.in/a//b"}`},
		{`{"q": "say \"//\"", /* c */ "b": 2}`, `{"q": "say \"//\"",  "b": 2}`},
	} {
		if got := string(stripJSONComments([]byte(tc.in))); got != tc.want {
			t.Errorf("strip(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
