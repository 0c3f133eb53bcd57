package contracts

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// The validator parses JSON itself rather than through encoding/json because it needs what
// encoding/json throws away: byte offsets for errors, duplicate keys, member order, the raw
// text of numbers (so 21 and 21.0 and 1e400 are judged as written) and a depth bound that
// holds before any recursion can blow the stack.

type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

func (k jkind) String() string {
	return [...]string{"null", "boolean", "number", "string", "array", "object"}[k]
}

type jvalue struct {
	kind jkind
	b    bool
	s    string // string value, or the number as written
	arr  []*jvalue
	obj  []jmember
	off  int // byte offset where the value starts
}

type jmember struct {
	key string
	val *jvalue
}

// get returns the last member named key: the one JSON.parse and most decoders keep.
func (v *jvalue) get(key string) *jvalue {
	if v == nil || v.kind != jObject {
		return nil
	}
	for i := len(v.obj) - 1; i >= 0; i-- {
		if v.obj[i].key == key {
			return v.obj[i].val
		}
	}
	return nil
}

type parseError struct {
	off int
	msg string
}

func (e *parseError) Error() string { return fmt.Sprintf("%s at byte %d", e.msg, e.off) }

type parser struct {
	data     []byte
	src      string // data as one string: values without escapes are substrings of it, not copies
	i        int
	maxDepth int
	slab     []jvalue
	dups     bool // some object repeats a key: the caller then looks for them
	depthErr bool
}

func (p *parser) alloc() *jvalue {
	if len(p.slab) == 0 {
		// Values come from chunks so a payload costs a handful of allocations, not one per value;
		// chunks are never grown in place, so pointers into them stay valid.
		p.slab = make([]jvalue, 256)
	}
	v := &p.slab[0]
	p.slab = p.slab[1:]
	return v
}

// parseJSON parses one JSON document. On error it returns the offset and reason.
func parseJSON(data []byte, maxDepth int) (*jvalue, bool, *parseError) {
	p := &parser{data: data, src: string(data), maxDepth: maxDepth}
	// Every value but the root follows a comma or opens a container's first slot, so this
	// bounds the values of a typical payload and one allocation holds them all; a large
	// payload gets the bounded first chunk and then more as it goes.
	est := bytes.Count(data, []byte{','}) + bytes.Count(data, []byte{'{'}) + bytes.Count(data, []byte{'['}) + 1
	p.slab = make([]jvalue, min(est, 4096))
	p.ws()
	v, err := p.value(0)
	if err != nil {
		return nil, p.dups, err
	}
	p.ws()
	if p.i != len(p.data) {
		return nil, p.dups, &parseError{p.i, "unexpected data after the JSON value"}
	}
	return v, p.dups, nil
}

func (p *parser) ws() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) fail(msg string) *parseError {
	if p.i >= len(p.data) {
		return &parseError{len(p.data), "unexpected end of input (truncated?)"}
	}
	return &parseError{p.i, msg}
}

func (p *parser) value(depth int) (*jvalue, *parseError) {
	if p.i >= len(p.data) {
		return nil, p.fail("")
	}
	switch c := p.data[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		v := p.alloc()
		v.kind, v.off = jString, p.i
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		v.s = s
		return v, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", jBool, true)
	case c == 'f':
		return p.literal("false", jBool, false)
	case c == 'n':
		return p.literal("null", jNull, false)
	default:
		return nil, p.fail(fmt.Sprintf("unexpected character %s", quoteByte(c)))
	}
}

func quoteByte(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("0x%02x", c)
	}
	return strconv.QuoteRune(rune(c))
}

func (p *parser) literal(word string, k jkind, b bool) (*jvalue, *parseError) {
	if len(p.data)-p.i < len(word) || string(p.data[p.i:p.i+len(word)]) != word {
		return nil, p.fail("invalid literal (expected " + word + ")")
	}
	v := p.alloc()
	v.kind, v.b, v.off = k, b, p.i
	p.i += len(word)
	return v, nil
}

