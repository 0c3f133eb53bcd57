package load

import (
	"strings"
	"testing"
	"time"
)

// Whatever an SLO file holds, ParseSLO returns a valid SLO or a one-line error, never a panic.
func FuzzParseSLO(f *testing.F) {
	f.Add("tp99_ms: 200\n")
	f.Add("confidence: 0.99\nover_1000ms_max_fraction: 0\n")
	f.Add("[1, 2]")
	f.Add("tp50_ms: &a 1\ntp90_ms: *a\n")
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSLO(strings.NewReader(in))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted an invalid SLO: %v", err)
		}
	})
}

// Whatever bytes claim to be a histogram, decoding errors or yields a usable Sample.
func FuzzDecodeHistogram(f *testing.F) {
	h := newHistogram()
	for _, d := range []time.Duration{time.Millisecond, 20 * time.Millisecond, 2 * time.Second} {
		record(h, d)
	}
	enc, err := (&Result{Histogram: h}).EncodeHistogram()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc)
	f.Add([]byte("HISTFAAAAB14nJNpmSzMwMDAxAABzFCaEUQyXv8PZQIAPVoDxA=="))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := DecodeHistogram(b)
		if err != nil {
			return
		}
		s := HistogramSample(got)
		if n := s.Count(); n > 0 {
			lo, hi := s.Rank(quantileRank(0.99, n))
			if lo > hi {
				t.Fatalf("rank bounds %v > %v", lo, hi)
			}
		}
	})
}

// Whatever a ramp flag says, ParseRamp returns a usable ramp or an error.
func FuzzParseRamp(f *testing.F) {
	f.Add("50:500:50")
	f.Add("1:2:0.0001:1s")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := ParseRamp(in)
		if err != nil {
			return
		}
		if rs := r.Rates(); len(rs) == 0 || len(rs) > MaxRampSteps+1 {
			t.Fatalf("%q: %d rates", in, len(rs))
		}
	})
}
