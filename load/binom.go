package load

import "math"

// Exact binomial arithmetic for the verdicts. Everything goes through the regularized
// incomplete beta function, P(X ≤ k) = I_{1-p}(n-k, k+1) for X ~ Binomial(n, p), so the same
// code is exact for 10 requests and for 10⁹: no normal approximation, whose tails are wrong
// exactly where TP99.99 and the 0.01% budget live.

// binomCDF is P(X ≤ k) for X ~ Binomial(n, p).
func binomCDF(k, n int64, p float64) float64 {
	switch {
	case k < 0:
		return 0
	case k >= n:
		return 1
	case p <= 0:
		return 1
	case p >= 1:
		return 0
	}
	return regIncBeta(1-p, float64(n-k), float64(k+1))
}

// binomQuantile is the smallest j in [-1, n] with P(X ≤ j) ≥ target (P(X ≤ -1) = 0).
func binomQuantile(n int64, p, target float64) int64 {
	lo, hi := int64(-1), n // F(lo) < target ≤ F(hi), or lo answers when target ≤ 0
	if target <= 0 {
		return -1
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if binomCDF(mid, n, p) >= target {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// orderRanks are the 1-based ranks of the order statistics that bound the p-quantile of n
// samples with confidence 1-alpha, distribution-free: the number of samples at or below the
// true quantile is Binomial(n, p), so P(x₍l₎ ≤ q_p ≤ x₍u₎) = F(u-1) − F(l-1) ≥ 1 − alpha.
// l = 0 means no sample bounds the quantile from below; u = n+1 means none bounds it from
// above (too few samples: TP99.99 of 500 requests).
func orderRanks(n int64, p, alpha float64) (l, u int64) {
	// l-1 is the largest j with F(j) ≤ alpha/2: one below the smallest j with F(j) > alpha/2.
	l = binomQuantile(n, p, math.Nextafter(alpha/2, 1))
	u = binomQuantile(n, p, 1-alpha/2) + 1
	return l, u
}

// clopperPearson is the exact two-sided 1-alpha confidence interval of a proportion seen x
// times in n trials.
func clopperPearson(x, n int64, alpha float64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	lo, hi = 0, 1
	if x > 0 {
		// P(X ≥ x; p) = 1 − F(x-1; p) rises with p; lo is where it reaches alpha/2.
		lo = bisect(func(p float64) bool { return 1-binomCDF(x-1, n, p) >= alpha/2 })
	}
	if x < n {
		// F(x; p) falls with p; hi is where it drops to alpha/2.
		hi = bisect(func(p float64) bool { return binomCDF(x, n, p) <= alpha/2 })
	}
	return lo, hi
}

// bisect finds the boundary in [0, 1] of a predicate false below it and true above it.
func bisect(above func(float64) bool) float64 {
	lo, hi := 0.0, 1.0
	for range 64 {
		mid := (lo + hi) / 2
		if mid == lo || mid == hi {
			break
		}
		if above(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return (lo + hi) / 2
}

// regIncBeta is the regularized incomplete beta function I_x(a, b), by its continued fraction
// (modified Lentz), on whichever side of the symmetry I_x(a,b) = 1 − I_{1-x}(b,a) converges.
func regIncBeta(x, a, b float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(a*math.Log(x) + b*math.Log1p(-x) - (la + lb - lab))
	if x < (a+1)/(a+b+2) {
		return clamp01(front * betaFraction(x, a, b) / a)
	}
	return clamp01(1 - front*betaFraction(1-x, b, a)/b)
}

// betaFraction evaluates the continued fraction of I_x(a, b). It converges in about
// √max(a,b) terms at worst; the cap only stops a runaway on absurd inputs.
func betaFraction(x, a, b float64) float64 {
	const (
		tiny    = 1e-300
		eps     = 1e-15
		maxIter = 5_000_000
	)
	guard := func(v float64) float64 {
		if math.Abs(v) < tiny {
			return tiny
		}
		return v
	}
	c := 1.0
	d := 1 / guard(1-(a+b)*x/(a+1))
	h := d
	for m := 1.0; m <= maxIter; m++ {
		even := m * (b - m) * x / ((a + 2*m - 1) * (a + 2*m))
		d = 1 / guard(1+even*d)
		c = guard(1 + even/c)
		h *= d * c
		odd := -(a + m) * (a + b + m) * x / ((a + 2*m) * (a + 2*m + 1))
		d = 1 / guard(1+odd*d)
		c = guard(1 + odd/c)
		del := d * c
		h *= del
		if math.Abs(del-1) < eps {
			break
		}
	}
	return h
}

func clamp01(v float64) float64 {
	return math.Max(0, math.Min(1, v))
}
