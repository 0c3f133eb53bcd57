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

func (w *walker) pci(v jvalue) {
	switch v.kind {
	case jObject:
		for key, val := range v.members() {
			w.path = append(w.path, key)
			if cvvFields[key] && !(val.kind == jNull || val.kind == jString && val.s == "") {
				w.add(RuleCVV, SeverityError, fmt.Sprintf("field %s carries a card security code", key), "no CVV in any payload", "a value", "", "PCI DSS 3.2.2")
			}
			w.pci(val)
			w.path = w.path[:len(w.path)-1]
		}
	case jArray:
		for i, el := range v.elems() {
			w.path = append(w.path, strconv.Itoa(i))
			w.pci(el)
			w.path = w.path[:len(w.path)-1]
		}
	case jString, jNumber:
		if pan, ok := findPAN(v.s); ok {
			w.add(RuleCardNumber, SeverityError, fmt.Sprintf("a full card number (%s) is exposed", maskPAN(pan)), "at most the isin and the last four digits", maskPAN(pan), "", "PCI DSS 3.4")
		}
	}
}

// findPAN looks for a card number in s: 13-19 digits, optionally grouped by single spaces or
// hyphens, in a card network's IIN range and length, with a valid Luhn check digit. Digit runs
// inside longer runs (reference numbers) do not count, and neither do bank reference numbers
// that merely pass Luhn (one in ten does) outside the networks' ranges.
func findPAN(s string) (string, bool) {
	if len(s) < 13 {
		return "", false
	}
	// Most values hold too few digits to be a card: tell without allocating.
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	if n < 13 {
		return "", false
	}
	var digits []byte
	flush := func() (string, bool) {
		n := len(digits)
		d := string(digits)
		digits = digits[:0]
		if n >= 13 && n <= 19 && cardNetwork(d) && luhn(d) {
			return d, true
		}
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case (c == ' ' || c == '-') && len(digits) > 0 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			// a group separator inside a number
		default:
			if d, ok := flush(); ok {
				return d, true
			}
		}
	}
	return flush()
}

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