func (p *parser) number() (*jvalue, *parseError) {
	start := p.i
	if p.data[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i < len(p.data) && p.data[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return nil, p.fail("invalid number")
	}
	if p.i < len(p.data) && p.data[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return nil, p.fail("invalid number: digits expected after '.'")
		}
	}
	if p.i < len(p.data) && (p.data[p.i] == 'e' || p.data[p.i] == 'E') {
		p.i++
		if p.i < len(p.data) && (p.data[p.i] == '+' || p.data[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, p.fail("invalid number: digits expected in exponent")
		}
	}
	v := p.alloc()
	v.kind, v.s, v.off = jNumber, p.src[start:p.i], start
	return v, nil
}

func (p *parser) str() (string, *parseError) {
	p.i++ // opening quote
	start := p.i
	// Fast path: no escapes, ASCII or valid UTF-8.
	for p.i < len(p.data) {
		c := p.data[p.i]
		if c == '"' {
			if !utf8.Valid(p.data[start:p.i]) {
				return "", p.badUTF8(start)
			}
			p.i++
			return p.src[start : p.i-1], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.fail("control character in string (must be escaped)")
		}
		p.i++
	}
	if p.i >= len(p.data) {
		return "", &parseError{len(p.data), "unterminated string (truncated?)"}
	}
	buf := make([]byte, 0, p.i-start+16)
	buf = append(buf, p.data[start:p.i]...)
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			if !utf8.Valid(buf) {
				return "", p.badUTF8(start)
			}
			p.i++
			return string(buf), nil
		case c < 0x20:
			return "", p.fail("control character in string (must be escaped)")
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(p.data) {
			break
		}
		e := p.data[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.fail("invalid \\u escape")
			}
			if r >= 0xD800 && r < 0xDC00 && p.i+1 < len(p.data) && p.data[p.i] == '\\' && p.data[p.i+1] == 'u' {
				save := p.i
				p.i += 2
				if r2, ok := p.hex4(); ok && r2 >= 0xDC00 && r2 < 0xE000 {
					r = (r-0xD800)<<10 + (r2 - 0xDC00) + 0x10000
				} else {
					p.i = save
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			p.i--
			return "", p.fail("invalid escape sequence")
		}
	}
	return "", &parseError{len(p.data), "unterminated string (truncated?)"}
}

func (p *parser) badUTF8(start int) *parseError {
	seg := p.data[start:]
	for j := 0; j < len(seg); {
		r, size := utf8.DecodeRune(seg[j:])
		if r == utf8.RuneError && size <= 1 {
			return &parseError{start + j, "invalid UTF-8 in string"}
		}
		j += size
	}
	return &parseError{start, "invalid UTF-8 in string"}
}

func (p *parser) hex4() (rune, bool) {
	if len(p.data)-p.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.i : p.i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

func (p *parser) array(depth int) (*jvalue, *parseError) {
	if depth > p.maxDepth {
		p.depthErr = true
		return nil, p.fail(fmt.Sprintf("nesting deeper than %d levels", p.maxDepth))
	}
	v := p.alloc()
	v.kind, v.off = jArray, p.i
	p.i++
	p.ws()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return v, nil
	}
	for {
		p.ws()
		el, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		v.arr = append(v.arr, el)
		p.ws()
		if p.i >= len(p.data) {
			return nil, p.fail("")
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return v, nil
		default:
			return nil, p.fail("expected ',' or ']' in array")
		}
	}
}

func (p *parser) object(depth int) (*jvalue, *parseError) {
	if depth > p.maxDepth {
		p.depthErr = true
		return nil, p.fail(fmt.Sprintf("nesting deeper than %d levels", p.maxDepth))
	}
	v := p.alloc()
	v.kind, v.off = jObject, p.i
	p.i++
	p.ws()
	var keys map[string]struct{}
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return v, nil
	}
	for {
		p.ws()
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			return nil, p.fail("expected a string key in object")
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return nil, p.fail("expected ':' after object key")
		}
		p.i++
		p.ws()
		el, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		if !p.dups {
			// A scan is cheapest for the small objects payloads are made of; past a few dozen
			// members a set keeps a hostile object with many keys from costing n² compares.
			if keys != nil {
				if _, ok := keys[key]; ok {
					p.dups = true
				}
				keys[key] = struct{}{}
			} else {
				for _, m := range v.obj {
					if m.key == key {
						p.dups = true
						break
					}
				}
				if len(v.obj) == 32 {
					keys = make(map[string]struct{}, 64)
					for _, m := range v.obj {
						keys[m.key] = struct{}{}
					}
					keys[key] = struct{}{}
				}
			}
		}
		if v.obj == nil {
			v.obj = make([]jmember, 0, 16) // payload objects are rarely smaller; fewer regrowths
		}
		v.obj = append(v.obj, jmember{key, el})
		p.ws()
		if p.i >= len(p.data) {
			return nil, p.fail("")
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return v, nil
		default:
			return nil, p.fail("expected ',' or '}' in object")
		}
	}
}
