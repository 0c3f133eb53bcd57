package contracts

import (
	"fmt"
	"strconv"
	"strings"
)

// PCI DSS lets a service show a card's isin (first six digits) and last four digits, never the
// full number and never the CVV. These checks run on every value of every payload a service
// emits, declared or not, because a leak hides best in a field nobody reads.

// cvvFields are member names that can only hold a card security code.
var cvvFields = map[string]bool{
	"cvv": true, "cvv2": true, "cvc": true, "cvc2": true, "card_cvv": true,
	"card_security_code": true, "security_code": true, "cardSecurityCode": true,
}

func (w *walker) pci(v *jvalue) { w.pciField(v, "") }

// pciField checks v, the value (or an element of the value) of the member named field.
func (w *walker) pciField(v *jvalue, field string) {
	switch v.kind {
	case jObject:
		for _, m := range v.obj {
			w.path = append(w.path, m.key)
			if cvvFields[m.key] && !(m.val.kind == jNull || m.val.kind == jString && m.val.s == "") {
				w.add(RuleCVV, SeverityError, fmt.Sprintf("field %s carries a card security code", m.key), "no CVV in any payload", "a value", "", "PCI DSS 3.2.2")
			}
			w.pciField(m.val, m.key)
			w.path = w.path[:len(w.path)-1]
		}
	case jArray:
		for i, el := range v.arr {
			w.path = append(w.path, strconv.Itoa(i))
			w.pciField(el, field)
			w.path = w.path[:len(w.path)-1]
		}
	case jString, jNumber:
		if !panField(field) {
			return
		}
		if pan, ok := findPAN(v.s); ok {
			w.add(RuleCardNumber, SeverityError, fmt.Sprintf("a full card number (%s) is exposed", maskPAN(pan)), "at most the isin and the last four digits", maskPAN(pan), "", "PCI DSS 3.4")
		}
	}
}

// panField says whether a member of this name could hold a card number. Identifiers and
// references (txn_id, epg_txn_id, gateway_reference_id, rrn, arn, utr), bank account numbers and
// phone numbers are other numbers that are long, all digits and pass Luhn one time in ten:
// flagging them fails correct services. Every other name, and values outside any member, are
// checked.
func panField(name string) bool {
	if name == "" {
		return true
	}
	n := snakeCase(name)
	switch n {
	case "id", "ids", "rrn", "arn", "utr", "umn", "reference", "ref":
		return false
	}
	for _, suffix := range []string{"_id", "_ids", "_ref", "_rrn", "_arn", "_utr", "_umn"} {
		if strings.HasSuffix(n, suffix) {
			return false
		}
	}
	for _, part := range []string{"reference", "account_number", "account_no", "mobile", "phone"} {
		if strings.Contains(n, part) {
			return false
		}
	}
	return true
}

// snakeCase lowercases a member name and splits camelCase words with underscores:
// gatewayReferenceId becomes gateway_reference_id.
func snakeCase(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			if i > 0 && s[i-1] >= 'a' && s[i-1] <= 'z' {
				b.WriteByte('_')
			}
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// findPAN looks for a card number in s: 13-19 digits, optionally grouped by single spaces or
// hyphens, in a card network's IIN range and length, with a valid Luhn check digit, standing
// alone. Digit runs inside a longer token (U4560000327840, TEST-4111111111111111-1, a longer
// run of digits) are identifiers, not cards; and bank reference numbers that merely pass Luhn
// (one in ten does) outside the networks' ranges do not count either.
func findPAN(s string) (string, bool) {
	if len(s) < 13 {
		return "", false
	}
	// Most values hold too few digits to be a card: tell without allocating.
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	if n < 13 {
		return "", false
	}
	var digits []byte
	start := -1
	flush := func(end int) (string, bool) {
		n := len(digits)
		d := string(digits)
		digits = digits[:0]
		from := start
		start = -1
		if n >= 13 && n <= 19 && standsAlone(s, from, end) && cardNetwork(d) && luhn(d) {
			return d, true
		}
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			if start < 0 {
				start = i
			}
			digits = append(digits, c)
		case (c == ' ' || c == '-') && len(digits) > 0 && i+1 < len(s) && isDigit(s[i+1]):
			// a group separator inside a number
		default:
			if d, ok := flush(i); ok {
				return d, true
			}
		}
	}
	return flush(len(s))
}

// standsAlone says whether s[from:end] is not part of a longer token: no letter, digit or
// underscore touches it, nor a joiner (- . :) that leads on to one. A slash does not join: a card
// number in a URL path is exposed.
func standsAlone(s string, from, end int) bool {
	if from < 0 {
		return false
	}
	if from > 0 {
		c := s[from-1]
		if isWordByte(c) || isJoiner(c) && from > 1 && isWordByte(s[from-2]) {
			return false
		}
	}
	if end < len(s) {
		c := s[end]
		if isWordByte(c) || isJoiner(c) && end+1 < len(s) && isWordByte(s[end+1]) {
			return false
		}
	}
	return true
}

func isWordByte(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isJoiner(c byte) bool { return c == '-' || c == '.' || c == ':' }

func luhn(d string) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

func maskPAN(d string) string {
	if len(d) < 10 {
		return strings.Repeat("X", len(d))
	}
	return d[:6] + strings.Repeat("X", len(d)-10) + d[len(d)-4:]
}

// iinRanges are the card networks' issuer ranges (first digits, inclusive) and card lengths:
// Visa, Mastercard, American Express, Diners, Discover, JCB, RuPay, UnionPay, Maestro.
var iinRanges = []struct {
	lo, hi  string
	lengths []int
}{
	{"4", "4", []int{13, 16, 19}},
	{"51", "55", []int{16}},
	{"2221", "2720", []int{16}},
	{"34", "34", []int{15}},
	{"37", "37", []int{15}},
	{"300", "305", []int{14, 16, 19}},
	{"36", "36", []int{14, 16, 19}},
	{"38", "39", []int{16, 19}},
	{"6011", "6011", []int{16, 19}},
	{"644", "649", []int{16, 19}},
	{"65", "65", []int{16, 19}},
	{"3528", "3589", []int{16, 19}},
	{"60", "60", []int{16}},
	{"508", "508", []int{16}},
	{"81", "82", []int{16}},
	{"353", "353", []int{16}},
	{"356", "356", []int{16}},
	{"62", "62", []int{16, 17, 18, 19}},
	{"50", "50", []int{12, 13, 14, 15, 16, 17, 18, 19}},
	{"56", "59", []int{12, 13, 14, 15, 16, 17, 18, 19}},
	{"63", "63", []int{12, 13, 14, 15, 16, 17, 18, 19}},
	{"67", "67", []int{12, 13, 14, 15, 16, 17, 18, 19}},
}

func cardNetwork(d string) bool {
	for _, r := range iinRanges {
		if len(d) < len(r.lo) {
			continue
		}
		p := d[:len(r.lo)]
		if p < r.lo || p > r.hi {
			continue
		}
		for _, l := range r.lengths {
			if l == len(d) {
				return true
			}
		}
	}
	return false
}
