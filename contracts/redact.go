package contracts

import (
	"fmt"
	"strconv"
	"strings"
)

// Juspay's published sample payloads mask what they would not publish: "FILTERED" in place of
// an object, string, number or boolean, digits and letters overwritten ("XXXX1234", "160***10",
// "1111111T07:00:40Z"). A masked value is not the service's error, but not a real value either:
// compat reports it as a warning, strict as an error, and neither checks its type or shape.
//
// The one decision, made here for every field: a value is masked when it holds the placeholder
// FILTERED (Juspay's own word for it); or when it looks masked (a run of asterisks, of X next
// to digits or four long, of seven 1s inside a longer value) and the field's checks would
// otherwise reject it. A value that looks masked but passes (Juspay itself shows card numbers as
// 4242-XXXXXXXX-4242, mobiles as 77****78) is an ordinary value; one that looks masked but fails
// for a reason a mask does not explain (an object where a string is due) keeps its error.

const redactionSource = "Juspay's published samples mask values (juspay/juspay-sdk-integration-demo@api-reference)"

// placeholder reports Juspay's own placeholder word, and the text a page's e-mail obfuscation
// leaves in place of anything with an @ (Juspay's public documents show "[email protected]" for
// VPAs and e-mails alike).
func placeholder(s string) bool {
	return strings.Contains(s, "FILTERED") || strings.Contains(s, "[email protected]")
}

// looksMasked reports mask characters: three asterisks, four X (or two beside a digit, or a value
// of X alone such as a month "XX"), or seven 1s inside a value that is not all digits (a masked
// date such as 1111111T07:00:40Z).
func looksMasked(s string) bool {
	if strings.Contains(s, "***") || strings.Contains(s, "XXXX") || len(s) >= 2 && strings.Trim(s, "X") == "" {
		return true
	}
	for i := 0; i+1 < len(s); i++ {
		if s[i] == 'X' && s[i+1] == 'X' && (i > 0 && isDigit(s[i-1]) || i+2 < len(s) && isDigit(s[i+2])) {
			return true
		}
	}
	if strings.Contains(s, "1111111") {
		for i := 0; i < len(s); i++ {
			if !isDigit(s[i]) {
				return true
			}
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// maskedNumber reports a string that is a number with some digits masked ("160***10", "XXXX").
func maskedNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c), c == '*', c == 'X', c == '.', c == '-':
		default:
			return false
		}
	}
	return true
}

// maskable are the rules a mask explains: the shape of a string.
var maskable = map[Rule]bool{
	RuleFormat: true, RulePattern: true, RuleEnum: true, RuleConst: true, RuleMaxLength: true,
	RuleMinLength: true, RuleQuirkEnumAlias: true,
}

// redacted handles a string value that is masked, and says whether it did.
func (w *walker) redacted(s *schema, v *jvalue, also []*schema) bool {
	if placeholder(v.s) {
		w.redaction(s, v, "")
		return true
	}
	if !looksMasked(v.s) {
		return false
	}
	sub := w.scratch()
	sub.apply(s, v, also) // not check: that would come back here
	t := sub.trial(s)
	if t.errs == 0 {
		return false // a real value that happens to look masked: checked as usual
	}
	var rules []string
	for _, f := range t.findings {
		if f.Severity != SeverityError {
			continue
		}
		if f.Pointer != w.pointer() || !(maskable[f.Rule] || f.Rule == RuleType && s.types&(tInteger|tNumber) != 0 && maskedNumber(v.s)) {
			return false
		}
		rules = append(rules, string(f.Rule))
	}
	w.redaction(s, v, strings.Join(rules, ", "))
	return true
}

func (w *walker) redaction(s *schema, v *jvalue, would string) {
	sev := SeverityWarning
	if w.strict {
		sev = SeverityError
	}
	msg := fmt.Sprintf("%s is a masked placeholder, not a real value", strconv.Quote(clip(v.s)))
	if would != "" {
		msg = fmt.Sprintf("%s looks masked (it would fail %s)", strconv.Quote(clip(v.s)), would)
	}
	spec, source := "", redactionSource
	if s != nil {
		spec = s.spec
	}
	w.add(RuleRedacted, sev, msg, "a real value", describe(v), spec, source)
}

// unchecked looks for placeholders in a value no schema checks (an undeclared field, a free-form
// object), so a masked value is reported wherever it is.
func (w *walker) unchecked(v *jvalue) {
	switch v.kind {
	case jString:
		if placeholder(v.s) {
			w.redaction(nil, v, "")
		}
	case jObject:
		for _, m := range v.obj {
			w.path = append(w.path, m.key)
			w.unchecked(m.val)
			w.path = w.path[:len(w.path)-1]
		}
	case jArray:
		for i, el := range v.arr {
			w.path = append(w.path, strconv.Itoa(i))
			w.unchecked(el)
			w.path = w.path[:len(w.path)-1]
		}
	}
}
