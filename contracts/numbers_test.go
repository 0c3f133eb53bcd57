package contracts

import "testing"

// Numbers are judged as written, exactly: no float64 round trip.
func TestNumbersExact(t *testing.T) {
	for _, tc := range []struct {
		num     string
		integer bool
	}{{"21", true}, {"21.0", true}, {"2.1e1", true}, {"1e20", true}, {"1E+400", true}, {"-0.0", true},
		{"1e-400", false}, {"1.0000000000000000001", false}, {"0.5", false}} {
		if got := isInteger(tc.num); got != tc.integer {
			t.Errorf("isInteger(%s) = %t, want %t", tc.num, got, tc.integer)
		}
	}
	equal := [][2]string{{"21", "21.0"}, {"21", "2.1e1"}, {"210e-1", "21"}, {"0", "-0.0e5"}, {"1e400", "10e399"}}
	for _, p := range equal {
		if canonicalNumber(p[0]) != canonicalNumber(p[1]) {
			t.Errorf("%s and %s must compare equal", p[0], p[1])
		}
	}
	differ := [][2]string{{"1e-400", "0"}, {"0.30000000000000001", "0.3"}, {"1e20", "100000000000000000001"}, {"-1", "1"}}
	for _, p := range differ {
		if canonicalNumber(p[0]) == canonicalNumber(p[1]) {
			t.Errorf("%s and %s must differ", p[0], p[1])
		}
	}
	if c, ok := compareNumbers("1e-400", "0"); !ok || c != 1 {
		t.Errorf("1e-400 > 0: got %d %t", c, ok)
	}
	if c, ok := compareNumbers("-2.5", "-2.45"); !ok || c != -1 {
		t.Errorf("-2.5 < -2.45: got %d %t", c, ok)
	}
}

// A lone surrogate is read (as U+FFFD) and reported with its pointer and offset.
func TestLoneSurrogateIsAFinding(t *testing.T) {
	s := &Set{kinds: map[Kind]*schema{KindOrderStatus: {maxLength: -1}}}
	res, err := s.Validate(KindOrderStatus, []byte(`{"a":"x\ud800","\udc00":1,"ok":"\ud83d\ude00"}`), Options{Request: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		if f.Rule == RuleLoneSurrogate {
			got = append(got, f.Pointer+" "+f.Actual)
		}
	}
	if len(got) != 2 || got[0] != "/a byte 7" || got[1] != "/\ufffd byte 16" {
		t.Fatalf("want lone surrogates at /a byte 7 and the name at byte 16: %q", got)
	}
}
