package consumers

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/jpcheck/jpcheck/contracts"
)

// Payload is one body the target answered or sent: a response of a contract kind, or a webhook
// (Kind contracts.KindWebhook, Event its event_name).
type Payload struct {
	Kind    contracts.Kind
	Event   string
	Request string
	Body    []byte
}

// The verdicts of a consumer. They are an interface (reports, exit codes): never rename one.
const (
	// StatusPass: every selected field was supplied by the payloads of its kind.
	StatusPass = "pass"
	// StatusFail: some selected field was absent, null where non-null, or of the wrong type.
	StatusFail = "fail"
	// StatusNotExercised: nothing missing, but some root had no payload of its kind in the run.
	StatusNotExercised = "not-exercised"
)

// Missing is one selected field a payload did not supply.
type Missing struct {
	Path    string `json:"path"`
	Request string `json:"request"`
	// Pointer locates the first occurrence in that request's body (RFC 6901).
	Pointer string `json:"pointer,omitempty"`
	Reason  string `json:"reason"`
	// Count is how many occurrences across the payloads had this path and reason.
	Count int `json:"count"`
}

// Compliance is the verdict on one consumer.
type Compliance struct {
	Consumer string `json:"name"`
	File     string `json:"file"`
	Status   string `json:"status"`
	// Selected counts the selected fields; Supplied those every payload of their kind supplied.
	Selected     int       `json:"fields_selected"`
	Supplied     int       `json:"fields_supplied"`
	Missing      []Missing `json:"missing"`
	NotExercised []string  `json:"not_exercised"`
	Payloads     int       `json:"payloads"`
	Pass         bool      `json:"pass"`
}

// maxMissing bounds the listed missing fields; Count still counts every occurrence.
const maxMissing = 200

// rootPayloads picks the payloads a root field judges.
func rootPayloads(root string, payloads []Payload) []Payload {
	var out []Payload
	for _, p := range payloads {
		if p.Kind == contracts.KindWebhook {
			if root == contracts.GraphQLRootField(contracts.KindWebhook) || root == contracts.GraphQLWebhookField(p.Event) {
				out = append(out, p)
			}
			continue
		}
		if root == contracts.GraphQLRootField(p.Kind) {
			out = append(out, p)
		}
	}
	return out
}

// judge accumulates findings per selected path.
type judge struct {
	schema  *ast.Schema
	missing map[string]*Missing // path + reason
	order   []string
	seen    map[string]bool // path supplied (present, non-null, right type) at least once
	bad     map[string]bool // path missing somewhere
	request string
}

// Check judges the payloads against c: for each root, every payload of its kind must supply
// every selected field, present and of the right JSON type; a null is allowed only where the
// schema allows it, and a nullable field must still be supplied (non-null) by at least one
// payload. Array elements are each checked. A root with no payload leaves its fields not
// exercised, which is neither a pass nor a failure.
func Check(c *Consumer, payloads []Payload) Compliance {
	res := Compliance{Consumer: c.Name, File: c.File, Selected: len(c.fields), Missing: []Missing{}, NotExercised: []string{}}
	j := &judge{schema: c.schema.ast, missing: map[string]*Missing{}, seen: map[string]bool{}, bad: map[string]bool{}}
	exercised := map[string]bool{}
	for _, root := range c.roots {
		ps := rootPayloads(root.ref.Root, payloads)
		if len(ps) == 0 {
			continue
		}
		exercised[root.ref.Root] = true
		res.Payloads += len(ps)
		firstReq := ps[0].Request
		for _, p := range ps {
			j.request = p.Request
			var v any
			if err := json.Unmarshal(p.Body, &v); err != nil {
				j.miss(root.ref.Path, "", "the body is not JSON")
				continue
			}
			j.object(root, v, "")
		}
		// A nullable field no payload ever supplied is not supplied either.
		var never func(n *node)
		never = func(n *node) {
			for _, k := range n.kids {
				if !j.seen[k.ref.Path] && !j.bad[k.ref.Path] {
					j.request = firstReq
					j.miss(k.ref.Path, "", fmt.Sprintf("never supplied: absent or null in all %d payloads", len(ps)))
					continue // its children were never reached: the parent says it
				}
				never(k)
			}
		}
		never(root)
	}
	for _, f := range c.fields {
		switch {
		case !exercised[f.Root]:
			res.NotExercised = append(res.NotExercised, f.Path)
		case j.seen[f.Path] && !j.bad[f.Path]:
			res.Supplied++
		}
	}
	for _, k := range j.order {
		if len(res.Missing) == maxMissing {
			break
		}
		res.Missing = append(res.Missing, *j.missing[k])
	}
	sort.SliceStable(res.Missing, func(a, b int) bool { return res.Missing[a].Path < res.Missing[b].Path })
	switch {
	case len(res.Missing) > 0:
		res.Status = StatusFail
	case len(res.NotExercised) > 0:
		res.Status = StatusNotExercised
	default:
		res.Status, res.Pass = StatusPass, true
	}
	return res
}

