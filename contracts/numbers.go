package contracts

import (
	"cmp"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Numbers are judged as written, in exact decimal: a float64 round trip would call 1e20 no
// integer (it overflows int64), 1e-400 zero and 0.30000000000000001 equal to 0.3.

// jsonNumber splits s, when it is a JSON number (RFC 8259 § 6), into its sign, its digits
// (integer and fraction part together) and the exponent of the last digit.
type jsonNumber struct {
	neg    bool
	digits string // no leading or trailing zeros; "" for zero
	exp    string // exponent of the last digit, in decimal ("-2" for 1.25); "" for zero
}

func parseNumber(s string) (jsonNumber, bool) {
	var n jsonNumber
	i := 0
	if i < len(s) && s[i] == '-' {
		n.neg = true
		i++
	}
	intStart := i
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return n, false
	}
	intPart := s[intStart:i]
	frac := ""
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return n, false
		}
		frac = s[start:i]
	}
	expText := "0"
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		start := i
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		digits := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == digits {
			return n, false
		}
		expText = strings.TrimPrefix(s[start:i], "+")
	}
	if i != len(s) {
		return n, false
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	trimmed := strings.TrimRight(digits, "0")
	if trimmed == "" {
		return jsonNumber{}, true // zero, whatever its sign or exponent
	}
	n.digits = trimmed
	// The last digit's exponent: the written exponent, less the fraction's digits, plus the
	// trailing zeros dropped.
	shift := int64(len(digits)-len(trimmed)) - int64(len(frac))
	if e, err := strconv.ParseInt(expText, 10, 64); err == nil && e > math.MinInt64/2 && e < math.MaxInt64/2 {
		n.exp = strconv.FormatInt(e+shift, 10)
	} else {
		e, _ := new(big.Int).SetString(expText, 10)
		n.exp = e.Add(e, big.NewInt(shift)).String()
	}
	return n, true
}

func (n jsonNumber) zero() bool { return n.digits == "" }

// integer reports whether the number is a whole number (21, 21.0, 2.1e1, 1e20; not 1e-400).
func (n jsonNumber) integer() bool { return n.zero() || n.exp[0] != '-' }

// canonical is the number's exact canonical form: equal numbers have equal forms.
func (n jsonNumber) canonical() string {
	if n.zero() {
		return "0"
	}
	sign := ""
	if n.neg {
		sign = "-"
	}
	return sign + n.digits + "e" + n.exp
}

// canonicalNumber makes 21, 21.0, 2.1e1 and 210e-1 compare equal in enums, exactly. Spec files
// are YAML, whose numbers may be written in forms JSON lacks (0x15, .5, +1); those are read
// as YAML reads them.
func canonicalNumber(s string) string {
	if n, ok := parseNumber(s); ok {
		return n.canonical()
	}
	if i, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64); err == nil {
		return canonicalNumber(strconv.FormatInt(i, 10))
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return canonicalNumber(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return s
}

// isInteger accepts integers as written (21) and integral numbers (21.0, 2.1e1, 1e20), as JSON
// Schema does, exactly: 1.0000000000000000001 is not one.
func isInteger(num string) bool {
	if n, ok := parseNumber(num); ok {
		return n.integer()
	}
	return false
}

// isNumeric reports whether s is a JSON number (an integer one, if integer is set).
func isNumeric(s string, integer bool) bool {
	if len(s) > 64 {
		return false
	}
	n, ok := parseNumber(s)
	return ok && (!integer || n.integer())
}

// compareNumbers orders two JSON numbers exactly: -1, 0 or +1. ok is false when either is not
// a JSON number. (For minimum, maximum and friends.)
func compareNumbers(a, b string) (c int, ok bool) {
	x, okA := parseNumber(a)
	y, okB := parseNumber(b)
	if !okA || !okB {
		return 0, false
	}
	return x.cmp(y), true
}

func (n jsonNumber) sign() int {
	switch {
	case n.zero():
		return 0
	case n.neg:
		return -1
	}
	return 1
}

func (n jsonNumber) cmp(m jsonNumber) int {
	if sn, sm := n.sign(), m.sign(); sn != sm || sn == 0 {
		return cmp.Compare(sn, sm)
	}
	c := n.cmpAbs(m)
	if n.neg {
		return -c
	}
	return c
}

// cmpAbs compares magnitudes: first by the exponent of the leading digit, then digit by digit.
func (n jsonNumber) cmpAbs(m jsonNumber) int {
	lead := func(x jsonNumber) *big.Int {
		e, _ := new(big.Int).SetString(x.exp, 10)
		return e.Add(e, big.NewInt(int64(len(x.digits)-1)))
	}
	if c := lead(n).Cmp(lead(m)); c != 0 {
		return c
	}
	return strings.Compare(n.digits, m.digits) // same leading exponent: compare as decimal fractions
}
