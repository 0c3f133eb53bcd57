package contracts_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
)

// TestShapes runs the corpus in testdata/shapes: payloads written for this project in the
// shapes Juspay's official samples show (identity-only orders, null gateway answers, pending
// and failed refunds, surcharges, conditional mandate fields), each with the error findings
// it must produce ("pointer rule"; none for a payload that must pass).
func TestShapes(t *testing.T) {
	set := mustSet(t)
	raw, err := os.ReadFile(filepath.Join("testdata", "shapes", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		File, Kind, Profile, Component string
		Want                           []string
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(strings.TrimSuffix(c.File, ".json"), func(t *testing.T) {
			payload, err := os.ReadFile(filepath.Join("testdata", "shapes", c.File))
			if err != nil {
				t.Fatal(err)
			}
			opts := contracts.Options{Profile: contracts.Profile(c.Profile)}
			var res contracts.Result
			if c.Component != "" {
				file, name, _ := strings.Cut(c.Component, "#")
				res, err = set.ValidateComponent(file, name, payload, opts)
			} else {
				res, err = set.Validate(contracts.Kind(c.Kind), payload, opts)
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				if f.Severity == contracts.SeverityError {
					got = append(got, f.Pointer+" "+string(f.Rule))
				}
			}
			want := append([]string(nil), c.Want...)
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("errors:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}
