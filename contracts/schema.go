package contracts

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	yaml "github.com/pb33f/go-yaml"
)

// A schema is the compiled form of one JSON Schema object of the specs: everything the
// validator needs, looked up once at load time so validating a payload never touches YAML.

type typeSet uint8

const (
	tNull typeSet = 1 << iota
	tBool
	tInteger
	tNumber
	tString
	tArray
	tObject
)

var typeNames = []struct {
	t    typeSet
	name string
}{{tNull, "null"}, {tBool, "boolean"}, {tInteger, "integer"}, {tNumber, "number"}, {tString, "string"}, {tArray, "array"}, {tObject, "object"}}

func (t typeSet) String() string {
	var parts []string
	for _, n := range typeNames {
		if n.t == tInteger && t&tNumber != 0 {
			continue // every number schema takes integers too; saying so is noise
		}
		if t&n.t != 0 {
			parts = append(parts, n.name)
		}
	}
	return strings.Join(parts, " or ")
}

type quirk struct {
	name   string // numeric-string, boolean-string, json-string, enum-alias, field-alias
	from   string
	to     string
	source string
}

type prop struct {
	name     string
	schema   *schema
	required bool
	source   string // x-source of the property (or of its $ref target)
	spec     string
}

type patternProp struct {
	re     *regexp.Regexp
	schema *schema
}

type literal struct {
	kind jkind
	s    string // string, or number in canonical form
	b    bool
}

type schema struct {
	name   string // component name, for coverage
	spec   string // file#/pointer of the schema
	source string // x-source
	errata string

	types         typeSet // 0: any type
	props         map[string]int
	propList      []*prop
	patternProps  []patternProp
	additional    *schema // schema undeclared members must meet, when additionalProperties is a schema
	additionalAny bool    // additionalProperties: true (free-form object)
	items         *schema
	enum          []literal
	constVal      *literal
	format        string
	pattern       *regexp.Regexp
	maxLength     int // -1: no limit
	oneOf         []*schema
	anyOf         []*schema
	allOf         []*schema
	not           *schema
	limits        *limits // numeric and size keywords; nil when none
	discProp      string
	discMap       map[string]*schema
	quirks        []quirk
	invariants    []string
}

func (s *schema) quirk(name string) *quirk {
	for i := range s.quirks {
		if s.quirks[i].name == name {
			return &s.quirks[i]
		}
	}
	return nil
}

// compiler turns YAML schema nodes into schemas, resolving $ref across the spec files.
type compiler struct {
	files map[string]*yaml.Node // file name → document mapping node
	docs  map[string]documentRef
	memo  map[string]*schema // file#pointer → schema (also breaks reference cycles)
	errs  []error
}

type documentRef struct {
	File  string `yaml:"file" json:"file"`
	Title string `yaml:"title" json:"title"`
	URL   string `yaml:"url" json:"url"`
}

func (c *compiler) errorf(spec, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s: %s", spec, fmt.Sprintf(format, args...)))
}

// resolve follows a $ref written in file to its target node.
func (c *compiler) resolve(file, ref string) (string, string, *yaml.Node, error) {
	target, frag, _ := strings.Cut(ref, "#")
	if target != "" {
		file = strings.TrimPrefix(target, "./")
	}
	root, ok := c.files[file]
	if !ok {
		return "", "", nil, fmt.Errorf("unresolved $ref %q: no spec file %q", ref, file)
	}
	n := root
	if frag != "" {
		for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
			tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
			n = mapGet(n, tok)
			if n == nil {
				return "", "", nil, fmt.Errorf("unresolved $ref %q: no %q in %s", ref, tok, file)
			}
		}
	}
	return file, frag, n, nil
}

