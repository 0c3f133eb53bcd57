package contracts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// The reader. jsontext (the tokenizer behind encoding/json/v2) judges the grammar; this file
// adds what the validator needs and encoding/json throws away: byte offsets, member order,
// numbers as written (so 21, 21.0 and 1e400 are judged as written), a depth bound that holds
// before any recursion, and duplicate names and lone surrogates as findings rather than as a
// refusal to read. Its rules are documented in docs/validate.md ("How payloads are read").
//
// A payload becomes a document: one flat slice of 16-byte nodes in document order, the
// payload's text, and the few strings that needed unescaping. Memory is proportional to the
// payload (a million tiny objects cost about 50 MB, not one allocation per value), and
// strings and numbers are substrings of the text, not copies.

type jkind uint8

const (
	jAbsent jkind = iota // the zero jvalue: a member that is not there
	jNull
	jBool
	jNumber
	jString
	jArray
	jObject
)

func (k jkind) String() string {
	return [...]string{"missing", "null", "boolean", "number", "string", "array", "object"}[k]
}

// node is one value of a document, in 12 bytes. Children follow their container, members as a
// key node and then the value's nodes.
type node struct {
	meta uint32 // kind (3 bits), flags (2 bits) and, above them, the byte offset of the value
	// a: string, the raw length between the quotes; number, the length as written;
	// array, the element count; object, the member count.
	a uint32
	// b: escaped string, its index in document.strs; container, the index of the node after
	// its last descendant (its next sibling).
	b uint32
}

const (
	flagTrue    = 1 << iota // a true literal
	flagEscaped             // a string with escapes: its value is in document.strs
)

// Offsets fit the 27 bits left: payloads are at most MaxPayloadBytes (8 MiB).
func mknode(k jkind, flags uint8, off int) node {
	return node{meta: uint32(off)<<5 | uint32(flags)<<3 | uint32(k)}
}

func (n *node) kind() jkind  { return jkind(n.meta & 7) }
func (n *node) flags() uint8 { return uint8(n.meta>>3) & 3 }
func (n *node) off() uint32  { return n.meta >> 5 }

type document struct {
	src        string // the payload, once: values without escapes are substrings of it
	nodes      []node
	strs       []string
	dups       bool // some object repeats a name; the validator then looks for them
	surrogates bool // some string holds a lone surrogate escape
}

// jvalue is a value of a document, passed by value: its kind and scalar are read at once, its
// children through the document. The zero jvalue is absent (kind jAbsent). Values made by a
// quirk's coercion carry no document; they are scalars.
type jvalue struct {
	kind jkind
	b    bool   // boolean value
	s    string // string value, or the number as written
	d    *document
	i    uint32 // index of the node in d.nodes
}

type jmember struct {
	key string
	val jvalue
}

func (d *document) root() jvalue { return d.value(0) }

func (d *document) value(i uint32) jvalue {
	n := &d.nodes[i]
	v := jvalue{kind: n.kind(), d: d, i: i}
	switch v.kind {
	case jString:
		v.s = d.str(n)
	case jNumber:
		v.s = d.src[n.off() : n.off()+n.a]
	case jBool:
		v.b = n.flags()&flagTrue != 0
	}
	return v
}

func (d *document) str(n *node) string {
	if n.flags()&flagEscaped != 0 {
		return d.strs[n.b]
	}
	return d.raw(n)
}

// raw is a string node's text between its quotes, escapes as written.
func (d *document) raw(n *node) string { return d.src[n.off()+1 : n.off()+1+n.a] }

// next is the index of the node after i's value.
func (d *document) next(i uint32) uint32 {
	if n := &d.nodes[i]; n.kind() >= jArray {
		return n.b
	}
	return i + 1
}

// ok reports whether the value is there.
func (v jvalue) ok() bool { return v.kind != jAbsent }

// len is the number of elements of an array or members of an object; 0 for anything else.
func (v jvalue) len() int {
	if v.kind != jArray && v.kind != jObject || v.d == nil {
		return 0
	}
	return int(v.d.nodes[v.i].a)
}

