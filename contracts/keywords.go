package contracts

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	yaml "github.com/pb33f/go-yaml"
)

// The compiler must never accept a keyword it does not enforce: a spec that says minimum: 0
// and a validator that ignores it pass broken payloads while the spec reads as if they were
// checked. Every key of every schema object is one of these, or lint names it.

type keywordKind uint8

const (
	kwEnforced   keywordKind = iota // compiled and checked by the walker
	kwAnnotation                    // says something to people or tools, constrains nothing
)

var schemaKeywords = map[string]keywordKind{
	"$ref": kwEnforced, "type": kwEnforced, "properties": kwEnforced, "patternProperties": kwEnforced,
	"required": kwEnforced, "additionalProperties": kwEnforced, "items": kwEnforced, "enum": kwEnforced,
	"const": kwEnforced, "format": kwEnforced, "pattern": kwEnforced, "maxLength": kwEnforced,
	"minLength": kwEnforced, "oneOf": kwEnforced, "anyOf": kwEnforced, "allOf": kwEnforced,
	"not": kwEnforced, "minimum": kwEnforced, "maximum": kwEnforced, "exclusiveMinimum": kwEnforced,
	"exclusiveMaximum": kwEnforced, "multipleOf": kwEnforced, "minItems": kwEnforced,
	"maxItems": kwEnforced, "uniqueItems": kwEnforced, "minProperties": kwEnforced,
	"maxProperties": kwEnforced,
	// Our extensions (specs/README.md).
	"x-source": kwAnnotation, "x-errata": kwAnnotation, "x-quirks": kwEnforced,
	"x-invariants": kwEnforced, "x-discriminator": kwEnforced,
	// Annotations.
	"title": kwAnnotation, "description": kwAnnotation, "examples": kwAnnotation,
	"example": kwAnnotation, "default": kwAnnotation, "deprecated": kwAnnotation,
	"readOnly": kwAnnotation, "writeOnly": kwAnnotation, "$comment": kwAnnotation,
	"externalDocs": kwAnnotation,
}

// limits holds the numeric and size keywords of a schema; nil when it has none, which is most.
type limits struct {
	minimum, maximum         string // numbers as written; "" for none
	exclMinimum, exclMaximum string
	multipleOf               string
	minLength                int
	minItems, maxItems       int // maxItems -1: no limit
	uniqueItems              bool
	minProps, maxProps       int // maxProps -1: no limit
}

// fillKeywords compiles the keywords beyond the original subset: combinators and limits.
func (c *compiler) fillKeywords(s *schema, file, ptr string, n *yaml.Node) {
	at := func(k string) string { return ptr + "/" + escapePointer(k) }
	list := func(k string) []*schema {
		v := mapGet(n, k)
		if v == nil {
			return nil
		}
		if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
			c.errorf(s.spec, "%s must be a non-empty list of schemas", k)
			return nil
		}
		var out []*schema
		for i, e := range v.Content {
			alt, _ := c.compile(file, at(k)+"/"+strconv.Itoa(i), e)
			out = append(out, alt)
		}
		return out
	}
	s.allOf = list("allOf")
	s.anyOf = list("anyOf")
	if v := mapGet(n, "not"); v != nil {
		s.not, _ = c.compile(file, at("not"), v)
	}
	num := func(k string) string {
		v := mapGet(n, k)
		if v == nil {
			return ""
		}
		if v.Kind != yaml.ScalarNode || (v.Tag != "!!int" && v.Tag != "!!float") {
			c.errorf(s.spec, "%s %q is not a number", k, v.Value)
			return ""
		}
		return v.Value
	}
	count := func(k string, none int) int {
		v := mapGet(n, k)
		if v == nil {
			return none
		}
		m, err := strconv.Atoi(v.Value)
		if err != nil || m < 0 {
			c.errorf(s.spec, "%s %q is not a non-negative integer", k, v.Value)
			return none
		}
		return m
	}
	l := limits{
		minimum: num("minimum"), maximum: num("maximum"),
		exclMinimum: num("exclusiveMinimum"), exclMaximum: num("exclusiveMaximum"),
		multipleOf: num("multipleOf"),
		minLength:  count("minLength", 0),
		minItems:   count("minItems", 0), maxItems: count("maxItems", -1),
		minProps: count("minProperties", 0), maxProps: count("maxProperties", -1),
	}
	if l.multipleOf != "" {
		if cmp, ok := compareNumbers(l.multipleOf, "0"); !ok || cmp <= 0 {
			c.errorf(s.spec, "multipleOf %s is not greater than 0", l.multipleOf)
			l.multipleOf = ""
		}
	}
	if v := mapGet(n, "uniqueItems"); v != nil {
		l.uniqueItems = v.Value == "true"
	}
	if l != (limits{maxItems: -1, maxProps: -1}) {
		s.limits = &l
	}
}

