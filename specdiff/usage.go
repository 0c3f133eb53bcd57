package specdiff

import (
	"path"
	"strings"

	yaml "github.com/pb33f/go-yaml"
)

// The directions a component can be used in.
const (
	Response = "response"
	Request  = "request"
	Webhook  = "webhook"
)

// usage maps "file#Name" (a component schema) to the directions it is used in.
type usage map[string]map[string]bool

// usages follows $refs from every operation's request body and responses and every webhook's
// request body to the component schemas they reach, transitively.
func (s *Specs) usages() usage {
	u := usage{}
	var queue []struct {
		key, dir string
	}
	mark := func(key, dir string) {
		if u[key] == nil {
			u[key] = map[string]bool{}
		}
		if !u[key][dir] {
			u[key][dir] = true
			queue = append(queue, struct{ key, dir string }{key, dir})
		}
	}
	seen := map[string]bool{}
	var refsOf func(file string, n *yaml.Node, dir string)
	refsOf = func(file string, n *yaml.Node, dir string) {
		if n == nil {
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "$ref" {
					ref := n.Content[i+1].Value
					if key := resolveRef(file, ref); key != "" {
						mark(key, dir)
					} else if f, n2 := s.component(file, ref); n2 != nil && !seen[f+ref+dir] {
						seen[f+ref+dir] = true // a requestBodies or responses component
						refsOf(f, n2, dir)
					}
				}
			}
		}
		for _, c := range n.Content {
			refsOf(file, c, dir)
		}
	}
	for _, name := range s.names {
		root := s.files[name].node
		if ps := mapGet(root, "paths"); ps != nil {
			for i := 1; i < len(ps.Content); i += 2 {
				forOps(ps.Content[i], func(op *yaml.Node) {
					refsOf(name, mapGet(op, "requestBody"), Request)
					refsOf(name, mapGet(op, "responses"), Response)
				})
			}
		}
		if hs := mapGet(root, "webhooks"); hs != nil {
			for i := 1; i < len(hs.Content); i += 2 {
				forOps(hs.Content[i], func(op *yaml.Node) { refsOf(name, mapGet(op, "requestBody"), Webhook) })
			}
		}
		// The envelope and every payload of webhooks.yaml are read by subscribers, even the
		// ones no event names yet.
		if name == "webhooks.yaml" {
			if cs := mapGet(mapGet(root, "components"), "schemas"); cs != nil {
				for i := 0; i+1 < len(cs.Content); i += 2 {
					mark(name+"#"+cs.Content[i].Value, Webhook)
				}
			}
		}
	}
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		file, name, _ := strings.Cut(q.key, "#")
		f := s.files[file]
		if f == nil {
			continue
		}
		refsOf(file, mapGet(mapGet(mapGet(f.node, "components"), "schemas"), name), q.dir)
	}
	return u
}

func forOps(item *yaml.Node, fn func(op *yaml.Node)) {
	for _, m := range []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"} {
		if op := mapGet(item, m); op != nil {
			fn(op)
		}
	}
}

// resolveRef turns a $ref to a component schema into "file#Name"; other refs give "".
func resolveRef(from, ref string) string {
	file, ptr, _ := strings.Cut(ref, "#")
	if file == "" {
		file = from
	} else {
		file = path.Clean(path.Join(path.Dir(from), file))
	}
	name, ok := strings.CutPrefix(ptr, "/components/schemas/")
	if !ok || strings.Contains(name, "/") {
		return ""
	}
	return file + "#" + name
}

// directions lists where a component is used, in a stable order; an unused component is
// judged as a response (the cautious reading: someone may read it).
func (u usage) directions(key string) []string {
	var ds []string
	for _, d := range []string{Response, Webhook, Request} {
		if u[key][d] {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		ds = []string{Response}
	}
	return ds
}

// component finds the node a $ref to a non-schema component (requestBodies, responses) names.
func (s *Specs) component(from, ref string) (string, *yaml.Node) {
	file, ptr, _ := strings.Cut(ref, "#")
	if file == "" {
		file = from
	} else {
		file = path.Clean(path.Join(path.Dir(from), file))
	}
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	if s.files[file] == nil || len(parts) != 3 || parts[0] != "components" {
		return "", nil
	}
	return file, mapGet(mapGet(mapGet(s.files[file].node, "components"), parts[1]), parts[2])
}