func mapGet(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
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

// checkable says whether a citation names something public: a document title from x-documents
// (whose url is listed there), a Juspay page by URL, or a path in Juspay's official samples.
func (c *compiler) checkable(source string) bool {
	doc, _, _ := strings.Cut(source, "§")
	doc = strings.TrimSpace(doc)
	if strings.HasPrefix(doc, "Juspay docs http") || strings.Contains(source, "juspay/juspay-sdk-integration-demo") {
		return true
	}
	for _, d := range c.docs {
		if d.Title != "" && doc == d.Title && d.URL != "" {
			return true
		}
	}
	return false
}

// compileAt compiles the schema at file#ptr, once.
func (c *compiler) compileAt(file, ptr string, n *yaml.Node, name string) *schema {
	key := file + "#" + ptr
	if s, ok := c.memo[key]; ok {
		return s
	}
	s := &schema{spec: key, name: name, maxLength: -1}
	c.memo[key] = s
	c.fill(s, file, ptr, n)
	return s
}

// compile compiles an inline schema node, following $ref to a shared compiled schema. Sibling
// keywords of a $ref (x-source above all) describe the use site and are returned separately.
func (c *compiler) compile(file, ptr string, n *yaml.Node) (*schema, string) {
	if n == nil || n.Kind != yaml.MappingNode {
		if n != nil && n.Kind == yaml.ScalarNode && (n.Value == "true" || n.Value == "false") {
			s := &schema{spec: file + "#" + ptr, maxLength: -1}
			return s, ""
		}
		c.errorf(file+"#"+ptr, "schema is not an object")
		return &schema{spec: file + "#" + ptr, maxLength: -1}, ""
	}
	site := ""
	if src := mapGet(n, "x-source"); src != nil {
		site = src.Value
	}
	if ref := mapGet(n, "$ref"); ref != nil {
		tfile, tptr, target, err := c.resolve(file, ref.Value)
		if err != nil {
			c.errs = append(c.errs, fmt.Errorf("%s#%s: %w", file, ptr, err))
			return &schema{spec: file + "#" + ptr, maxLength: -1}, site
		}
		name := ""
		if i := strings.LastIndex(tptr, "/components/schemas/"); i >= 0 {
			name = tptr[i+len("/components/schemas/"):]
		}
		t := c.compileAt(tfile, tptr, target, name)
		if rest := constraintsBesideRef(n); rest != nil {
			// OpenAPI 3.1: keywords beside $ref apply too, as if both were under allOf.
			s := &schema{spec: file + "#" + ptr, maxLength: -1}
			c.fill(s, file, ptr, rest)
			s.allOf = append([]*schema{t}, s.allOf...)
			return s, site
		}
		return t, site
	}
	s := &schema{spec: file + "#" + ptr, maxLength: -1}
	c.fill(s, file, ptr, n)
	return s, site
}

func (c *compiler) fill(s *schema, file, ptr string, n *yaml.Node) {
	if ref := mapGet(n, "$ref"); ref != nil {
		// A component that is itself only a $ref (the root's kind aliases): become the target.
		t, site := c.compile(file, ptr, n)
		src := s.source
		name := s.name
		*s = *t
		if name != "" {
			s.name = name
		}
		if site != "" {
			s.source = site
		} else if src != "" {
			s.source = src
		}
		return
	}
	at := func(k string) string { return ptr + "/" + escapePointer(k) }
	if v := mapGet(n, "x-source"); v != nil {
		s.source = v.Value
	}
	if v := mapGet(n, "x-errata"); v != nil {
		s.errata = v.Value
	}
	if v := mapGet(n, "type"); v != nil {
		names := []string{v.Value}
		if v.Kind == yaml.SequenceNode {
			names = names[:0]
			for _, e := range v.Content {
				names = append(names, e.Value)
			}
		}
		for _, nm := range names {
			found := false
			for _, tn := range typeNames {
				if tn.name == nm {
					s.types |= tn.t
					found = true
				}
			}
			if !found {
				c.errorf(s.spec, "unknown type %q", nm)
			}
		}
		if s.types&tNumber != 0 {
			s.types |= tInteger // every integer is a number
		}
	}
	if v := mapGet(n, "properties"); v != nil && v.Kind == yaml.MappingNode {
		s.props = make(map[string]int, len(v.Content)/2)
		for i := 0; i+1 < len(v.Content); i += 2 {
			name := v.Content[i].Value
			pptr := at("properties") + "/" + escapePointer(name)
			ps, site := c.compile(file, pptr, v.Content[i+1])
			p := &prop{name: name, schema: ps, source: site, spec: file + "#" + pptr}
			if p.source == "" {
				p.source = ps.source
			}
			s.props[name] = len(s.propList)
			s.propList = append(s.propList, p)
		}
	}
	if v := mapGet(n, "required"); v != nil {
		for _, e := range v.Content {
			i, ok := s.props[e.Value]
			if !ok {
				// Required but not declared: declare it as "any" so the requirement still holds.
				s.props = ensureMap(s.props)
				i = len(s.propList)
				s.props[e.Value] = i
				s.propList = append(s.propList, &prop{name: e.Value, schema: &schema{spec: s.spec, maxLength: -1}, spec: s.spec})
			}
			s.propList[i].required = true
		}
	}
	if v := mapGet(n, "patternProperties"); v != nil && v.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(v.Content); i += 2 {
			re, err := regexp.Compile(v.Content[i].Value)
			if err != nil {
				c.errorf(s.spec, "patternProperties %q: %v", v.Content[i].Value, err)
				continue
			}
			ps, _ := c.compile(file, at("patternProperties")+"/"+escapePointer(v.Content[i].Value), v.Content[i+1])
			s.patternProps = append(s.patternProps, patternProp{re, ps})
		}
	}
	if v := mapGet(n, "additionalProperties"); v != nil {
		switch {
		case v.Kind == yaml.ScalarNode:
			s.additionalAny = v.Value == "true"
		case v.Kind == yaml.MappingNode && len(v.Content) == 0:
			s.additionalAny = true
		default:
			s.additional, _ = c.compile(file, at("additionalProperties"), v)
		}
	}
	if v := mapGet(n, "items"); v != nil {
		s.items, _ = c.compile(file, at("items"), v)
	}
	if v := mapGet(n, "enum"); v != nil {
		for _, e := range v.Content {
			s.enum = append(s.enum, yamlLiteral(e))
		}
	}
	if v := mapGet(n, "const"); v != nil {
		l := yamlLiteral(v)
		s.constVal = &l
	}
	if v := mapGet(n, "format"); v != nil {
		s.format = v.Value
		if !knownFormat(v.Value) {
			c.errorf(s.spec, "unknown format %q", v.Value)
		}
	}
	if v := mapGet(n, "pattern"); v != nil {
		re, err := regexp.Compile(v.Value)
		if err != nil {
			c.errorf(s.spec, "pattern %q: %v", v.Value, err)
		} else {
			s.pattern = re
		}
	}
	if v := mapGet(n, "maxLength"); v != nil {
		m, err := strconv.Atoi(v.Value)
		if err != nil || m < 0 {
			c.errorf(s.spec, "maxLength %q is not a non-negative integer", v.Value)
		} else {
			s.maxLength = m
		}
	}
	c.fillKeywords(s, file, ptr, n)
	if v := mapGet(n, "oneOf"); v != nil {
		for i, e := range v.Content {
			alt, _ := c.compile(file, at("oneOf")+"/"+strconv.Itoa(i), e)
			s.oneOf = append(s.oneOf, alt)
		}
		if d := mapGet(n, "x-discriminator"); d != nil {
			prop := mapGet(d, "property")
			if prop == nil || prop.Value == "" {
				c.errorf(s.spec, "x-discriminator needs a property")
				return
			}
			s.discProp = prop.Value
			s.discMap = map[string]*schema{}
			if m := mapGet(d, "mapping"); m != nil {
				for i := 0; i+1 < len(m.Content); i += 2 {
					tfile, tptr, target, err := c.resolve(file, m.Content[i+1].Value)
					if err != nil {
						c.errs = append(c.errs, fmt.Errorf("%s: x-discriminator: %w", s.spec, err))
						continue
					}
					s.discMap[m.Content[i].Value] = c.compileAt(tfile, tptr, target, "")
				}
			}
		}
	}
	if v := mapGet(n, "x-quirks"); v != nil {
		for _, q := range v.Content {
			qq := quirk{}
			if x := mapGet(q, "quirk"); x != nil {
				qq.name = x.Value
			}
			if x := mapGet(q, "from"); x != nil {
				qq.from = x.Value
			}
			if x := mapGet(q, "to"); x != nil {
				qq.to = x.Value
			}
			if x := mapGet(q, "source"); x != nil {
				qq.source = x.Value
			}
			switch qq.name {
			case "numeric-string", "boolean-string", "json-string", "json-number", "null", "null-string":
			case "enum-alias", "field-alias":
				if qq.from == "" || qq.to == "" {
					c.errorf(s.spec, "quirk %s needs from and to", qq.name)
				}
			default:
				c.errorf(s.spec, "unknown quirk %q", qq.name)
			}
			s.quirks = append(s.quirks, qq)
		}
	}
	if v := mapGet(n, "x-invariants"); v != nil {
		for _, e := range v.Content {
			if _, ok := invariants[e.Value]; !ok {
				c.errorf(s.spec, "unknown invariant %q", e.Value)
				continue
			}
			s.invariants = append(s.invariants, e.Value)
		}
	}
}

func ensureMap(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

func yamlLiteral(n *yaml.Node) literal {
	switch {
	case n.Tag == "!!null":
		return literal{kind: jNull}
	case n.Tag == "!!bool":
		return literal{kind: jBool, b: n.Value == "true"}
	case n.Tag == "!!int" || n.Tag == "!!float":
		return literal{kind: jNumber, s: canonicalNumber(n.Value)}
	default:
		return literal{kind: jString, s: n.Value}
	}
}

func (l literal) String() string {
	switch l.kind {
	case jNull:
		return "null"
	case jBool:
		return strconv.FormatBool(l.b)
	case jString:
		return strconv.Quote(l.s)
	}
	return l.s
}
