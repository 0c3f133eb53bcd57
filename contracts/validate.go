package contracts

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Profile chooses how strictly types are read.
type Profile string

const (
	// ProfileCompat also accepts the variants Juspay's own samples show (named quirks), as
	// warnings, and reports undeclared fields as warnings.
	ProfileCompat Profile = "compat"
	// ProfileStrict accepts exactly the documented types; quirks and undeclared fields are errors.
	ProfileStrict Profile = "strict"
)

// ParseProfile reads a profile name.
func ParseProfile(s string) (Profile, error) {
	switch Profile(s) {
	case ProfileCompat, ProfileStrict:
		return Profile(s), nil
	}
	return "", fmt.Errorf("unknown profile %q (want compat or strict)", s)
}

// Limits bound what one payload may cost.
const (
	// MaxPayloadBytes is the largest payload validated; larger ones get a size finding.
	MaxPayloadBytes = 8 << 20
	// MaxDepth is the deepest nesting of arrays and objects accepted.
	MaxDepth = 64
)

// Options tune one validation.
type Options struct {
	Profile Profile
	// Coverage, when set, records which declared fields the payload carried.
	Coverage *Coverage
	// Request marks a payload sent to Juspay rather than by it: card numbers are expected there,
	// so the PCI rules do not run.
	Request bool
}

// Validate checks payload as kind (KindAuto detects it) and returns every finding, sorted by
// pointer. An unknown kind is the only error; anything wrong with the payload is a finding.
func (s *Set) Validate(kind Kind, payload []byte, opts Options) (Result, error) {
	if kind == "" {
		kind = KindAuto
	}
	if kind != KindAuto {
		if _, ok := s.kinds[kind]; !ok {
			return Result{}, fmt.Errorf("%w %q", ErrUnknownKind, kind)
		}
	}
	w := &walker{set: s, strict: opts.Profile == ProfileStrict, cov: opts.Coverage}
	if len(payload) > MaxPayloadBytes {
		// Callers may cut a huge input at the limit plus one byte, so say "more than", not a size.
		w.add(RuleSize, SeverityError, fmt.Sprintf("payload is larger than the limit of %d bytes", MaxPayloadBytes), fmt.Sprintf("at most %d bytes", MaxPayloadBytes), fmt.Sprintf("more than %d bytes", MaxPayloadBytes), "", "")
		return w.result(kind), nil
	}
	r := s.reader()
	defer s.release(r)
	doc, perr := r.parse(payload, MaxDepth)
	if perr != nil {
		perr.finding(w)
		return w.result(kind), nil
	}
	root := doc.root()
	w.reading(doc)
	if kind == KindAuto {
		k, ok := detect(root)
		if !ok {
			w.add(RuleType, SeverityError, "cannot tell which contract this payload is: pass --kind", "a payload of a known kind", root.kind.String(), "", "")
			return w.result(kind), nil
		}
		kind = k
	}
	w.walk(s.kinds[kind], root)
	if !opts.Request {
		w.pci(root)
	}
	return w.result(kind), nil
}

type walker struct {
	set      *Set
	strict   bool
	cov      *Coverage
	path     []string
	findings []Finding
	unlisted unlisted         // findings past MaxFindings: counted, not kept
	frames   []*FieldCoverage // innermost field being checked, for coverage's failed count
}

func (w *walker) result(k Kind) Result {
	sortFindings(w.findings)
	w.listLimit()
	r := Result{Kind: k, Findings: w.findings}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	r.Valid = r.Errors() == 0
	return r
}