// audit reports every key of the schema at file#ptr (and of the schemas inside it) that the
// engine does not know, by pointer: lint fails on them rather than the walker ignoring them.
func audit(file, ptr string, n *yaml.Node, out *[]string, depth int) {
	if n == nil || n.Kind != yaml.MappingNode || depth > 64 {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		kp := ptr + "/" + escapePointer(k)
		if _, ok := schemaKeywords[k]; !ok {
			*out = append(*out, fmt.Sprintf("%s#%s: schema keyword %q is not implemented by the validator (it would be ignored)", file, kp, k))
			continue
		}
		switch k {
		case "properties", "patternProperties":
			if v.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(v.Content); j += 2 {
					audit(file, kp+"/"+escapePointer(v.Content[j].Value), v.Content[j+1], out, depth+1)
				}
			}
		case "additionalProperties", "items", "not":
			audit(file, kp, v, out, depth+1)
		case "allOf", "anyOf", "oneOf":
			for j, e := range v.Content {
				audit(file, kp+"/"+strconv.Itoa(j), e, out, depth+1)
			}
		}
	}
}

// auditDocument audits every schema of one spec file: its components and every schema of its
// paths, webhooks, parameters, request bodies, responses and headers.
func auditDocument(file string, doc *yaml.Node) []string {
	var out []string
	var find func(ptr string, n *yaml.Node, depth int)
	find = func(ptr string, n *yaml.Node, depth int) {
		if n == nil || depth > 64 {
			return
		}
		if n.Kind == yaml.DocumentNode {
			for _, e := range n.Content {
				find(ptr, e, depth)
			}
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i].Value, n.Content[i+1]
				kp := ptr + "/" + escapePointer(k)
				switch {
				case k == "example" || k == "examples" || strings.HasPrefix(k, "x-"):
					// payloads and extensions, not schemas
				case k == "schema":
					audit(file, kp, v, &out, 0)
				case k == "schemas" && ptr == "/components" && v.Kind == yaml.MappingNode:
					for j := 0; j+1 < len(v.Content); j += 2 {
						audit(file, kp+"/"+escapePointer(v.Content[j].Value), v.Content[j+1], &out, 0)
					}
				default:
					find(kp, v, depth+1)
				}
			}
		case yaml.SequenceNode:
			for i, e := range n.Content {
				find(ptr+"/"+strconv.Itoa(i), e, depth+1)
			}
		}
	}
	find("", doc, 0)
	sort.Strings(out)
	return out
}

// constraintsBesideRef returns n without its $ref when keywords that constrain a value stand
// beside the $ref, and nil when only annotations do (the usual x-source of the use site).
func constraintsBesideRef(n *yaml.Node) *yaml.Node {
	var rest []*yaml.Node
	constrains := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if k == "$ref" {
			continue
		}
		if kind, ok := schemaKeywords[k]; !ok || kind == kwEnforced {
			constrains = true
		}
		rest = append(rest, n.Content[i], n.Content[i+1])
	}
	if !constrains {
		return nil
	}
	cp := *n
	cp.Content = rest
	return &cp
}
