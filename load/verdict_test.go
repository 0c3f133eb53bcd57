package load

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// exact is a Sample of known values, sorted.
type exact []float64

func (e exact) Count() int64 { return int64(len(e)) }
func (e exact) Rank(r int64) (lo, hi float64) {
	v := e[max(1, min(r, int64(len(e))))-1]
	return v, v
}

// steps returns n values: 0.01 ms, 0.02 ms, … (n × 0.01 ms), so the q-quantile is q·n/100 ms.
func steps(n int) exact {
	out := make(exact, n)
	for i := range out {
		out[i] = float64(i+1) / 100
	}
	return out
}

// withTail is n values of base ms with the last tail of them at slow ms.
func withTail(n, tail int, base, slow float64) exact {
	out := make(exact, n)
	for i := range out {
		out[i] = base
		if i >= n-tail {
			out[i] = slow
		}
	}
	return out
}

func TestPercentileCheck(t *testing.T) {
	const alpha = 0.05
	for _, c := range []struct {
		name       string
		q, limit   float64
		lat        exact
		want       string // pass, fail, inconclusive
		decideFrom int64  // requests_to_decide bounds, when inconclusive
		decideTo   int64
	}{
		{"median well under", 0.5, 60, steps(10000), "pass", 0, 0},
		{"median well over", 0.5, 40, steps(10000), "fail", 0, 0},
		{"median just over the limit's edge", 0.5, 51, steps(10000), "pass", 0, 0},
		// 50.5% of samples under the limit: 1.96·½/√n ≤ 0.005 needs n ≈ 38,400.
		{"median near the limit", 0.5, 50.5, steps(10000), "inconclusive", 36000, 41000},
		{"median near the limit, other side", 0.5, 49.5, steps(10000), "inconclusive", 36000, 41000},
		// 500 fast requests cannot show TP99.99: 1 − 0.9999ⁿ ≥ 0.975 needs n ≥ 36,887.
		{"TP99.99 of 500, all fast", 0.9999, 1431.42, withTail(500, 0, 10, 0), "inconclusive", 36887, 36887},
		// Two of 500 over the limit: x₍499₎ > limit already.
		{"TP99.99 of 500, two slow", 0.9999, 1431.42, withTail(500, 2, 10, 1500), "fail", 0, 0},
		{"TP99.99 of 500, one slow", 0.9999, 1431.42, withTail(500, 1, 10, 1500), "inconclusive", 0, 0},
		{"TP99 breach", 0.99, 351.85, withTail(5000, 100, 5, 400), "fail", 0, 0},
		{"TP99 fine", 0.99, 351.85, withTail(5000, 20, 5, 400), "pass", 0, 0},
		{"no samples", 0.5, 19.8, exact{}, "inconclusive", 1, 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch := percentileCheck("X", c.q, c.limit, c.lat, alpha)
			if got := verdictOf(ch.Pass); got != c.want {
				t.Fatalf("verdict %s, want %s (check %+v)", got, c.want, ch)
			}
			if c.want == "inconclusive" && c.decideTo > 0 && (ch.Decide < c.decideFrom || ch.Decide > c.decideTo) {
				t.Errorf("requests_to_decide %d, want in [%d, %d]", ch.Decide, c.decideFrom, c.decideTo)
			}
			if c.want != "inconclusive" && ch.Decide != 0 {
				t.Errorf("a decided check has requests_to_decide %d", ch.Decide)
			}
			if ch.CI[0] > ch.CI[1] {
				t.Errorf("CI %v is upside down", ch.CI)
			}
			if n := c.lat.Count(); n > 0 {
				_, want := c.lat.Rank(quantileRank(c.q, n))
				if ch.ObservedMS == nil || *ch.ObservedMS != roundMS(want) {
					t.Errorf("observed %v, want %v", ch.ObservedMS, want)
				}
				if !(ch.CI[0] <= *ch.ObservedMS && *ch.ObservedMS <= ch.CI[1]) {
					t.Errorf("observed %v outside its CI %v", *ch.ObservedMS, ch.CI)
				}
			}
		})
	}
}

func TestFractionCheck(t *testing.T) {
	for _, c := range []struct {
		name           string
		over, n        int64
		limit          float64
		want           string
		decideFrom, to int64
	}{
		{"none of 10,000 over 0.1%", 0, 10000, 0.001, "pass", 0, 0},
		// 0 of n shows ≤ 0.1% once 1 − 0.025^(1/n) ≤ 0.001: n ≥ 3,688.
		{"none of 1,000 over 0.1%", 0, 1000, 0.001, "inconclusive", 3688, 3688},
		{"2% of 1,000 over 0.1%", 20, 1000, 0.001, "fail", 0, 0},
		// P(X ≥ 1) with n = 100 at 0.01% is 1%: one slow request in 100 already fails.
		{"one of 100 over 0.01%", 1, 100, 0.0001, "fail", 0, 0},
		{"one of 1,000 over 0.01%", 1, 1000, 0.0001, "inconclusive", 0, 0},
		{"right at the limit", 10, 10000, 0.001, "inconclusive", 0, 0},
		{"no requests", 0, 0, 0.001, "inconclusive", 3688, 3688},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch := fractionCheck("timeout-1000ms", 1000, c.limit, c.over, c.n, 0.05)
			if got := verdictOf(ch.Pass); got != c.want {
				t.Fatalf("verdict %s, want %s (check %+v)", got, c.want, ch)
			}
			if c.to > 0 && (ch.Decide < c.decideFrom || ch.Decide > c.to) {
				t.Errorf("requests_to_decide %d, want in [%d, %d]", ch.Decide, c.decideFrom, c.to)
			}
			if *ch.LimitMS != 1000 || *ch.LimitFraction != c.limit {
				t.Errorf("limits %v %v", *ch.LimitMS, *ch.LimitFraction)
			}
		})
	}
}

