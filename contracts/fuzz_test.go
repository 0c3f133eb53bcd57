package contracts_test

import (
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
)

// FuzzValidate feeds the validator arbitrary bytes under every kind and both profiles: it must
// return a result (never panic, hang or error) and keep its own promises about findings.
func FuzzValidate(f *testing.F) {
	exs, err := specs.Examples()
	if err != nil {
		f.Fatal(err)
	}
	for _, ex := range exs {
		if ex.File != "" {
			b, err := specs.ExampleData(ex.File)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(`{"status":"CHARGED","status_id":"21"}`))
	f.Add([]byte(`[[[[[[`))
	set := mustSet(f)
	kinds := append([]contracts.Kind{contracts.KindAuto}, contracts.Kinds()...)
	f.Fuzz(func(t *testing.T, data []byte) {
		for i, k := range kinds {
			p := contracts.ProfileCompat
			if i%2 == 1 {
				p = contracts.ProfileStrict
			}
			res, err := set.Validate(k, data, contracts.Options{Profile: p})
			if err != nil {
				t.Fatalf("kind %s: %v", k, err)
			}
			if res.Valid != (res.Errors() == 0) {
				t.Fatalf("valid %t with %d errors", res.Valid, res.Errors())
			}
			for _, fd := range res.Findings {
				if fd.Rule == "" || fd.Severity == "" || fd.Message == "" {
					t.Fatalf("incomplete finding %+v", fd)
				}
			}
		}
	})
}
