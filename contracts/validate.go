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
	root, dups, perr := parseJSON(payload, MaxDepth)
	if perr != nil {
		rule := RuleJSON
		if strings.HasPrefix(perr.msg, "nesting deeper") {
			rule = RuleDepth
		}
		w.add(rule, SeverityError, "invalid JSON: "+perr.Error(), "valid JSON", fmt.Sprintf("byte %d", perr.off), "", "RFC 8259")
		return w.result(kind), nil
	}
	if dups {
		w.duplicates(root)
	}
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
	frames   []*FieldCoverage // innermost field being checked, for coverage's failed count
}

func (w *walker) result(k Kind) Result {
	sortFindings(w.findings)
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
	w.findings = append(w.findings, Finding{Pointer: w.pointer(), Rule: rule, Severity: sev, Message: msg, Expected: expected, Actual: actual, Spec: spec, Source: source})
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

func describe(v *jvalue) string {
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
		return fmt.Sprintf("array of %d", len(v.arr))
	}
	return fmt.Sprintf("object with %d fields", len(v.obj))
}

func (t typeSet) accepts(v *jvalue) bool {
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

// isInteger accepts integers as written (21) and integral numbers (21.0, 2.1e1), as JSON
// Schema does.
func isInteger(num string) bool {
	if !strings.ContainsAny(num, ".eE") {
		return true
	}
	f, err := strconv.ParseFloat(num, 64)
	return err == nil && f == float64(int64(f))
}

func isNumeric(s string, integer bool) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	p := &parser{data: []byte(s), src: s}
	if s[0] != '-' && (s[0] < '0' || s[0] > '9') {
		return false
	}
	if _, err := p.number(); err != nil || p.i != len(s) {
		return false
	}
	return !integer || isInteger(s)
}

func (w *walker) walk(s *schema, v *jvalue) { w.check(s, v, nil) }

// check applies s to v. also lists the schemas beside s (its allOf siblings, the oneOf or anyOf
// alternative chosen, their parent) whose declared members count as declared in v.
func (w *walker) check(s *schema, v *jvalue, also []*schema) {
	if s == nil {
		return
	}
	if v.kind == jString && w.redacted(s, v, also) {
		return
	}
	w.apply(s, v, also)
}

func (w *walker) apply(s *schema, v *jvalue, also []*schema) {
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
			for i, el := range v.arr {
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
func (w *walker) coerce(s *schema, v *jvalue) (*jvalue, bool) {
	want := s.types.String()
	if v.kind == jString {
		if q := s.quirk("numeric-string"); q != nil && s.types&(tInteger|tNumber) != 0 && isNumeric(v.s, s.types&tNumber == 0) {
			if !w.quirkFinding(q, RuleQuirkNumericString, RuleType, s, fmt.Sprintf("expected %s, got the numeric string %q", want, v.s), want, describe(v)) {
				return v, false
			}
			return &jvalue{kind: jNumber, s: v.s, off: v.off}, true
		}
		if q := s.quirk("boolean-string"); q != nil && s.types&tBool != 0 && (v.s == "true" || v.s == "false") {
			if !w.quirkFinding(q, RuleQuirkBooleanString, RuleType, s, fmt.Sprintf("expected boolean, got the string %q", v.s), want, describe(v)) {
				return v, false
			}
			return &jvalue{kind: jBool, b: v.s == "true", off: v.off}, true
		}
		if q := s.quirk("json-string"); q != nil && s.types&(tArray|tObject) != 0 {
			inner, _, perr := parseJSON([]byte(v.s), MaxDepth)
			if perr == nil && s.types.accepts(inner) {
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
		return &jvalue{kind: jString, s: v.s, off: v.off}, true
	}
	if q := s.quirk("null"); q != nil && v.kind == jNull {
		return v, w.quirkFinding(q, RuleQuirkNull, RuleType, s, fmt.Sprintf("expected %s, got null", want), want, "null")
	}
	w.add(RuleType, SeverityError, fmt.Sprintf("expected %s, got %s", want, describe(v)), want, describe(v), s.spec, s.source)
	return v, false
}

func describeOpt(v *jvalue) string {
	if v == nil {
		return "missing"
	}
	return describe(v)
}

func (w *walker) object(s *schema, v *jvalue, also []*schema) {
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
	for _, m := range v.obj {
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

func (w *walker) member(p *prop, val *jvalue, cov *SchemaCoverage, i int) {
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

func (w *walker) str(s *schema, v *jvalue) {
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
func (w *walker) literals(s *schema, v *jvalue) bool {
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

func literalEquals(l literal, v *jvalue) bool {
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

// duplicates reports every repeated key, at the pointer of the repeat.
func (w *walker) duplicates(v *jvalue) {
	switch v.kind {
	case jObject:
		seen := make(map[string]bool, len(v.obj))
		for _, m := range v.obj {
			w.path = append(w.path, m.key)
			if seen[m.key] {
				w.add(RuleDuplicateKey, SeverityError, fmt.Sprintf("key %s appears more than once; readers disagree on which value wins", m.key), "unique keys", "duplicate", "", "RFC 8259 § 4")
			}
			seen[m.key] = true
			w.duplicates(m.val)
			w.path = w.path[:len(w.path)-1]
		}
	case jArray:
		for i, el := range v.arr {
			w.path = append(w.path, strconv.Itoa(i))
			w.duplicates(el)
			w.path = w.path[:len(w.path)-1]
		}
	}
}
