package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The one-way dependency rule (style guide 10.1): specs → contracts → (mock, suites, load) →
// reports → cmd. A package never imports one to its right; only cmd/jpcheck imports cobra.
// jwe (the V4 client's crypto) stands apart: it imports nothing of ours, and mock, suites and
// load may use it; reports sees it only through load.
// `go list -deps` lists non-test imports only, so test files may still import siblings.

const module = "github.com/jpcheck/jpcheck"

// importRule is what one package's production code may depend on, transitively.
type importRule struct {
	pkg string
	// project lists the project packages allowed in the dependency closure.
	project []string
	// forbidden lists third-party import paths; a path ending in "/..." also forbids every
	// package below it.
	forbidden []string
}

var (
	ginkgoAll = []string{"github.com/onsi/ginkgo/...", "github.com/onsi/gomega/..."}
	cobraAll  = "github.com/spf13/cobra/..."
	vegetaAll = "github.com/tsenart/vegeta/..."
)

var importRules = []importRule{
	{pkg: "specs", project: nil, forbidden: append([]string{cobraAll, vegetaAll}, ginkgoAll...)},
	{pkg: "contracts", project: []string{"specs"}, forbidden: append([]string{cobraAll, vegetaAll}, ginkgoAll...)},
	{pkg: "jwe", project: nil, forbidden: append([]string{cobraAll, vegetaAll}, ginkgoAll...)},
	{pkg: "mock", project: []string{"specs", "contracts", "jwe"}, forbidden: []string{cobraAll}},
	{pkg: "suites", project: []string{"specs", "contracts", "jwe"}, forbidden: []string{cobraAll}},
	{pkg: "load", project: []string{"specs", "contracts", "jwe"}, forbidden: []string{cobraAll}},
	// reports reads Ginkgo's plain types.Report (ginkgo/v2/types, ginkgo/v2/reporters), never
	// the DSL package, whose init registers the global suite's flags.
	{pkg: "reports", project: []string{"specs", "contracts", "load", "jwe", "consumers"}, forbidden: []string{cobraAll, "github.com/onsi/ginkgo/v2"}},
	// consumers reads GraphQL consumer contracts and judges payloads; it runs nothing.
	{pkg: "consumers", project: []string{"specs", "contracts"}, forbidden: append([]string{cobraAll, vegetaAll}, ginkgoAll...)},
	// specdiff compares spec versions and judges consumers; it runs nothing.
	{pkg: "specdiff", project: []string{"specs", "contracts", "consumers"}, forbidden: append([]string{cobraAll, vegetaAll}, ginkgoAll...)},
}

// violations lists the forbidden edges in deps, the dependency closure of rule.pkg.
func violations(rule importRule, deps []string) []string {
	var bad []string
	self := module + "/" + rule.pkg
	for _, d := range deps {
		if d == self {
			continue
		}
		if d == module || strings.HasPrefix(d, module+"/") {
			rel := strings.TrimPrefix(strings.TrimPrefix(d, module), "/")
			if !slices.Contains(rule.project, rel) {
				bad = append(bad, rule.pkg+" → "+d+" (allowed project imports: "+orNone(rule.project)+")")
			}
			continue
		}
		for _, f := range rule.forbidden {
			if matchPath(f, d) {
				bad = append(bad, rule.pkg+" → "+d+" (forbidden: "+f+")")
			}
		}
	}
	return bad
}

func matchPath(pattern, path string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return path == base || strings.HasPrefix(path, base+"/")
	}
	return path == pattern
}

func orNone(ps []string) string {
	if len(ps) == 0 {
		return "none"
	}
	return strings.Join(ps, ", ")
}

// moduleRoot finds the module's directory with `go env GOMOD`.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatalf("go env GOMOD: not in a module (%q)", gomod)
	}
	return filepath.Dir(gomod)
}

// goList runs `go list` in the module root and returns its output lines.
func goList(t *testing.T, root string, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return strings.Fields(string(out))
}

// hasGoFiles says whether dir holds a non-test Go file.
func hasGoFiles(t *testing.T, dir string) bool {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if !strings.HasSuffix(n, "_test.go") {
			return true
		}
	}
	return false
}

func TestImports(t *testing.T) {
	root := moduleRoot(t)
	for _, rule := range importRules {
		t.Run(rule.pkg, func(t *testing.T) {
			dir := filepath.Join(root, rule.pkg)
			if _, err := os.Stat(dir); err != nil {
				t.Skipf("%s: no package directory yet (%v)", rule.pkg, err)
			}
			if !hasGoFiles(t, dir) {
				t.Skipf("%s has no Go files yet: nothing to check", rule.pkg)
			}
			deps := goList(t, root, "-deps", "-f", "{{.ImportPath}}", "./"+rule.pkg)
			if !slices.Contains(deps, module+"/"+rule.pkg) {
				t.Fatalf("go list -deps ./%s does not list the package itself: %v", rule.pkg, deps)
			}
			for _, v := range violations(rule, deps) {
				t.Errorf("forbidden import: %s", v)
			}
		})
	}
}