func (w *walker) pointer() string {
	if len(w.path) == 0 {
		return ""
	}
	n := 0
	for _, p := range w.path {
		n += len(p) + 1
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range w.path {
		b.WriteByte('/')
		b.WriteString(escapePointer(p))
	}
	return b.String()
}

func (w *walker) add(rule Rule, sev Severity, msg, expected, actual, spec, source string) {
	if w.unlisted.count(sev, len(w.findings)) {
		w.findings = append(w.findings, Finding{Pointer: w.pointer(), Rule: rule, Severity: sev, Message: msg, Expected: expected, Actual: actual, Spec: spec, Source: source})
	}
	if sev == SeverityError && len(w.frames) > 0 {
		if f := w.frames[len(w.frames)-1]; f != nil {
			f.Failed++
		}
	}
}

// quirkFinding reports a quirk: a warning under compat, the plain rule as an error under strict.
// It returns whether the value is accepted.
func (w *walker) quirkFinding(q *quirk, rule, strictRule Rule, s *schema, msg, expected, actual string) bool {
	if w.strict {
		w.add(strictRule, SeverityError, msg+" (compat accepts it as quirk "+q.name+")", expected, actual, s.spec, s.source)
		return false
	}
	src := q.source
	if src == "" {
		src = s.source
	}
	w.add(rule, SeverityWarning, msg+" (quirk "+q.name+")", expected, actual, s.spec, src)
	return true
}

func describe(v jvalue) string {
	switch v.kind {
	case jString:
		s := v.s
		if utf8.RuneCountInString(s) > 40 {
			s = string([]rune(s)[:40]) + "…"
		}
		return "string " + strconv.Quote(s)
	case jNumber:
		return "number " + v.s
	case jBool:
		return "boolean " + strconv.FormatBool(v.b)
	case jNull:
		return "null"
	case jArray:
		return fmt.Sprintf("array of %d", v.len())
	}
	return fmt.Sprintf("object with %d fields", v.len())
}

func (t typeSet) accepts(v jvalue) bool {
	switch v.kind {
	case jNull:
		return t&tNull != 0
	case jBool:
		return t&tBool != 0
	case jString:
		return t&tString != 0
	case jArray:
		return t&tArray != 0
	case jObject:
		return t&tObject != 0
	case jNumber:
		if t&tNumber != 0 {
			return true
		}
		return t&tInteger != 0 && isInteger(v.s)
	}
	return false
}

func (w *walker) walk(s *schema, v jvalue) { w.check(s, v, nil) }

// check applies s to v. also lists the schemas beside s (its allOf siblings, the oneOf or anyOf
// alternative chosen, their parent) whose declared members count as declared in v.
func (w *walker) check(s *schema, v jvalue, also []*schema) {
	if s == nil {
		return
	}
	if v.kind == jString && w.redacted(s, v, also) {
		return
	}
	w.apply(s, v, also)
}

func (w *walker) apply(s *schema, v jvalue, also []*schema) {
	if s.types != 0 && !s.types.accepts(v) {
		var ok bool
		if v, ok = w.coerce(s, v); !ok {
			return
		}
	}
	// Alternatives first: the members the chosen one declares are not undeclared in s.
	besides := append(append(also[:len(also):len(also)], s), s.allOf...)
	chosen := w.alternatives(s, v, besides)
	own := append(append(also[:len(also):len(also)], s.allOf...), chosen...)
	switch v.kind {
	case jObject:
		w.object(s, v, own)
	case jArray:
		if s.items != nil {
			for i, el := range v.elems() {
				w.path = append(w.path, strconv.Itoa(i))
				w.walk(s.items, el)
				w.path = w.path[:len(w.path)-1]
			}
		} else {
			w.unchecked(v)
		}
	case jString:
		w.str(s, v)
	case jNumber, jBool, jNull:
		w.literals(s, v)
	}
	w.limits(s, v)
	for i, b := range s.allOf {
		sib := append(append(also[:len(also):len(also)], s), chosen...)
		for j, o := range s.allOf {
			if j != i {
				sib = append(sib, o)
			}
		}
		w.check(b, v, sib)
	}
	if s.not != nil {
		w.not(s, v)
	}
	for _, name := range s.invariants {
		invariants[name](w, s, v)
	}
}

// coerce applies the quirk that lets a value of the wrong JSON type stand, and returns the value
// to go on checking; false when it does not stand.
func (w *walker) coerce(s *schema, v jvalue) (jvalue, bool) {
	want := s.types.String()
	if v.kind == jString {
		if q := s.quirk("numeric-string"); q != nil && s.types&(tInteger|tNumber) != 0 && isNumeric(v.s, s.types&tNumber == 0) {
			if !w.quirkFinding(q, RuleQuirkNumericString, RuleType, s, fmt.Sprintf("expected %s, got the numeric string %q", want, v.s), want, describe(v)) {
				return v, false
			}
			return jvalue{kind: jNumber, s: v.s}, true
		}
		if q := s.quirk("boolean-string"); q != nil && s.types&tBool != 0 && (v.s == "true" || v.s == "false") {
			if !w.quirkFinding(q, RuleQuirkBooleanString, RuleType, s, fmt.Sprintf("expected boolean, got the string %q", v.s), want, describe(v)) {
				return v, false
			}
			return jvalue{kind: jBool, b: v.s == "true"}, true
		}
		if q := s.quirk("json-string"); q != nil && s.types&(tArray|tObject) != 0 {
			if doc, perr := parseJSON([]byte(v.s), MaxDepth); perr == nil && s.types.accepts(doc.root()) {
				inner := doc.root()
				if !w.quirkFinding(q, RuleQuirkJSONString, RuleType, s, fmt.Sprintf("expected %s, got a string holding JSON", want), want, "JSON-encoded string") {
					return v, false
				}
				return inner, true
			}
		}
	}
	if q := s.quirk("json-number"); q != nil && v.kind == jNumber && s.types&tString != 0 {
		if !w.quirkFinding(q, RuleQuirkJSONNumber, RuleType, s, fmt.Sprintf("expected %s, got the number %s", want, v.s), want, describe(v)) {
			return v, false
		}
		return jvalue{kind: jString, s: v.s}, true
	}
	if q := s.quirk("null"); q != nil && v.kind == jNull {
		return v, w.quirkFinding(q, RuleQuirkNull, RuleType, s, fmt.Sprintf("expected %s, got null", want), want, "null")
	}
	w.add(RuleType, SeverityError, fmt.Sprintf("expected %s, got %s", want, describe(v)), want, describe(v), s.spec, s.source)
	return v, false
}

func describeOpt(v jvalue) string {
	if !v.ok() {
		return "missing"
	}
	return describe(v)
}

func (w *walker) object(s *schema, v jvalue, also []*schema) {
	var cov *SchemaCoverage
	if w.cov != nil && s.props != nil {
		cov = w.cov.schema(s)
	}
	var seenBuf [64]bool
	var seen []bool
	if len(s.propList) <= len(seenBuf) {
		seen = seenBuf[:len(s.propList)]
	} else {
		seen = make([]bool, len(s.propList))
	}
	for key, val := range v.members() {
		m := jmember{key, val}
		w.path = append(w.path, m.key)
		if i, ok := s.props[m.key]; ok {
			seen[i] = true
			w.member(s.propList[i], m.val, cov, i)
		} else if !declaredBy(also, m.key) {
			w.undeclared(s, m, seen, cov)
		}
		w.path = w.path[:len(w.path)-1]
	}
	for i, p := range s.propList {
		if p.required && !seen[i] {
			w.path = append(w.path, p.name)
			w.add(RuleRequired, SeverityError, fmt.Sprintf("required field %s is missing", p.name), "present", "missing", p.spec, p.source)
			if cov != nil {
				cov.Fields[i].Failed++
			}
			w.path = w.path[:len(w.path)-1]
		}
	}
}

func (w *walker) member(p *prop, val jvalue, cov *SchemaCoverage, i int) {
	var f *FieldCoverage
	if cov != nil {
		f = &cov.Fields[i]
		f.Seen++
		f.Checked++
	}
	w.frames = append(w.frames, f)
	w.walk(p.schema, val)
	w.frames = w.frames[:len(w.frames)-1]
}

// undeclared handles a member the schema does not list by name. It returns true when the member
// is allowed without a finding.
func (w *walker) undeclared(s *schema, m jmember, seen []bool, cov *SchemaCoverage) bool {
	for _, pp := range s.patternProps {
		if pp.re.MatchString(m.key) {
			w.walk(pp.schema, m.val)
			return true
		}
	}
	if s.additional != nil {
		w.walk(s.additional, m.val)
		return true
	}
	if s.additionalAny || s.props == nil && s.types&tObject == 0 {
		w.unchecked(m.val)
		return true
	}
	for i := range s.quirks {
		q := &s.quirks[i]
		if q.name != "field-alias" || q.from != m.key {
			continue
		}
		if j, ok := s.props[q.to]; ok && !seen[j] {
			msg := fmt.Sprintf("field %s stands for %s", q.from, q.to)
			if w.quirkFinding(q, RuleQuirkFieldAlias, RuleUndeclared, s, msg, q.to, q.from) {
				seen[j] = true
				w.member(s.propList[j], m.val, cov, j)
			}
			return false
		}
	}
	sev := SeverityWarning
	if w.strict {
		sev = SeverityError
	}
	w.add(RuleUndeclared, sev, fmt.Sprintf("field %s is not declared by the spec", m.key), "a declared field", describe(m.val), s.spec, s.source)
	w.unchecked(m.val)
	return false
}

func (w *walker) str(s *schema, v jvalue) {
	if v.s == "null" {
		if q := s.quirk("null-string"); q != nil {
			w.quirkFinding(q, RuleQuirkNullString, RuleFormat, s, `the string "null" stands for no value`, "a value or no field", describe(v))
			return
		}
	}
	if !w.literals(s, v) {
		return
	}
	if s.format != "" && v.s != "" {
		if ok, want := checkFormat(s.format, v.s); !ok {
			source := s.source
			if fs := formatSources[s.format]; fs != "" {
				source += "; shape: " + fs
			}
			w.add(RuleFormat, SeverityError, fmt.Sprintf("%q is not a valid %s", clip(v.s), s.format), want, describe(v), s.spec, source)
		}
	}
	if s.pattern != nil && !s.pattern.MatchString(v.s) {
		w.add(RulePattern, SeverityError, fmt.Sprintf("%q does not match %s", clip(v.s), s.pattern), "pattern "+s.pattern.String(), describe(v), s.spec, s.source)
	}
	if s.maxLength >= 0 {
		if n := utf8.RuneCountInString(v.s); n > s.maxLength {
			w.add(RuleMaxLength, SeverityError, fmt.Sprintf("%d characters; at most %d allowed", n, s.maxLength), fmt.Sprintf("at most %d characters", s.maxLength), fmt.Sprintf("%d characters", n), s.spec, s.source)
		}
	}
}

func clip(s string) string {
	if utf8.RuneCountInString(s) > 60 {
		return string([]rune(s)[:60]) + "…"
	}
	return s
}

// literals checks enum and const; false when the value failed them.
func (w *walker) literals(s *schema, v jvalue) bool {
	ok := true
	if s.constVal != nil && !literalEquals(*s.constVal, v) {
		w.add(RuleConst, SeverityError, fmt.Sprintf("must be %s", s.constVal), s.constVal.String(), describe(v), s.spec, s.source)
		ok = false
	}
	if len(s.enum) > 0 {
		for _, l := range s.enum {
			if literalEquals(l, v) {
				return ok
			}
		}
		if v.kind == jString {
			for i := range s.quirks {
				q := &s.quirks[i]
				if q.name == "enum-alias" && q.from == v.s {
					return w.quirkFinding(q, RuleQuirkEnumAlias, RuleEnum, s, fmt.Sprintf("%q stands for %q", v.s, q.to), q.to, describe(v)) && ok
				}
			}
		}
		w.add(RuleEnum, SeverityError, fmt.Sprintf("%s is not one of %s", describe(v), enumList(s.enum)), enumList(s.enum), describe(v), s.spec, s.source)
		return false
	}
	return ok
}

func literalEquals(l literal, v jvalue) bool {
	if l.kind != v.kind {
		return false
	}
	switch v.kind {
	case jString:
		return l.s == v.s
	case jNumber:
		return l.s == canonicalNumber(v.s)
	case jBool:
		return l.b == v.b
	}
	return true
}

func enumList(ls []literal) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.String()
	}
	if len(parts) > 12 {
		return strings.Join(parts[:12], ", ") + fmt.Sprintf(" … (%d values)", len(parts))
	}
	return strings.Join(parts, ", ")
}

