package reports

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

func TestNines(t *testing.T) {
	for _, tc := range []struct{ p, want float64 }{
		{-1, 0}, {0, 0}, {50, math.Log10(2)}, {90, 1}, {99, 2}, {99.9, 3}, {99.99, 4}, {99.999, 5}, {99.9999, 5}, {100, 5},
	} {
		if got := nines(tc.p); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("nines(%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
}

func TestPercentileCurve(t *testing.T) {
	if percentileCurve(nil) != nil || percentileCurve(hdrhistogram.New(1, 1e6, 3)) != nil {
		t.Error("an empty histogram has no curve")
	}
	h := hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	for us := int64(1000); us <= 1_000_000; us += 1000 { // 1 ms to 1 s, evenly
		_ = h.RecordValue(us)
	}
	c := percentileCurve(h)
	if c[0].Nines != 0 || math.Abs(c[len(c)-1].Nines-maxNines) > 1e-9 {
		t.Errorf("the curve spans nines %v to %v, want 0 to %d", c[0].Nines, c[len(c)-1].Nines, maxNines)
	}
	for i := 1; i < len(c); i++ {
		if c[i].MS < c[i-1].MS || c[i].Nines <= c[i-1].Nines {
			t.Fatalf("the curve is not increasing at %d: %v then %v", i, c[i-1], c[i])
		}
	}
	if lo, hi := c[0].MS, c[len(c)-1].MS; math.Abs(lo-1) > 0.01 || math.Abs(hi-1000) > 1 {
		t.Errorf("the curve runs %v ms to %v ms, want 1 to 1000", lo, hi)
	}
	// Nine tenths of the way is the 900th millisecond, to the histogram's precision.
	for _, p := range c {
		if math.Abs(p.Nines-1) < 0.011 && math.Abs(p.MS-900) > 12 {
			t.Errorf("p90 on the curve is %v ms, want about 900", p.MS)
		}
	}
}

var number = regexp.MustCompile(`-?\d+(\.\d+)?`)

// plotNumbers checks every coordinate of a plot is a finite number inside its viewBox.
func checkPlot(t *testing.T, name string, svg string) {
	t.Helper()
	if err := wellFormed(svg); err != nil {
		t.Fatalf("%s is not well-formed: %v\n%.400s", name, err, svg)
	}
	for _, bad := range []string{"NaN", "Inf"} {
		if strings.Contains(svg, bad) {
			t.Errorf("%s holds %s", name, bad)
		}
	}
	for _, attr := range regexp.MustCompile(`\b(?:x|y|x1|x2|y1|y2|cx|cy)="([^"]*)"`).FindAllStringSubmatch(svg, -1) {
		v, err := strconv.ParseFloat(attr[1], 64)
		if err != nil || v < -20 || v > 1020 {
			t.Errorf("%s: coordinate %q outside the plot", name, attr[0])
		}
	}
}

func TestPercentileSVG(t *testing.T) {
	curve := []curvePoint{{0, 2}, {1, 30}, {2, 60}, {3, 900}, {4, 1500}, {5, 1500}}
	marks := []sloMark{
		{Label: "TP50", Percentile: 50, LimitMS: 19.8, Verdict: VerdictPass, Step: true, ObservedMS: 14, CILowMS: 13.9, CIHighMS: 14.1},
		{Label: "TP99.9", Percentile: 99.9, LimitMS: 594.42, Verdict: VerdictFail, Step: true, ObservedMS: 900, CILowMS: 850, CIHighMS: 950},
		{Label: "≤ 0.1% over 1000 ms <&>", Percentile: 99.9, LimitMS: 1000, Verdict: "weird"},
	}
	svg := string(percentileSVG(curve, marks))
	checkPlot(t, "percentile plot", svg)
	for _, want := range []string{"TP50 ≤ 19.8 ms", "TP99.9 ≤ 594.42 ms", "≤ 0.1% over 1000 ms &lt;&amp;&gt;", `class="limit pass"`, `class="limit fail"`,
		`class="limit inconclusive"`, `class="slo"`, `class="curve"`, `class="ci"`, ">99.999<", ">99.9<", ">90<", "latency, ms (log scale)"} {
		if !strings.Contains(svg, want) {
			t.Errorf("percentile plot lacks %q", want)
		}
	}
	// Without data or limits it still draws its axes.
	checkPlot(t, "empty percentile plot", string(percentileSVG(nil, nil)))
	checkPlot(t, "zero latencies", string(percentileSVG([]curvePoint{{0, 0}, {5, 0}}, nil)))
}

func TestSeriesSVG(t *testing.T) {
	var pts []seriesPoint
	for i := 1; i <= 7200; i++ { // two hours, a spike in the middle
		v := 50.0
		if i == 3601 {
			v = 4000
		}
		pts = append(pts, seriesPoint{float64(i), v})
	}
	svg := string(seriesSVG("p99", "p99 <of> each second", "ms", pts, []seriesPoint{{0, 351.85}, {7200, 351.85}}, "TP99 limit"))
	checkPlot(t, "series", svg)
	line := regexp.MustCompile(`<polyline class="curve" points="([^"]*)"`).FindStringSubmatch(svg)
	if line == nil {
		t.Fatal("no curve")
	}
	if n := len(strings.Fields(line[1])); n > 700 {
		t.Errorf("%d points drawn for 7200 seconds: the series is not thinned", n)
	}
	for _, want := range []string{"p99 &lt;of&gt; each second (ms)", "TP99 limit", ">30 min<", ">120 min<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("series lacks %q", want)
		}
	}
	checkPlot(t, "empty series", string(seriesSVG("rate", "rate", "req/s", nil, nil, "")))
	checkPlot(t, "one point", string(seriesSVG("rate", "rate", "req/s", []seriesPoint{{1, 0}}, nil, "")))
	checkPlot(t, "not finite", string(seriesSVG("rate", "rate", "req/s", []seriesPoint{{1, math.NaN()}, {2, 3}}, nil, "")))
}

// Thinning keeps the largest value of each stretch: a one-second spike of p99 survives.
func TestDownsampleKeepsPeaks(t *testing.T) {
	var pts []seriesPoint
	for i := range 10000 {
		pts = append(pts, seriesPoint{float64(i), 1})
	}
	pts[7777].V = 99
	got := downsample(pts, 600)
	if len(got) > 600 {
		t.Errorf("%d points, want at most 600", len(got))
	}
	peak := 0.0
	for _, p := range got {
		peak = math.Max(peak, p.V)
	}
	if peak != 99 {
		t.Errorf("the spike is lost: peak %v", peak)
	}
	if short := pts[:10]; len(downsample(short, 600)) != 10 {
		t.Error("a short series must be kept as it is")
	}
}

func TestTrendSVG(t *testing.T) {
	p99 := 48.5
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	svg := string(trendSVG([]HistoryPoint{
		{StartedAt: at, Verdict: VerdictPass, Specs: 9, Passed: 9, P99MS: &p99},
		{StartedAt: at.Add(time.Hour), Verdict: VerdictFail, Specs: 9, Passed: 6, Failed: 3},
		{StartedAt: at.Add(2 * time.Hour), Verdict: "<bad>", Specs: 9, Skipped: 9},
	}))
	checkPlot(t, "trend", svg)
	for _, want := range []string{`class="run pass"`, `class="run fail"`, `class="run inconclusive"`, "&lt;bad&gt;", "p99 of the load run", "03-01 01:00"} {
		if !strings.Contains(svg, want) {
			t.Errorf("trend lacks %q", want)
		}
	}
	if strings.Contains(svg, ">0.5<") {
		t.Error("a count axis has half a spec")
	}
	checkPlot(t, "one run", string(trendSVG([]HistoryPoint{{StartedAt: at}})))
}

func TestAxisSteps(t *testing.T) {
	for _, tc := range []struct{ span, want float64 }{{10, 2}, {7, 2}, {100, 20}, {1500, 500}, {0, 1}} {
		if got := niceStep(tc.span, 5); got != tc.want {
			t.Errorf("niceStep(%v, 5) = %v, want %v", tc.span, got, tc.want)
		}
	}
	for _, tc := range []struct{ span, want float64 }{{5, 1}, {60, 10}, {200, 30}, {3600, 600}, {86400, 10800}} {
		if got := timeStep(tc.span, 8); got != tc.want {
			t.Errorf("timeStep(%v, 8) = %v, want %v", tc.span, got, tc.want)
		}
	}
	for _, tc := range []struct{ v, below, above float64 }{{1, 1, 1}, {3, 2, 5}, {0.07, 0.05, 0.1}, {1431, 1000, 2000}} {
		if b, a := niceBelow(tc.v), niceAbove(tc.v); math.Abs(b-tc.below) > 1e-12 || math.Abs(a-tc.above) > 1e-12 {
			t.Errorf("nice(%v) = %v, %v, want %v, %v", tc.v, b, a, tc.below, tc.above)
		}
	}
	for _, tc := range []struct {
		v    float64
		want string
	}{{0.0198, "0.0198 ms"}, {19.8, "19.8 ms"}, {351.853, "351.85 ms"}, {1431.42, "1431 ms"}} {
		if got := formatMS(tc.v); got != tc.want {
			t.Errorf("formatMS(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
	for _, tc := range []struct {
		f    float64
		want string
	}{{0, "0%"}, {0.001, "0.1%"}, {0.0001, "0.01%"}, {0.001355, "0.14%"}, {0.25, "25%"}} {
		if got := pct(tc.f); got != tc.want {
			t.Errorf("pct(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}
