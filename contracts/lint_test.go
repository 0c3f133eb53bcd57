package contracts_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
)

func TestLintEmbeddedSpecsIsClean(t *testing.T) {
	if problems := contracts.Lint(specs.FS()); len(problems) > 0 {
		t.Fatalf("embedded specs: %s", strings.Join(problems, "\n"))
	}
}

// A spec with a $ref to nowhere, an unknown quirk or a property without x-source fails lint
// with a line naming each problem.
func TestLintFindsBrokenSpecs(t *testing.T) {
	base := fstest.MapFS{}
	if err := fs.WalkDir(specs.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(specs.FS(), p)
		base[p] = &fstest.MapFile{Data: b}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, file, old, new, want string
	}{
		{"unresolved ref", "openapi.yaml", "./errors.yaml#/components/schemas/Error'", "./errors.yaml#/components/schemas/Nowhere'", "Nowhere"},
		{"unknown quirk", "errors.yaml", "quirk: numeric-string", "quirk: stringly-typed", "unknown quirk"},
		{"missing x-source", "order-status.yaml", "x-source: Order Status API § API Responses › 200 › customer_email", "x-sauce: nowhere", "customer_email: property has no x-source"},
		{"x-source naming our own file", "order-status.yaml", "x-source: Order Status API § API Responses › 200 › customer_email", "x-source: 004_457b9c7c6e18b90f.txt § customer_email", "names no public document"},
		{"x-source naming our own document id", "order-status.yaml", "x-source: Order Status API § API Responses › 200 › customer_email", "x-source: order-status § API Responses › 200 › customer_email", "names no public document"},
		{"x-source naming a title without its page", "order-status.yaml", "x-source: Order Status API § API Responses › 200 › customer_email", "x-source: Juspay docs § 4.1 customer_email", "names no public document"},
		{"not yaml", "offers.yaml", "openapi:", "openapi: [", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for k, v := range base {
				fsys[k] = v
			}
			data := string(base[tc.file].Data)
			if !strings.Contains(data, tc.old) {
				t.Fatalf("%s has no %q to break", tc.file, tc.old)
			}
			fsys[tc.file] = &fstest.MapFile{Data: []byte(strings.Replace(data, tc.old, tc.new, 1))}
			problems := contracts.Lint(fsys)
			if len(problems) == 0 {
				t.Fatal("lint passed a broken spec")
			}
			if tc.want != "" && !strings.Contains(strings.Join(problems, "\n"), tc.want) {
				t.Fatalf("want a problem naming %q, got:\n%s", tc.want, strings.Join(problems, "\n"))
			}
		})
	}
}