// duplicates reports every repeated key, at the pointer and byte offset of the repeat.
func (w *walker) duplicates(v jvalue) {
	switch v.kind {
	case jObject:
		seen := make(map[string]bool, v.len())
		d := v.d
		j := v.i + 1
		for n := v.len(); n > 0; n-- {
			key := d.str(&d.nodes[j])
			w.path = append(w.path, key)
			if seen[key] {
				w.add(RuleDuplicateKey, SeverityError, fmt.Sprintf("key %s appears more than once (again at byte %d); readers disagree on which value wins", key, d.nodes[j].off()), "unique keys", "duplicate", "", "RFC 8259 § 4")
			}
			seen[key] = true
			w.duplicates(d.value(j + 1))
			w.path = w.path[:len(w.path)-1]
			j = d.next(j + 1)
		}
	case jArray:
		for i, el := range v.elems() {
			w.path = append(w.path, strconv.Itoa(i))
			w.duplicates(el)
			w.path = w.path[:len(w.path)-1]
		}
	}
}

// surrogates reports every string, value or key, that holds a lone surrogate escape: valid
// JSON text, but no Unicode text; readers replace it, drop it or fail (RFC 8259 § 8.2).
func (w *walker) surrogates(v jvalue) {
	report := func(n *node, what string) {
		raw := v.d.raw(n)
		k := loneSurrogateAt(raw)
		at := int(n.off()) + 1 + k
		w.add(RuleLoneSurrogate, SeverityError, fmt.Sprintf("%s holds a lone UTF-16 surrogate %s at byte %d; readers replace it, drop it or fail", what, raw[k:k+6], at), "Unicode text (surrogates only in pairs)", fmt.Sprintf("byte %d", at), "", "RFC 8259 § 8.2")
	}
	switch v.kind {
	case jString:
		if n := &v.d.nodes[v.i]; n.flags()&flagEscaped != 0 && loneSurrogateAt(v.d.raw(n)) >= 0 {
			report(n, "the string")
		}
	case jObject:
		d := v.d
		j := v.i + 1
		for n := v.len(); n > 0; n-- {
			key := &d.nodes[j]
			w.path = append(w.path, d.str(key))
			if key.flags()&flagEscaped != 0 && loneSurrogateAt(d.raw(key)) >= 0 {
				report(key, "the member name")
			}
			w.surrogates(d.value(j + 1))
			w.path = w.path[:len(w.path)-1]
			j = d.next(j + 1)
		}
	case jArray:
		for i, el := range v.elems() {
			w.path = append(w.path, strconv.Itoa(i))
			w.surrogates(el)
			w.path = w.path[:len(w.path)-1]
		}
	}
}

// reading reports what the reader found but did not refuse: repeated names, lone surrogates.
func (w *walker) reading(doc *document) {
	if doc.dups {
		w.duplicates(doc.root())
	}
	if doc.surrogates {
		w.surrogates(doc.root())
	}
}