// A check whose observed value sits exactly on the line can never be decided: the search for
// requests_to_decide gives up (0) in bounded time.
func TestRequestsToDecideGivesUp(t *testing.T) {
	start := time.Now()
	ch := fractionCheck("timeout-1000ms", 1000, 0.001, 1, 1000, 0.05)
	if ch.Pass != nil || ch.Decide != 0 {
		t.Errorf("on the line: pass %v, decide %d; want inconclusive and 0", ch.Pass, ch.Decide)
	}
	ch = percentileCheck("TP50", 0.5, 50, steps(10000), 0.05)
	if ch.Pass != nil || ch.Decide != 0 {
		t.Errorf("median on the line: pass %v, decide %d; want inconclusive and 0", ch.Pass, ch.Decide)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("giving up took %s", d)
	}
}

func TestEvaluate(t *testing.T) {
	slo := DefaultSLO()
	fast := withTail(20000, 0, 5, 0)
	all := Counts{Requests: 20000}
	for _, c := range []struct {
		name       string
		lat        exact
		counts     Counts
		opts       EvalOptions
		pass, conc bool
		reason     string
	}{
		// TP99.99 needs 36,887 requests: 20,000 fast ones leave it inconclusive, pass stays.
		{"fast but short", fast, all, EvalOptions{}, true, false, ""},
		{"fast, conclusive required", fast, all, EvalOptions{RequireConclusive: true}, false, false, "TP99.99 is inconclusive"},
		{"TP99 breach", withTail(20000, 400, 5, 400), all, EvalOptions{}, false, false, "TP99 failed"},
		{"timeout budget breach", fast, Counts{Requests: 20000, Over1000: 100, Over2000: 0}, EvalOptions{}, false, false, "timeout-1000ms failed"},
		// Lag only adds to latencies: a pass stands, a fail is voided (TestEvaluateLag).
		{"generator-limited pass", fast, all, EvalOptions{GeneratorLimited: "lag"}, true, false, ""},
		{"fast and long", withTail(40000, 0, 5, 0), Counts{Requests: 40000}, EvalOptions{}, true, true, ""},
		{"nothing measured", exact{}, Counts{}, EvalOptions{}, false, false, "no requests"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := Evaluate(slo, c.lat, c.counts, c.opts)
			if v.Pass != c.pass || v.Conclusive != c.conc {
				t.Errorf("pass %v conclusive %v, want %v %v; reasons %q", v.Pass, v.Conclusive, c.pass, c.conc, v.Reasons)
			}
			if c.reason != "" && !slices.ContainsFunc(v.Reasons, func(r string) bool { return strings.Contains(r, c.reason) }) {
				t.Errorf("reasons %q lack %q", v.Reasons, c.reason)
			}
			var names []string
			for _, ch := range v.Checks {
				names = append(names, ch.Name)
			}
			if want := []string{"TP50", "TP90", "TP99", "TP99.9", "TP99.99", "timeout-1000ms", "timeout-2000ms", "errors"}; !slices.Equal(names, want) {
				t.Errorf("checks %v, want %v", names, want)
			}
			if v.GeneratorLimited != (c.opts.GeneratorLimited != "") {
				t.Errorf("generator_limited %v", v.GeneratorLimited)
			}
		})
	}
}

func TestVerdictJSON(t *testing.T) {
	v := Evaluate(DefaultSLO(), withTail(500, 0, 5, 0), Counts{Requests: 500}, EvalOptions{})
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Pass       bool `json:"pass"`
		Conclusive bool `json:"conclusive"`
		Checks     []map[string]json.RawMessage
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for _, ch := range back.Checks {
		for _, k := range []string{"name", "limit_ms", "observed_ms", "limit_fraction", "observed_fraction", "ci", "pass"} {
			if _, ok := ch[k]; !ok {
				t.Errorf("check %s lacks %q: %s", ch["name"], k, b)
			}
		}
	}
	// TP99.99 of 500: inconclusive (null) with an open upper end (null).
	tp := back.Checks[4]
	if string(tp["pass"]) != "null" || !strings.HasSuffix(string(tp["ci"]), ",null]") || string(tp["requests_to_decide"]) != "36887" {
		t.Errorf("TP99.99 of 500: %s", b)
	}
	var iv Interval
	if err := json.Unmarshal(tp["ci"], &iv); err != nil || !math.IsInf(iv[1], 1) {
		t.Errorf("ci %s read back as %v, %v", tp["ci"], iv, err)
	}
}

func verdictOf(p *bool) string {
	switch {
	case p == nil:
		return "inconclusive"
	case *p:
		return "pass"
	}
	return "fail"
}
