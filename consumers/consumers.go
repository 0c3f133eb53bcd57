package consumers

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/jpcheck/jpcheck/contracts"
)

// maxFileSize bounds a consumer file: a contract is a page of fields, not data.
const maxFileSize = 1 << 20

// Schema is the GraphQL schema consumer documents are read against.
type Schema struct {
	SDL string
	ast *ast.Schema
}

// ParseSchema loads an SDL (as contracts.Set.GraphQLSchema writes it).
func ParseSchema(sdl string) (*Schema, error) {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "jpcheck.graphql", Input: sdl})
	if err != nil {
		return nil, fmt.Errorf("GraphQL schema: %w", err)
	}
	return &Schema{SDL: sdl, ast: s}, nil
}

// SchemaOf derives the schema of a spec set.
func SchemaOf(set *contracts.Set) (*Schema, error) {
	sdl, err := set.GraphQLSchema()
	if err != nil {
		return nil, err
	}
	return ParseSchema(sdl)
}

// FieldRef is one selected field. Root fields (Query's) are not listed: they name a payload
// kind, not a property.
type FieldRef struct {
	// Root is the Query field the selection starts from: "order", "webhook_order_succeeded".
	Root string `json:"root"`
	// Path is the GraphQL field names from the root, dot-separated: "order.txn_detail.status".
	Path string `json:"path"`
	// Type is the object type (the OpenAPI component name, or <Owner>_<property> for an
	// inline object) that owns the field.
	Type string `json:"type"`
	// Field is the property's name in JSON.
	Field   string `json:"field"`
	NonNull bool   `json:"non_null"`
}

// node is one selected field with what checking it needs.
type node struct {
	ref     FieldRef
	json    string
	aliases []string
	quirks  []string
	typ     *ast.Type
	kids    []*node
}

// Consumer is one consumer contract.
type Consumer struct {
	// Name is the file's base name without its extension.
	Name string
	// File is the name the document was loaded under (its path for LoadFile).
	File   string
	schema *Schema
	roots  []*node
	fields []FieldRef
}

// Fields lists the selected fields in document order, each path once.
func (c *Consumer) Fields() []FieldRef { return append([]FieldRef(nil), c.fields...) }

// Roots lists the Query fields the consumer selects from.
func (c *Consumer) Roots() []string {
	out := make([]string, len(c.roots))
	for i, r := range c.roots {
		out[i] = r.ref.Root
	}
	return out
}

// LoadFile reads a consumer document from path.
func LoadFile(path string, schema *Schema) (*Consumer, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("%s: %d bytes; a consumer document is at most %d", path, st.Size(), maxFileSize)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Load(path, src, schema)
}

// Load reads a consumer document: a GraphQL query document that gqlparser validates against
// schema. Every problem is reported as name:line:col: message.
func Load(name string, src []byte, schema *Schema) (*Consumer, error) {
	if schema == nil {
		return nil, fmt.Errorf("%s: no schema", name)
	}
	if len(src) > maxFileSize {
		return nil, fmt.Errorf("%s: %d bytes; a consumer document is at most %d", name, len(src), maxFileSize)
	}
	doc, errs := gqlparser.LoadQuery(schema.ast, string(src))
	if len(errs) > 0 {
		return nil, positioned(name, errs)
	}
	if len(doc.Operations) == 0 {
		return nil, fmt.Errorf("%s:1:1: no query: a consumer document selects fields with query { ... }", name)
	}
	c := &Consumer{Name: strings.TrimSuffix(filepath.Base(name), filepath.Ext(name)), File: name, schema: schema}
	seen := map[string]*node{}
	for _, op := range doc.Operations {
		if op.Operation != ast.Query {
			return nil, fmt.Errorf("%s:%d:%d: %s: a consumer document holds queries only", name, op.Position.Line, op.Position.Column, op.Operation)
		}
		c.walk(op.SelectionSet, nil, seen)
	}
	if len(c.fields) == 0 {
		return nil, fmt.Errorf("%s:1:1: the document selects no field", name)
	}
	return c, nil
}

// positioned formats gqlparser's errors as file:line:col: message, one per line.
func positioned(name string, errs gqlerror.List) error {
	lines := make([]string, 0, len(errs))
	for _, e := range errs {
		line, col := 1, 1
		if len(e.Locations) > 0 {
			line, col = e.Locations[0].Line, e.Locations[0].Column
		}
		lines = append(lines, fmt.Sprintf("%s:%d:%d: %s", name, line, col, e.Message))
	}
	return fmt.Errorf("%s", strings.Join(lines, "\n"))
}

// walk collects the fields of set under parent (nil: the Query root), merging a field
// selected twice (aliases, fragments) into one node.
func (c *Consumer) walk(set ast.SelectionSet, parent *node, seen map[string]*node) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") || s.Definition == nil {
				continue // introspection: nothing a payload supplies
			}
			n := c.field(s, parent, seen)
			c.walk(s.SelectionSet, n, seen)
		case *ast.InlineFragment:
			c.walk(s.SelectionSet, parent, seen)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				c.walk(s.Definition.SelectionSet, parent, seen)
			}
		}
	}
}

func (c *Consumer) field(f *ast.Field, parent *node, seen map[string]*node) *node {
	path := f.Name
	if parent != nil {
		path = parent.ref.Path + "." + f.Name
	}
	if n, ok := seen[path]; ok {
		return n
	}
	n := &node{typ: f.Definition.Type, json: f.Name}
	n.ref = FieldRef{Path: path, Field: f.Name, NonNull: f.Definition.Type.NonNull}
	for _, d := range f.Definition.Directives {
		arg := d.Arguments.ForName("name")
		if arg == nil || arg.Value == nil {
			continue
		}
		switch d.Name {
		case "json":
			n.json, n.ref.Field = arg.Value.Raw, arg.Value.Raw
		case "alias":
			n.aliases = append(n.aliases, arg.Value.Raw)
		case "quirk":
			n.quirks = append(n.quirks, arg.Value.Raw)
		}
	}
	seen[path] = n
	if parent == nil {
		n.ref.Root = f.Name
		c.roots = append(c.roots, n)
		return n
	}
	n.ref.Root = parent.ref.Root
	n.ref.Type = f.ObjectDefinition.Name
	parent.kids = append(parent.kids, n)
	c.fields = append(c.fields, n.ref)
	return n
}