// offset is the byte offset of the value in its payload, or -1 when it has none.
func (v jvalue) offset() int {
	if v.d == nil {
		return -1
	}
	return int(v.d.nodes[v.i].off())
}

// get returns the last member named key (the one JSON.parse and most decoders keep), or the
// absent value.
func (v jvalue) get(key string) jvalue {
	if v.kind != jObject || v.d == nil {
		return jvalue{}
	}
	d := v.d
	found := uint32(0)
	j := v.i + 1
	for n := d.nodes[v.i].a; n > 0; n-- {
		if d.str(&d.nodes[j]) == key {
			found = j + 1
		}
		j = d.next(j + 1)
	}
	if found == 0 {
		return jvalue{}
	}
	return d.value(found)
}

// members yields an object's members in document order.
func (v jvalue) members() iter.Seq2[string, jvalue] {
	return func(yield func(string, jvalue) bool) {
		if v.kind != jObject || v.d == nil {
			return
		}
		d := v.d
		j := v.i + 1
		for n := d.nodes[v.i].a; n > 0; n-- {
			if !yield(d.str(&d.nodes[j]), d.value(j+1)) {
				return
			}
			j = d.next(j + 1)
		}
	}
}

// elems yields an array's elements with their indexes.
func (v jvalue) elems() iter.Seq2[int, jvalue] {
	return func(yield func(int, jvalue) bool) {
		if v.kind != jArray || v.d == nil {
			return
		}
		d := v.d
		j := v.i + 1
		for k := 0; k < int(d.nodes[v.i].a); k++ {
			if !yield(k, d.value(j)) {
				return
			}
			j = d.next(j)
		}
	}
}

type parseError struct {
	off  int
	msg  string
	rule Rule // RuleJSON, RuleDepth or RuleSize
}

func (e *parseError) Error() string { return fmt.Sprintf("%s at byte %d", e.msg, e.off) }

// finding is the parse error as the one finding of its payload.
func (e *parseError) finding(w *walker) {
	switch e.rule {
	case RuleSize:
		// Callers may cut a huge input at the limit plus one byte, so say "more than", not a size.
		w.add(RuleSize, SeverityError, e.msg, fmt.Sprintf("at most %d bytes", MaxPayloadBytes), fmt.Sprintf("more than %d bytes", MaxPayloadBytes), "", "")
	case RuleDepth:
		w.add(RuleDepth, SeverityError, "invalid JSON: "+e.Error(), fmt.Sprintf("at most %d levels", MaxDepth), fmt.Sprintf("byte %d", e.off), "", "RFC 8259 § 9")
	default:
		w.add(e.rule, SeverityError, "invalid JSON: "+e.Error(), "valid JSON", fmt.Sprintf("byte %d", e.off), "", "RFC 8259")
	}
}

// parseJSON reads one JSON document of at most MaxPayloadBytes.
func parseJSON(data []byte, maxDepth int) (*document, *parseError) {
	return new(reader).parse(data, maxDepth)
}

// A reader holds what one parse needs. Validate takes one from its Set's pool and gives it back
// when the walk is done, so a steady stream of payloads reuses the tokenizer, the node slice
// and the stack instead of allocating them per payload. Nothing of a document may outlive that.
type reader struct {
	data     []byte
	maxDepth int
	in       bytes.Buffer
	dec      *jsontext.Decoder
	stack    []open
	doc      document
}

// keepNodes bounds the node slice a pooled reader keeps: a rare huge payload must not pin its
// memory for the life of the process.
const keepNodes = 1 << 16

func (s *Set) reader() *reader {
	if r, ok := s.readers.Get().(*reader); ok {
		return r
	}
	return new(reader)
}

func (s *Set) release(r *reader) {
	nodes, strs := r.doc.nodes[:0], r.doc.strs[:0]
	if cap(nodes) > keepNodes {
		nodes = nil
	}
	clear(strs[:cap(strs)])
	if cap(strs) > keepNodes {
		strs = nil
	}
	*r = reader{dec: r.dec, stack: r.stack[:0], doc: document{nodes: nodes, strs: strs}}
	s.readers.Put(r)
}

