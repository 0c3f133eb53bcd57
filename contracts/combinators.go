package contracts

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A trial applies a schema to a value on a scratch walker, to learn whether it fits before any
// finding of it reaches the payload's result.
type trial struct {
	alt        *schema
	findings   []Finding
	errs       int // error findings, undeclared ones included
	undeclared int // undeclared findings of any severity
}

func (w *walker) try(alt *schema, v *jvalue, also []*schema) trial {
	sub := w.scratch()
	sub.check(alt, v, also)
	return sub.trial(alt)
}

func (w *walker) scratch() *walker {
	return &walker{set: w.set, strict: w.strict, path: append([]string(nil), w.path...)}
}

func (sub *walker) trial(alt *schema) trial {
	t := trial{alt: alt, findings: sub.findings}
	for _, f := range sub.findings {
		if f.Severity == SeverityError {
			t.errs++
		}
		if f.Rule == RuleUndeclared {
			t.undeclared++
		}
	}
	return t
}

// alternatives applies oneOf and anyOf and returns the alternatives whose declared members count
// as declared in v: the ones that matched, or the closest one when none did.
func (w *walker) alternatives(s *schema, v *jvalue, besides []*schema) []*schema {
	var chosen []*schema
	if len(s.oneOf) > 0 {
		chosen = append(chosen, w.oneOf(s, v, besides)...)
	}
	if len(s.anyOf) > 0 {
		chosen = append(chosen, w.anyOf(s, v, besides)...)
	}
	return chosen
}

func (w *walker) anyOf(s *schema, v *jvalue, besides []*schema) []*schema {
	var best *trial
	for _, alt := range s.anyOf {
		t := w.try(alt, v, besides)
		if t.errs == 0 {
			w.check(alt, v, besides) // again, with coverage
			return []*schema{alt}
		}
		if best == nil || closer(t, *best) {
			best = &t
		}
	}
	w.findings = append(w.findings, best.findings...)
	w.countFailed(best.errs)
	return []*schema{best.alt}
}

// oneOf means exactly one alternative. Under compat, where undeclared fields are only warnings,
// an alternative that declares every field of the value beats one that does not, so a payload is
// not ambiguous merely because a smaller alternative also fits it; strict needs no such rule.
func (w *walker) oneOf(s *schema, v *jvalue, besides []*schema) []*schema {
	if s.discProp != "" && v.kind == jObject {
		d := v.get(s.discProp)
		if d != nil && d.kind == jString {
			if alt, ok := s.discMap[d.s]; ok {
				w.check(alt, v, besides)
				return []*schema{alt}
			}
		}
		w.path = append(w.path, s.discProp)
		w.add(RuleEnum, SeverityError, fmt.Sprintf("%s does not name a known variant", s.discProp), fmt.Sprintf("one of %d variants", len(s.discMap)), describeOpt(d), s.spec, s.source)
		w.path = w.path[:len(w.path)-1]
		return nil
	}
	var pass []trial
	var best *trial
	for _, alt := range s.oneOf {
		t := w.try(alt, v, besides)
		if t.errs == 0 {
			pass = append(pass, t)
		} else if best == nil || closer(t, *best) {
			best = &t
		}
	}
	if len(pass) > 1 && !w.strict {
		var exact []trial
		for _, t := range pass {
			if t.undeclared == 0 {
				exact = append(exact, t)
			}
		}
		if len(exact) == 1 {
			pass = exact
		}
	}
	switch len(pass) {
	case 0:
		w.findings = append(w.findings, best.findings...)
		w.countFailed(best.errs)
		return []*schema{best.alt}
	case 1:
		w.check(pass[0].alt, v, besides) // again, with coverage
		return []*schema{pass[0].alt}
	}
	names := make([]string, len(pass))
	out := make([]*schema, len(pass))
	for i, t := range pass {
		names[i] = altName(t.alt)
		out[i] = t.alt
	}
	w.add(RuleOneOf, SeverityError, fmt.Sprintf("matches %d alternatives (%s); oneOf allows exactly one", len(pass), strings.Join(names, ", ")), "exactly one alternative", fmt.Sprintf("%d alternatives", len(pass)), s.spec, s.source)
	return out
}

// closer prefers fewer errors, then fewer findings.
func closer(a, b trial) bool {
	if a.errs != b.errs {
		return a.errs < b.errs
	}
	return len(a.findings) < len(b.findings)
}

func altName(s *schema) string {
	if s.name != "" {
		return s.name
	}
	return s.spec
}

// countFailed credits errors copied from a trial to the field being checked, for coverage.
func (w *walker) countFailed(n int) {
	if n > 0 && len(w.frames) > 0 {
		if f := w.frames[len(w.frames)-1]; f != nil {
			f.Failed += n
		}
	}
}

// not fails when the value meets the schema. Undeclared fields do not count against the match:
// not: {required: [x]} means "x is absent", whatever else the object holds.
func (w *walker) not(s *schema, v *jvalue) {
	t := w.try(s.not, v, nil)
	if t.errs-t.undeclaredErrors() == 0 {
		w.add(RuleNot, SeverityError, fmt.Sprintf("matches %s, which the spec forbids", altName(s.not)), "not "+altName(s.not), describe(v), s.spec, s.source)
	}
}

func (t trial) undeclaredErrors() int {
	n := 0
	for _, f := range t.findings {
		if f.Rule == RuleUndeclared && f.Severity == SeverityError {
			n++
		}
	}
	return n
}