func (j *judge) miss(path, pointer, reason string) {
	j.bad[path] = true
	key := path + "\x00" + reason
	if m, ok := j.missing[key]; ok {
		m.Count++
		return
	}
	j.missing[key] = &Missing{Path: path, Request: j.request, Pointer: pointer, Reason: reason, Count: 1}
	j.order = append(j.order, key)
}

// object checks the selected children of n in v, an object (the caller checked its type).
func (j *judge) object(n *node, v any, ptr string) {
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	for _, k := range n.kids {
		key := k.json
		val, present := obj[key]
		for _, a := range k.aliases {
			if present {
				break
			}
			key = a
			val, present = obj[a]
		}
		if !present {
			key = k.json
		}
		kptr := ptr + "/" + escape(key)
		switch {
		case !present && k.typ.NonNull:
			j.miss(k.ref.Path, kptr, "absent, but the schema says non-null")
		case !present:
			// A nullable field may be left out of one payload; never supplying it is judged later.
		default:
			j.value(k, k.typ, val, kptr)
		}
	}
}

// value checks one value of type t for n.
func (j *judge) value(n *node, t *ast.Type, v any, ptr string) {
	if v == nil {
		if t.NonNull {
			j.miss(n.ref.Path, ptr, "null, but the schema says non-null")
		}
		return
	}
	if s, ok := v.(string); ok && hasQuirk(n, "json-string") && (t.Elem != nil || j.isObject(t.NamedType)) {
		var decoded any
		if err := json.Unmarshal([]byte(s), &decoded); err == nil {
			v = decoded
		}
	}
	if t.Elem != nil {
		arr, ok := v.([]any)
		if !ok {
			j.miss(n.ref.Path, ptr, "wrong type: "+jsonType(v)+", want a list")
			return
		}
		for i, e := range arr {
			j.value(n, t.Elem, e, ptr+"/"+strconv.Itoa(i))
		}
		return
	}
	if reason := j.scalar(n, t.NamedType, v); reason != "" {
		j.miss(n.ref.Path, ptr, reason)
		return
	}
	if j.isObject(t.NamedType) {
		j.object(n, v, ptr)
	}
	j.seen[n.ref.Path] = true
}

func (j *judge) isObject(name string) bool {
	d := j.schema.Types[name]
	return d != nil && d.Kind == ast.Object
}

// scalar says what is wrong with v as a value of the named type, or "".
func (j *judge) scalar(n *node, name string, v any) string {
	want := name
	switch name {
	case "JSON":
		return ""
	case "String":
		if _, ok := v.(string); ok {
			return ""
		}
	case "Boolean":
		if _, ok := v.(bool); ok {
			return ""
		}
		if s, ok := v.(string); ok && hasQuirk(n, "boolean-string") && (s == "true" || s == "false") {
			return ""
		}
	case "Int", "Float":
		f, ok := v.(float64)
		if s, isStr := v.(string); isStr && hasQuirk(n, "numeric-string") {
			var err error
			f, err = strconv.ParseFloat(strings.TrimSpace(s), 64)
			ok = err == nil
		}
		if ok && (name == "Float" || f == float64(int64(f))) {
			return ""
		}
		if name == "Int" {
			want = "an integer"
		} else {
			want = "a number"
		}
	default:
		d := j.schema.Types[name]
		switch {
		case d == nil:
			return ""
		case d.Kind == ast.Object:
			if _, ok := v.(map[string]any); ok {
				return ""
			}
			want = "an object (" + name + ")"
		case d.Kind == ast.Enum:
			s, ok := v.(string)
			if ok && d.EnumValues.ForName(s) != nil {
				return ""
			}
			if ok {
				return fmt.Sprintf("wrong value: %q is not a value of enum %s", s, name)
			}
			want = "a string (enum " + name + ")"
		}
	}
	return "wrong type: " + jsonType(v) + ", want " + want
}

func hasQuirk(n *node, q string) bool {
	for _, x := range n.quirks {
		if x == q {
			return true
		}
	}
	return false
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func escape(s string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(s) }
