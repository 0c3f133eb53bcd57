package specdiff

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	yaml "github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/jpcheck/jpcheck/specs"
)

// Embedded is the argument that names the specs built into jpcheck rather than a directory.
const Embedded = "embedded"

const rootFile = "openapi.yaml"

// Specs is one version of the spec tree: every YAML file as a libopenapi model and as a raw
// node tree (the latter for following $refs to learn where each component is used).
type Specs struct {
	Label string
	// FS holds the spec files, for whoever needs them in another form (the GraphQL SDL).
	FS    fs.FS
	files map[string]*specFile
	names []string
}

type specFile struct {
	model *v3.Document
	node  *yaml.Node
}

// Open loads the specs named by arg: a directory holding openapi.yaml, or Embedded.
func Open(arg string) (*Specs, error) {
	if arg == Embedded {
		return Load(arg, specs.FS())
	}
	st, err := os.Stat(arg)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s: not a directory (want a spec tree with %s, or %q)", arg, rootFile, Embedded)
	}
	return Load(arg, os.DirFS(arg))
}

// Load reads every *.yaml at the top of fsys; each must be an OpenAPI 3.1 document that
// libopenapi builds with all its references resolved.
func Load(label string, fsys fs.FS) (*Specs, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	s := &Specs{Label: label, FS: fsys, files: map[string]*specFile{}}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		var node yaml.Node
		if err := yaml.Unmarshal(b, &node); err != nil {
			return nil, fmt.Errorf("%s/%s: %w", label, name, err)
		}
		if mapGet(&node, "openapi") == nil {
			continue // not an OpenAPI document (an index or other YAML)
		}
		doc, err := libopenapi.NewDocumentWithConfiguration(b, &datamodel.DocumentConfiguration{
			// Not ".": libopenapi resolves it against the working directory and takes a directory
			// whose name has an extension (tmp.x1Yz, repo.git) for a file. The files come from fsys.
			BasePath: virtualBase, SpecFilePath: name, LocalFS: fsys, AllowFileReferences: true,
		})
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", label, name, err)
		}
		if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1") {
			return nil, fmt.Errorf("%s/%s: OpenAPI %q, want 3.1", label, name, v)
		}
		m, err := doc.BuildV3Model()
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", label, name, oneLine(err))
		}
		s.files[name] = &specFile{model: &m.Model, node: &node}
		s.names = append(s.names, name)
	}
	if s.files[rootFile] == nil {
		return nil, fmt.Errorf("%s: no %s", label, rootFile)
	}
	return s, nil
}

// oneLine keeps the first problem of a joined error, so usage errors stay on one line.
func oneLine(err error) error {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		return errors.New(msg[:i] + " (and more)")
	}
	return err
}

// mapGet returns the value under key in a mapping node (or a document holding one).
func mapGet(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// virtualBase is the directory libopenapi is told the spec files are in: any absolute name
// without an extension, since they are read from the fs.FS given, never from the disk there.
const virtualBase = "/jpcheck-specs"
