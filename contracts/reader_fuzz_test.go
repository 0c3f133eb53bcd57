package contracts

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// FuzzReader is differential: the reader must accept exactly what encoding/json's json.Valid
// accepts, less what its documented rules refuse (invalid UTF-8, nesting past MaxDepth,
// payloads past MaxPayloadBytes), read the same values encoding/json reads (the last of
// repeated names, numbers as written), and flag repeated names and lone surrogates exactly
// when a strict RFC 7493 reader (jsontext's defaults) refuses the text.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		`{"a":1}`, `[]`, `{}`, `""`, `0`, `-0.0e+00`, `1e400`, `1e-400`, `true`, `null`,
		`{"a":1,"a":2}`, `{"a":{"b":1,"b":2}}`, `[{"":1,"":1}]`, `"\ud800"`, `"\udc00\ud800"`,
		`"\ud83d\ude00"`, `{"\ud800":1}`, `"\\ud800"`, `"a\u0000b"`, `"\/"`, "\"\xff\"", `[1,]`,
		`{"a" 1}`, `01`, `1.`, `.5`, `-`, `[1] [2]`, " \t\r\n[ 1 , 2 ] \n", `"\u00e9"`, "\"é\"",
		strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth),
		strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1),
		`{"a":[1,{"b":"x","c":[true,false,null]}],"d":-1.5E-3}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, perr := parseJSON(data, MaxDepth)
		want := json.Valid(data) && utf8.Valid(data) && depthOf(data) <= MaxDepth && len(data) <= MaxPayloadBytes
		if (perr == nil) != want {
			t.Fatalf("reader accepts %t, want %t (json.Valid %t, UTF-8 %t, depth %d): %v", perr == nil, want, json.Valid(data), utf8.Valid(data), depthOf(data), perr)
		}
		if perr != nil {
			if perr.off < 0 || perr.off > len(data) || perr.msg == "" {
				t.Fatalf("bad error %+v for %d bytes", perr, len(data))
			}
			if json.Valid(data) && utf8.Valid(data) && perr.rule != RuleDepth {
				t.Fatalf("valid UTF-8 JSON refused as %s, not depth: %v", perr.rule, perr)
			}
			return
		}
		checkOffsets(t, doc)
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var ref any
		if err := dec.Decode(&ref); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		if got := toAny(doc.root()); !reflect.DeepEqual(got, ref) {
			t.Fatalf("read\n%#v\nencoding/json reads\n%#v", got, ref)
		}
		if strict := jsontext.Value(data).IsValid(); strict == (doc.dups || doc.surrogates) {
			t.Fatalf("strict reader accepts %t, but repeated names %t, lone surrogates %t", strict, doc.dups, doc.surrogates)
		}
		if doc.dups != hasRepeatedNames(t, data) {
			t.Fatalf("repeated names %t, want %t", doc.dups, !doc.dups)
		}
	})
}

// depthOf is the deepest nesting of a JSON text (of any text: brackets outside strings).
func depthOf(data []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// checkOffsets: every node's offset points at the first byte of its value.
func checkOffsets(t *testing.T, d *document) {
	for i := range d.nodes {
		n := &d.nodes[i]
		c := d.src[n.off()]
		ok := false
		switch n.kind() {
		case jObject:
			ok = c == '{'
		case jArray:
			ok = c == '['
		case jString:
			ok = c == '"' && d.src[n.off()+1+n.a] == '"'
		case jNumber:
			ok = c == '-' || c >= '0' && c <= '9'
		case jBool:
			ok = c == 't' || c == 'f'
		case jNull:
			ok = c == 'n'
		}
		if !ok {
			t.Fatalf("node %d (%s) at byte %d starts with %q", i, n.kind(), n.off(), c)
		}
	}
}

// toAny is the value as encoding/json decodes it with UseNumber: the last of repeated names.
func toAny(v jvalue) any {
	switch v.kind {
	case jNull:
		return nil
	case jBool:
		return v.b
	case jNumber:
		return json.Number(v.s)
	case jString:
		return v.s
	case jArray:
		out := []any{}
		for _, el := range v.elems() {
			out = append(out, toAny(el))
		}
		return out
	}
	out := map[string]any{}
	for k, el := range v.members() {
		out[k] = toAny(el)
	}
	return out
}

// hasRepeatedNames finds repeated names with encoding/json's token stream.
func hasRepeatedNames(t *testing.T, data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		object  bool
		names   map[string]bool
		wantKey bool
	}
	var stack []*frame
	repeated := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return repeated
		}
		if err != nil {
			t.Fatalf("encoding/json tokens: %v", err)
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			if name, ok := tok.(string); ok {
				repeated = repeated || top.names[name]
				top.names[name] = true
				top.wantKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, names: map[string]bool{}, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].wantKey = true
		}
	}
}
