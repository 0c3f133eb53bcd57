package load

import (
	"math"
	"testing"
)

// directCDF sums the binomial pmf term by term in log space: slow, obviously right.
func directCDF(k, n int64, p float64) float64 {
	if k < 0 {
		return 0
	}
	lnN, _ := math.Lgamma(float64(n + 1))
	s := 0.0
	for j := int64(0); j <= min(k, n); j++ {
		a, _ := math.Lgamma(float64(j + 1))
		b, _ := math.Lgamma(float64(n - j + 1))
		s += math.Exp(lnN - a - b + float64(j)*math.Log(p) + float64(n-j)*math.Log1p(-p))
	}
	return math.Min(s, 1)
}

func TestBinomCDFMatchesDirectSum(t *testing.T) {
	for _, c := range []struct {
		n int64
		p float64
	}{{1, 0.5}, {10, 0.3}, {50, 0.99}, {200, 0.5}, {500, 0.9999}, {1000, 0.001}, {3000, 0.9}} {
		for k := int64(-1); k <= c.n; k += max(1, c.n/40) {
			got, want := binomCDF(k, c.n, c.p), directCDF(k, c.n, c.p)
			if math.Abs(got-want) > 1e-9*math.Max(1, want) && math.Abs(got-want) > 1e-12 {
				t.Errorf("binomCDF(%d, %d, %g) = %.15g, want %.15g", k, c.n, c.p, got, want)
			}
		}
	}
}

func TestBinomCDFLargeN(t *testing.T) {
	// Binomial(10⁸, ½) at its mean + 1σ is Φ(1) ≈ 0.8413 (plus the continuity half-step).
	n := int64(100_000_000)
	sd := math.Sqrt(float64(n) * 0.25)
	k := n/2 + int64(sd)
	got := binomCDF(k, n, 0.5)
	want := 0.5 * math.Erfc(-((float64(k)+0.5-float64(n)/2)/sd)/math.Sqrt2)
	if math.Abs(got-want) > 1e-4 {
		t.Errorf("binomCDF at mean+1σ = %.6f, want ≈ %.6f", got, want)
	}
}

// bruteRanks finds the order-statistic ranks straight from their definition.
func bruteRanks(n int64, p, alpha float64) (l, u int64) {
	for j := int64(-1); j <= n; j++ {
		if directCDF(j, n, p) <= alpha/2 {
			l = j + 1
		}
	}
	u = n + 1
	for j := int64(-1); j <= n; j++ {
		if directCDF(j, n, p) >= 1-alpha/2 {
			u = j + 1
			break
		}
	}
	return l, u
}

func TestOrderRanks(t *testing.T) {
	for _, c := range []struct {
		n int64
		p float64
	}{{5, 0.5}, {20, 0.5}, {100, 0.5}, {100, 0.9}, {1000, 0.99}, {500, 0.9999}, {2000, 0.999}} {
		l, u := orderRanks(c.n, c.p, 0.05)
		bl, bu := bruteRanks(c.n, c.p, 0.05)
		if l != bl || u != bu {
			t.Errorf("orderRanks(%d, %g) = %d, %d; want %d, %d", c.n, c.p, l, u, bl, bu)
		}
	}
	// The textbook case: the 95% interval of the median of 100 is x₍40₎ … x₍61₎.
	if l, u := orderRanks(100, 0.5, 0.05); l != 40 || u != 61 {
		t.Errorf("median of 100: ranks %d, %d, want 40, 61", l, u)
	}
	// TP99.99 of 500 requests has no upper bound: no sample is high enough.
	if _, u := orderRanks(500, 0.9999, 0.05); u != 501 {
		t.Errorf("TP99.99 of 500: upper rank %d, want 501 (none)", u)
	}
}

func TestClopperPearson(t *testing.T) {
	for _, c := range []struct {
		x, n   int64
		lo, hi float64
	}{
		{0, 10, 0, 1 - math.Pow(0.025, 0.1)},
		{10, 10, math.Pow(0.025, 0.1), 1},
		{5, 10, 0.187086, 0.812914},
		{1, 100, 0.000253, 0.054460},
		{0, 0, 0, 1},
	} {
		lo, hi := clopperPearson(c.x, c.n, 0.05)
		if math.Abs(lo-c.lo) > 1e-6 || math.Abs(hi-c.hi) > 1e-6 {
			t.Errorf("clopperPearson(%d, %d) = [%.6f, %.6f], want [%.6f, %.6f]", c.x, c.n, lo, hi, c.lo, c.hi)
		}
	}
}
