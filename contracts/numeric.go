package contracts

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Numbers reach the schema keywords as the text the payload wrote (see jvalue.s), and every
// numeric comparison goes through these two helpers, so a change of JSON reader only has to
// hand them that text.

// exactLimit bounds the numbers compared exactly: big.Rat would spend memory and time
// proportional to an exponent such as 1e999999999, so beyond this floats decide.
const exactLimit = 400

func exactRat(s string) (*big.Rat, bool) {
	if len(s) > exactLimit {
		return nil, false
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || e > exactLimit || e < -exactLimit {
			return nil, false
		}
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// compareNumbers compares two JSON numbers as written: -1, 0 or 1, and false when either is not
// a number. 0.1 and 1e-1 are equal; 21 and 21.000000000000001 are not.
func compareNumbers(a, b string) (int, bool) {
	if ra, ok := exactRat(a); ok {
		if rb, ok := exactRat(b); ok {
			return ra.Cmp(rb), true
		}
	}
	fa, err1 := strconv.ParseFloat(a, 64)
	fb, err2 := strconv.ParseFloat(b, 64)
	if (err1 != nil && !isRangeErr(err1)) || (err2 != nil && !isRangeErr(err2)) || math.IsNaN(fa) || math.IsNaN(fb) {
		return 0, false
	}
	switch {
	case fa < fb:
		return -1, true
	case fa > fb:
		return 1, true
	}
	return 0, true
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// isMultipleOf says whether the number a is an integer multiple of m (m > 0).
func isMultipleOf(a, m string) (bool, bool) {
	if ra, ok := exactRat(a); ok {
		if rm, ok := exactRat(m); ok && rm.Sign() > 0 {
			return new(big.Rat).Quo(ra, rm).IsInt(), true
		}
	}
	fa, err1 := strconv.ParseFloat(a, 64)
	fm, err2 := strconv.ParseFloat(m, 64)
	if err1 != nil || err2 != nil || fm <= 0 {
		return false, false
	}
	q := fa / fm
	return !math.IsInf(q, 0) && q == math.Trunc(q), true
}