// estimateNodes bounds a payload's node count from above: every node but the root follows a
// ',', ':', '{' or '['. Over-counting (those bytes inside strings) costs address space, not
// resident memory: a large slice's untouched pages are never faulted in.
func estimateNodes(data []byte) int {
	n := 1 + bytes.Count(data, []byte{','}) + bytes.Count(data, []byte{':'}) +
		bytes.Count(data, []byte{'{'}) + bytes.Count(data, []byte{'['})
	// A value and its separator take at least two bytes.
	return min(n, len(data)/2+2)
}

type open struct {
	node   uint32
	count  uint32 // values read inside: elements, or names and values
	object bool
	maybe  bool   // an object whose filter saw a name's bit twice: it may repeat a name
	filter uint64 // one bit per name hash
}

func (r *reader) parse(data []byte, maxDepth int) (*document, *parseError) {
	if len(data) > MaxPayloadBytes {
		return nil, &parseError{MaxPayloadBytes, fmt.Sprintf("payload is larger than the limit of %d bytes", MaxPayloadBytes), RuleSize}
	}
	r.data, r.maxDepth = data, maxDepth
	d := &r.doc
	d.src = string(data)
	if cap(d.nodes) < len(data)/2+2 {
		if est := estimateNodes(data); cap(d.nodes) < est {
			d.nodes = make([]node, 0, est)
		}
	}
	r.in = *bytes.NewBuffer(data)
	if r.dec == nil {
		r.dec = jsontext.NewDecoder(&r.in, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	} else {
		r.dec.Reset(&r.in, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	}
	dec := r.dec
	stack := r.stack[:0]
	defer func() { r.stack = stack[:0] }()
	for {
		switch k := dec.PeekKind(); k {
		case '{', '[':
			if _, err := dec.ReadToken(); err != nil {
				return nil, r.syntax(err)
			}
			off := int(dec.InputOffset()) - 1
			if len(stack) >= r.maxDepth {
				return nil, &parseError{off, fmt.Sprintf("nesting deeper than %d levels", r.maxDepth), RuleDepth}
			}
			kind := jArray
			if k == '{' {
				kind = jObject
			}
			if len(stack) > 0 {
				stack[len(stack)-1].count++
			}
			stack = append(stack, open{node: uint32(len(d.nodes)), object: k == '{'})
			d.nodes = append(d.nodes, mknode(kind, 0, off))
			continue
		case '}', ']':
			if _, err := dec.ReadToken(); err != nil {
				return nil, r.syntax(err)
			}
			top := &stack[len(stack)-1]
			n := &d.nodes[top.node]
			n.b = uint32(len(d.nodes))
			n.a = top.count
			if top.object {
				n.a /= 2
				if top.maybe && !d.dups {
					d.dups = d.repeats(top.node)
				}
			}
			stack = stack[:len(stack)-1]
		case 0:
			_, err := dec.ReadToken()
			return nil, r.syntax(err)
		default:
			val, err := dec.ReadValue()
			if err != nil {
				return nil, r.syntax(err)
			}
			off := int(dec.InputOffset()) - len(val)
			if perr := r.scalar(k, val, off); perr != nil {
				return nil, perr
			}
			if len(stack) > 0 {
				top := &stack[len(stack)-1]
				if top.object && top.count%2 == 0 {
					bit := uint64(1) << (nameHash(d.str(&d.nodes[len(d.nodes)-1])) & 63)
					top.maybe = top.maybe || top.filter&bit != 0
					top.filter |= bit
				}
				top.count++
			}
		}
		if len(stack) == 0 {
			break
		}
	}
	end := int(dec.InputOffset())
	for i := end; i < len(data); i++ {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return nil, &parseError{i, "unexpected data after the JSON value", RuleJSON}
	}
	return d, nil
}

func (r *reader) scalar(k jsontext.Kind, val []byte, off int) *parseError {
	d := &r.doc
	var n node
	switch k {
	case 'n':
		n = mknode(jNull, 0, off)
	case 't':
		n = mknode(jBool, flagTrue, off)
	case 'f':
		n = mknode(jBool, 0, off)
	case '0':
		n = mknode(jNumber, 0, off)
		n.a = uint32(len(val))
	case '"':
		raw := val[1 : len(val)-1]
		if !utf8.Valid(raw) {
			return &parseError{off + 1 + invalidUTF8At(raw), "invalid UTF-8 in string", RuleJSON}
		}
		n = mknode(jString, 0, off)
		if bytes.IndexByte(raw, '\\') >= 0 {
			// A lone surrogate decodes to U+FFFD, as encoding/json and JSON.parse have it; the
			// validator reports it.
			s, _ := jsontext.AppendUnquote(nil, val)
			if loneSurrogateAt(raw) >= 0 {
				d.surrogates = true
			}
			n = mknode(jString, flagEscaped, off)
			n.b = uint32(len(d.strs))
			d.strs = append(d.strs, string(s))
		}
		n.a = uint32(len(raw))
	}
	d.nodes = append(d.nodes, n)
	return nil
}

// syntax turns a tokenizer error into a parse error at the byte where the input stops being
// JSON: a truncated payload breaks at its end.
func (r *reader) syntax(err error) *parseError {
	end := &parseError{len(r.data), "unexpected end of input (truncated?)", RuleJSON}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return end
	}
	var se *jsontext.SyntacticError
	if errors.As(err, &se) && se.Err != nil {
		off := int(min(se.ByteOffset, int64(len(r.data))))
		if off < len(r.data) && r.data[off] == ',' {
			if rest := bytes.TrimLeft(r.data[off+1:], " \t\r\n"); len(rest) > 0 && (rest[0] == '}' || rest[0] == ']') {
				return &parseError{off, fmt.Sprintf("trailing comma before '%c'", rest[0]), RuleJSON}
			}
		}
		return &parseError{off, se.Err.Error(), RuleJSON}
	}
	return &parseError{len(r.data), err.Error(), RuleJSON}
}

// repeats reports whether the object at node i repeats a name; the parse calls it only for
// objects whose name filter fired. Past 64 members a set keeps a hostile object with many names
// from costing n² compares.
func (d *document) repeats(i uint32) bool {
	n := d.nodes[i].a
	if n > 64 {
		seen := make(map[string]struct{}, n)
		for key := range d.value(i).members() {
			if _, ok := seen[key]; ok {
				return true
			}
			seen[key] = struct{}{}
		}
		return false
	}
	j := i + 1
	for k := uint32(0); k < n; k++ {
		key := d.str(&d.nodes[j])
		for p, m := i+1, uint32(0); m < k; m++ {
			if d.str(&d.nodes[p]) == key {
				return true
			}
			p = d.next(p + 1)
		}
		j = d.next(j + 1)
	}
	return false
}

func nameHash(s string) uint32 {
	h := uint32(len(s))
	if len(s) > 0 {
		h = h*31 + uint32(s[0])
		h = h*31 + uint32(s[len(s)-1])
		h = h*31 + uint32(s[len(s)/2])
	}
	return h ^ h>>7
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return 0
}

// loneSurrogateAt returns the offset in raw (a JSON string's text between its quotes, already
// checked by the tokenizer) of the first \u escape of a surrogate half not paired as UTF-16
// pairs them, or -1.
func loneSurrogateAt[T string | []byte](raw T) int {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		if i+1 < len(raw) && raw[i+1] != 'u' {
			i++ // a one-letter escape, \\ included
			continue
		}
		r := hex4(raw, i+2)
		switch {
		case r >= 0xD800 && r < 0xDC00:
			if lo := hex4(raw, i+8); i+7 < len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' && lo >= 0xDC00 && lo < 0xE000 {
				i += 11
				continue
			}
			return i
		case r >= 0xDC00 && r < 0xE000:
			return i
		}
		i += 5
	}
	return -1
}

func hex4[T string | []byte](b T, at int) rune {
	if at+4 > len(b) {
		return -1
	}
	var r rune
	for k := at; k < at+4; k++ {
		c := b[k]
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return -1
		}
	}
	return r
}