// declaredBy says whether any of the schemas (or the allOf branches inside them) declares key.
func declaredBy(also []*schema, key string) bool {
	for _, s := range also {
		if declares(s, key, 0) {
			return true
		}
	}
	return false
}

func declares(s *schema, key string, depth int) bool {
	if s == nil || depth > 16 {
		return false
	}
	if _, ok := s.props[key]; ok || s.additional != nil || s.additionalAny {
		return true
	}
	for _, pp := range s.patternProps {
		if pp.re.MatchString(key) {
			return true
		}
	}
	for _, b := range s.allOf {
		if declares(b, key, depth+1) {
			return true
		}
	}
	return false
}

// limits checks the numeric and size keywords.
func (w *walker) limits(s *schema, v *jvalue) {
	l := s.limits
	if l == nil {
		return
	}
	switch v.kind {
	case jNumber:
		w.bound(s, v, l.minimum, RuleMinimum, func(c int) bool { return c < 0 }, "at least")
		w.bound(s, v, l.exclMinimum, RuleMinimum, func(c int) bool { return c <= 0 }, "greater than")
		w.bound(s, v, l.maximum, RuleMaximum, func(c int) bool { return c > 0 }, "at most")
		w.bound(s, v, l.exclMaximum, RuleMaximum, func(c int) bool { return c >= 0 }, "less than")
		if l.multipleOf != "" {
			if ok, known := isMultipleOf(v.s, l.multipleOf); known && !ok {
				w.add(RuleMultipleOf, SeverityError, fmt.Sprintf("%s is not a multiple of %s", v.s, l.multipleOf), "a multiple of "+l.multipleOf, describe(v), s.spec, s.source)
			}
		}
	case jString:
		if n := utf8.RuneCountInString(v.s); n < l.minLength {
			w.add(RuleMinLength, SeverityError, fmt.Sprintf("%d characters; at least %d required", n, l.minLength), fmt.Sprintf("at least %d characters", l.minLength), fmt.Sprintf("%d characters", n), s.spec, s.source)
		}
	case jArray:
		n := len(v.arr)
		if n < l.minItems {
			w.add(RuleMinItems, SeverityError, fmt.Sprintf("%d items; at least %d required", n, l.minItems), fmt.Sprintf("at least %d items", l.minItems), describe(v), s.spec, s.source)
		}
		if l.maxItems >= 0 && n > l.maxItems {
			w.add(RuleMaxItems, SeverityError, fmt.Sprintf("%d items; at most %d allowed", n, l.maxItems), fmt.Sprintf("at most %d items", l.maxItems), describe(v), s.spec, s.source)
		}
		if l.uniqueItems {
			w.unique(s, v)
		}
	case jObject:
		n := len(v.obj)
		if n < l.minProps {
			w.add(RuleMinProperties, SeverityError, fmt.Sprintf("%d fields; at least %d required", n, l.minProps), fmt.Sprintf("at least %d fields", l.minProps), describe(v), s.spec, s.source)
		}
		if l.maxProps >= 0 && n > l.maxProps {
			w.add(RuleMaxProperties, SeverityError, fmt.Sprintf("%d fields; at most %d allowed", n, l.maxProps), fmt.Sprintf("at most %d fields", l.maxProps), describe(v), s.spec, s.source)
		}
	}
}

// bound reports v when fails says its comparison with limit (-1 below, 0 equal, 1 above) is out.
func (w *walker) bound(s *schema, v *jvalue, limit string, rule Rule, fails func(int) bool, want string) {
	if limit == "" {
		return
	}
	if c, ok := compareNumbers(v.s, limit); ok && fails(c) {
		w.add(rule, SeverityError, fmt.Sprintf("%s is not %s %s", v.s, want, limit), want+" "+limit, describe(v), s.spec, s.source)
	}
}

// unique reports the second and later copies of equal items (JSON equality: 1 and 1.0 are equal,
// member order does not matter).
func (w *walker) unique(s *schema, v *jvalue) {
	seen := make(map[string]int, len(v.arr))
	for i, el := range v.arr {
		k := canonicalValue(el, 0)
		if j, dup := seen[k]; dup {
			w.path = append(w.path, strconv.Itoa(i))
			w.add(RuleUniqueItems, SeverityError, fmt.Sprintf("item %d repeats item %d; items must be unique", i, j), "unique items", describe(el), s.spec, s.source)
			w.path = w.path[:len(w.path)-1]
			continue
		}
		seen[k] = i
	}
}

func canonicalValue(v *jvalue, depth int) string {
	switch v.kind {
	case jNull:
		return "n"
	case jBool:
		return "b" + strconv.FormatBool(v.b)
	case jNumber:
		if r, ok := exactRat(v.s); ok {
			return "#" + r.RatString()
		}
		return "#" + canonicalNumber(v.s)
	case jString:
		return "s" + strconv.Quote(v.s)
	case jArray:
		parts := make([]string, len(v.arr))
		for i, el := range v.arr {
			parts[i] = canonicalValue(el, depth+1)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	// The last of repeated keys wins, as in get.
	last := map[string]*jvalue{}
	for _, m := range v.obj {
		last[m.key] = m.val
	}
	keys := make([]string, 0, len(last))
	for k := range last {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = strconv.Quote(k) + ":" + canonicalValue(last[k], depth+1)
	}
	return "{" + strings.Join(parts, ",") + "}"
}
