package specs

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	yaml "github.com/pb33f/go-yaml"
)

// Root is the name of the root OpenAPI document inside FS.
const Root = "openapi.yaml"

//go:embed *.yaml examples
var files embed.FS

// FS returns the embedded spec files: the YAML documents at the top and examples/ below.
func FS() fs.FS { return files }

// Example is one sample payload of the documents and its provenance.
type Example struct {
	// File is the example's name under examples/; empty for a skipped sample.
	File string `yaml:"file" json:"file,omitempty"`
	// Kind is the contract kind the payload is validated as, or "request".
	Kind string `yaml:"kind" json:"kind,omitempty"`
	// Schema names the component schema of the payload in its area file.
	Schema string `yaml:"schema" json:"schema,omitempty"`
	// Document is the id of the source document (see x-documents in openapi.yaml).
	Document string `yaml:"document" json:"document"`
	// Section is where in the document the sample is.
	Section string `yaml:"section" json:"section"`
	// Repairs lists what was changed to make the document's JSON valid.
	Repairs []string `yaml:"repairs" json:"repairs,omitempty"`
	// Errata lists the error findings the sample really has.
	Errata []Erratum `yaml:"errata" json:"errata,omitempty"`
	// Skip says why a sample of the document is not an example file.
	Skip string `yaml:"skip" json:"skip,omitempty"`
	// Area is the index the example is listed in (order-status, webhooks, ...).
	Area string `yaml:"-" json:"area"`
}

// Curated is the rule of an erratum no rule detects, because a rule would fail correct
// services: it is listed with why (docs/errata.md) and never expected as a finding.
const Curated = "curated"

// Erratum is an error finding a documented sample really has, or a Curated contradiction.
type Erratum struct {
	Pointer string `yaml:"pointer" json:"pointer"`
	Rule    string `yaml:"rule" json:"rule"`
	Note    string `yaml:"note" json:"note,omitempty"`
}

// Examples reads every examples/*.index.yaml and returns the entries sorted by area, then file.
func Examples() ([]Example, error) {
	idx, err := fs.Glob(files, "examples/*.index.yaml")
	if err != nil {
		return nil, err
	}
	var all []Example
	for _, name := range idx {
		b, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var list []Example
		if err := yaml.Unmarshal(b, &list); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		area := strings.TrimSuffix(path.Base(name), ".index.yaml")
		for i := range list {
			list[i].Area = area
			if list[i].File == "" && list[i].Skip == "" {
				return nil, fmt.Errorf("%s: entry %d has neither file nor skip", name, i)
			}
		}
		all = append(all, list...)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Area != all[j].Area {
			return all[i].Area < all[j].Area
		}
		return all[i].File < all[j].File
	})
	return all, nil
}

// ExampleData returns the payload of an example file named in an index.
func ExampleData(file string) ([]byte, error) {
	if file == "" || strings.Contains(file, "/") {
		return nil, fmt.Errorf("bad example name %q", file)
	}
	return files.ReadFile("examples/" + file)
}

// Export writes every embedded spec file under dir, keeping the layout, so other OpenAPI tools
// can read the same documents jpcheck checks against.
func Export(dir string) error {
	if dir == "" {
		return errors.New("no directory given")
	}
	return fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}

// OfficialErratum is an error finding one of Juspay's official sample payloads really has.
type OfficialErratum struct {
	// Path is the sample's path under its samples folder; it matches as a suffix.
	Path string `yaml:"path" json:"path"`
	// Pointer and Rule name the finding; Rule "*" with an empty pointer covers the whole file
	// (a template rather than a payload).
	Pointer string `yaml:"pointer" json:"pointer"`
	Rule    string `yaml:"rule" json:"rule"`
	Note    string `yaml:"note" json:"note"`
}

// OfficialErrata reads examples/official-samples.errata.yaml.
func OfficialErrata() ([]OfficialErratum, error) {
	data, err := fs.ReadFile(files, "examples/official-samples.errata.yaml")
	if err != nil {
		return nil, err
	}
	var out []OfficialErratum
	if err := yaml.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("examples/official-samples.errata.yaml: %w", err)
	}
	return out, nil
}