// TestOnlyCmdImportsCobra checks every package of the module but cmd/jpcheck, including ones
// the table above does not name.
func TestOnlyCmdImportsCobra(t *testing.T) {
	root := moduleRoot(t)
	pkgs := goList(t, root, "-f", "{{.ImportPath}}", "./...")
	if !slices.Contains(pkgs, module+"/cmd/jpcheck") {
		t.Fatalf("go list ./... does not list cmd/jpcheck: %v", pkgs)
	}
	for _, p := range pkgs {
		if p == module+"/cmd/jpcheck" {
			continue
		}
		deps := goList(t, root, "-deps", "-f", "{{.ImportPath}}", p)
		for _, d := range deps {
			if matchPath(cobraAll, d) {
				t.Errorf("forbidden import: %s → %s (only cmd/jpcheck imports cobra)", p, d)
			}
		}
	}
}

// TestImportRulesCanFail feeds violations forbidden edges, so TestImports is known to catch them.
func TestImportRulesCanFail(t *testing.T) {
	rule := func(pkg string) importRule {
		for _, r := range importRules {
			if r.pkg == pkg {
				return r
			}
		}
		t.Fatalf("no rule for %s", pkg)
		return importRule{}
	}
	cases := []struct {
		pkg  string
		deps []string
		bad  int
	}{
		{"specs", []string{module + "/specs", "github.com/pb33f/libopenapi", "fmt"}, 0},
		{"specs", []string{module + "/specs", module + "/contracts"}, 1},
		{"contracts", []string{module + "/contracts", module + "/specs", "github.com/pb33f/libopenapi"}, 0},
		{"contracts", []string{module + "/contracts", module + "/specs", module + "/mock"}, 1},
		{"contracts", []string{module + "/contracts", "github.com/spf13/cobra"}, 1},
		{"contracts", []string{module + "/contracts", "github.com/onsi/gomega", "github.com/onsi/gomega/types"}, 2},
		{"contracts", []string{module + "/contracts", "github.com/onsi/ginkgo/v2/types"}, 1},
		{"contracts", []string{module + "/contracts", "github.com/tsenart/vegeta/v12/lib"}, 1},
		{"jwe", []string{module + "/jwe", "github.com/go-jose/go-jose/v4"}, 0},
		{"jwe", []string{module + "/jwe", module + "/contracts"}, 1},
		{"jwe", []string{module + "/jwe", module + "/specs", "github.com/tsenart/vegeta/v12/lib"}, 2},
		{"mock", []string{module + "/mock", module + "/contracts", module + "/specs"}, 0},
		{"mock", []string{module + "/mock", module + "/jwe"}, 0},
		{"suites", []string{module + "/suites", module + "/jwe"}, 0},
		{"load", []string{module + "/load", module + "/jwe", module + "/contracts"}, 0},
		{"load", []string{module + "/load", module + "/suites"}, 1},
		{"mock", []string{module + "/mock", module + "/suites"}, 1},
		{"suites", []string{module + "/suites", module + "/mock"}, 1},
		{"suites", []string{module + "/suites", "github.com/onsi/ginkgo/v2", "github.com/onsi/gomega"}, 0},
		{"load", []string{module + "/load", module + "/reports"}, 1},
		{"load", []string{module + "/load", "github.com/tsenart/vegeta/v12/lib"}, 0},
		{"reports", []string{module + "/reports", module + "/contracts", module + "/load", module + "/specs", "github.com/onsi/ginkgo/v2/types", "github.com/onsi/ginkgo/v2/reporters"}, 0},
		{"reports", []string{module + "/reports", module + "/suites"}, 1},
		{"reports", []string{module + "/reports", "github.com/onsi/ginkgo/v2"}, 1},
		{"reports", []string{module + "/reports", "github.com/spf13/cobra/doc"}, 1},
		{"reports", []string{module + "/reports", module + "/cmd/jpcheck"}, 1},
		{"specdiff", []string{module + "/specdiff", module + "/specs", module + "/consumers", "github.com/pb33f/libopenapi/what-changed"}, 0},
		{"specdiff", []string{module + "/specdiff", module + "/mock"}, 1},
		{"specdiff", []string{module + "/specdiff", module + "/suites"}, 1},
		{"specdiff", []string{module + "/specdiff", module + "/load"}, 1},
		{"specdiff", []string{module + "/specdiff", module + "/reports"}, 1},
		{"specdiff", []string{module + "/specdiff", "github.com/spf13/cobra"}, 1},
		{"consumers", []string{module + "/consumers", module + "/contracts", "github.com/vektah/gqlparser/v2"}, 0},
		{"consumers", []string{module + "/consumers", module + "/mock"}, 1},
		{"consumers", []string{module + "/consumers", module + "/suites"}, 1},
		{"consumers", []string{module + "/consumers", module + "/reports"}, 1},
		{"consumers", []string{module + "/consumers", "github.com/spf13/cobra"}, 1},
		// A package that merely shares the module path as a prefix is not the module.
		{"specs", []string{module + "/specs", module + "x/other"}, 0},
	}
	for _, c := range cases {
		if got := violations(rule(c.pkg), c.deps); len(got) != c.bad {
			t.Errorf("violations(%s, %v) = %q, want %d", c.pkg, c.deps, got, c.bad)
		}
	}
}
