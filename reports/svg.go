package reports

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// The plots are pure functions from numbers to inline SVG, so the page needs no script, font or
// image, prints as it shows, and a test can check a plot without a browser. Colours come from
// the page's stylesheet through classes; every plot also says what it shows in words (a title,
// labelled axes, labelled limits), so it reads in grey.

// maxNines is the right end of the percentile axis: 99.999.
const maxNines = 5

// curvePoint is one point of a percentile curve: Nines is -log10(1 - p/100), MS the latency.
type curvePoint struct{ Nines, MS float64 }

// sloMark is one limit drawn on the percentile plot. Verdict is pass, fail or inconclusive.
// A Step mark's label is "Label ≤ limit"; another's is Label as it is.
type sloMark struct {
	Label      string
	Percentile float64
	LimitMS    float64
	Verdict    string
	// Step marks a percentile limit, part of the requirement's dashed step line; a timeout
	// budget is only a labelled point.
	Step bool
	// ObservedMS and the interval are drawn when known (CILowMS <= CIHighMS, both > 0).
	ObservedMS, CILowMS, CIHighMS float64
}

// seriesPoint is one second of a time series: T seconds from the start, V the value.
type seriesPoint struct{ T, V float64 }

// nines maps a percentile to the log "nines" axis: 0 → 0, 90 → 1, 99 → 2, 99.9 → 3.
func nines(p float64) float64 {
	if p >= 100 {
		return maxNines
	}
	if p <= 0 {
		return 0
	}
	return math.Min(maxNines, -math.Log10(1-p/100))
}

// percentileCurve samples a histogram of microseconds along the nines axis, densely enough
// that the steps of its tail show. One pass over the histogram reads every sample.
func percentileCurve(h *hdrhistogram.Histogram) []curvePoint {
	if h == nil || h.TotalCount() == 0 {
		return nil
	}
	const steps = 250
	ps := make([]float64, steps+1)
	for i := range ps {
		ps[i] = 100 * (1 - math.Pow(10, -maxNines*float64(i)/steps))
	}
	vs := h.ValueAtPercentilesSlice(ps)
	out := make([]curvePoint, 0, len(ps))
	for i, p := range ps {
		out = append(out, curvePoint{Nines: nines(p), MS: float64(vs[i]) / 1000})
	}
	return out
}

// plot is the frame of one chart: its pixel box and the data ranges it maps.
type plot struct {
	w, h                   float64
	left, right, top, bott float64
	x0, x1, y0, y1         float64
	logY                   bool
}

func (p plot) px(x float64) float64 {
	return p.left + (x-p.x0)/(p.x1-p.x0)*(p.w-p.left-p.right)
}

func (p plot) py(y float64) float64 {
	lo, hi, v := p.y0, p.y1, y
	if p.logY {
		lo, hi, v = math.Log10(lo), math.Log10(hi), math.Log10(math.Max(y, p.y0))
	}
	f := (v - lo) / (hi - lo)
	return p.h - p.bott - f*(p.h-p.top-p.bott)
}

// num prints a coordinate with one decimal: plenty for a screen, and it keeps the page small.
func num(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// svgOpen starts a chart scaled to its container, titled for screen readers.
func svgOpen(b *strings.Builder, p plot, class, title string) {
	fmt.Fprintf(b, `<svg class="plot %s" viewBox="0 0 %s %s" role="img" aria-label="%s">`,
		class, num(p.w), num(p.h), html.EscapeString(title))
	fmt.Fprintf(b, `<title>%s</title>`, html.EscapeString(title))
	fmt.Fprintf(b, `<rect class="frame" x="%s" y="%s" width="%s" height="%s"/>`,
		num(p.left), num(p.top), num(p.w-p.left-p.right), num(p.h-p.top-p.bott))
}

func text(b *strings.Builder, class string, x, y float64, anchor, s string) {
	fmt.Fprintf(b, `<text class="%s" x="%s" y="%s" text-anchor="%s">%s</text>`, class, num(x), num(y), anchor, html.EscapeString(s))
}

func line(b *strings.Builder, class string, x1, y1, x2, y2 float64) {
	fmt.Fprintf(b, `<line class="%s" x1="%s" y1="%s" x2="%s" y2="%s"/>`, class, num(x1), num(y1), num(x2), num(y2))
}

// polyline draws pts, skipping points that would land on the previous pixel column and row.
func polyline(b *strings.Builder, class string, p plot, xs, ys []float64) {
	fmt.Fprintf(b, `<polyline class="%s" points="`, class)
	lastX, lastY := math.NaN(), math.NaN()
	for i := range xs {
		if !finite(xs[i]) || !finite(ys[i]) {
			continue
		}
		x, y := math.Round(p.px(xs[i])*10)/10, math.Round(p.py(ys[i])*10)/10
		if x == lastX && y == lastY {
			continue
		}
		if !math.IsNaN(lastX) {
			b.WriteByte(' ')
		}
		b.WriteString(num(x) + "," + num(y))
		lastX, lastY = x, y
	}
	b.WriteString(`"/>`)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// ninesLabel names a tick of the nines axis.
func ninesLabel(n int) string {
	switch n {
	case 0:
		return "0"
	case 1:
		return "90"
	case 2:
		return "99"
	}
	return "99." + strings.Repeat("9", n-2)
}

// percentileSVG plots the whole latency distribution against its limits: percentile on a
// nines axis (0 to 99.999), latency in ms on a log axis, each limit a labelled diamond with
// the requirement drawn as a dashed step, each observed percentile with its interval.
func percentileSVG(curve []curvePoint, marks []sloMark) template.HTML {
	p := plot{w: 1000, h: 380, left: 70, right: 36, top: 30, bott: 46, x0: 0, x1: maxNines, logY: true}
	lo, hi := math.Inf(1), 0.0
	for _, c := range curve {
		if c.MS > 0 {
			lo = math.Min(lo, c.MS)
		}
		hi = math.Max(hi, c.MS)
	}
	for _, m := range marks {
		for _, v := range []float64{m.LimitMS, m.ObservedMS, m.CILowMS, m.CIHighMS} {
			if v > 0 {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 1) || hi <= 0 {
		lo, hi = 1, 1000
	}
	p.y0, p.y1 = niceBelow(lo), niceAbove(hi*1.15)
	if p.y1/p.y0 < 20 {
		p.y0 = niceBelow(p.y1 / 20)
	}
	var b strings.Builder
	svgOpen(&b, p, "percentiles", "Latency by percentile, with the SLO limits")
	for d := decadeFloor(p.y0); d <= p.y1*1.0001; d *= 10 {
		for _, k := range []float64{1, 2, 5} {
			v := d * k
			if v < p.y0*0.9999 || v > p.y1*1.0001 {
				continue
			}
			y := p.py(v)
			line(&b, "grid", p.left, y, p.w-p.right, y)
			text(&b, "tick", p.left-6, y+4, "end", formatMS(v))
		}
	}
	for n := 0; n <= maxNines; n++ {
		x := p.px(float64(n))
		line(&b, "grid", x, p.top, x, p.h-p.bott)
		text(&b, "tick", x, p.h-p.bott+16, "middle", ninesLabel(n))
	}
	text(&b, "axis", (p.left+p.w-p.right)/2, p.h-8, "middle", "percentile (log scale of nines)")
	fmt.Fprintf(&b, `<text class="axis" transform="translate(14 %s) rotate(-90)" text-anchor="middle">latency, ms (log scale)</text>`, num((p.top+p.h-p.bott)/2))

	// The requirement: up to each limit's percentile the latency must stay under it.
	var xs, ys []float64
	for _, m := range marks {
		if !m.Step {
			continue
		}
		if len(xs) == 0 {
			xs, ys = append(xs, 0), append(ys, m.LimitMS)
		} else {
			xs, ys = append(xs, xs[len(xs)-1]), append(ys, m.LimitMS)
		}
		xs, ys = append(xs, nines(m.Percentile)), append(ys, m.LimitMS)
	}
	if len(xs) > 0 {
		polyline(&b, "slo", p, xs, ys)
	}
	if len(curve) > 0 {
		xs, ys := make([]float64, len(curve)), make([]float64, len(curve))
		for i, c := range curve {
			xs[i], ys[i] = c.Nines, c.MS
		}
		polyline(&b, "curve", p, xs, ys)
	}
	for _, m := range marks {
		x, y := p.px(nines(m.Percentile)), p.py(m.LimitMS)
		if m.CILowMS > 0 && m.CIHighMS >= m.CILowMS {
			line(&b, "ci", x, p.py(m.CILowMS), x, p.py(m.CIHighMS))
		}
		if m.ObservedMS > 0 {
			fmt.Fprintf(&b, `<circle class="observed" cx="%s" cy="%s" r="3.5"/>`, num(x), num(p.py(m.ObservedMS)))
		}
		fmt.Fprintf(&b, `<path class="limit %s" d="M%s %sl6 6l-6 6l-6 -6z"/>`, verdictClass(m.Verdict), num(x), num(y-6))
		label := m.Label
		if m.Step {
			label = fmt.Sprintf("%s ≤ %s", m.Label, formatMS(m.LimitMS))
		}
		width := 6.5 * float64(len([]rune(label)))
		switch {
		case m.Step && x-10-width > p.left:
			// Above the dashed segment that leads to the diamond: the curve is below a limit
			// it meets.
			text(&b, "mark", x-10, y-6, "end", label)
		case m.Step:
			text(&b, "mark", p.left+4, y-6, "start", label)
		case x+10+width > p.w-p.right:
			text(&b, "mark", x-10, y+16, "end", label)
		default:
			text(&b, "mark", x+10, y+4, "start", label)
		}
	}
	legend(&b, p, []legendItem{{"curve", "observed latency"}, {"slo", "SLO limit (diamond: green met, red missed, amber undecided)"}, {"ci", "observed percentile and its interval"}})
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

type legendItem struct{ class, label string }

func legend(b *strings.Builder, p plot, items []legendItem) {
	x := p.left + 8
	for _, it := range items {
		line(b, it.class, x, p.top-12, x+18, p.top-12)
		text(b, "tick", x+22, p.top-8, "start", it.label)
		x += 34 + 7*float64(len(it.label))
	}
}

func verdictClass(v string) string {
	switch v {
	case VerdictPass, VerdictFail, VerdictInconclusive:
		return v
	case VerdictError:
		return VerdictFail // a run that could not judge its target fails the gate: drawn as one
	}
	return VerdictInconclusive
}

// seriesSVG plots one value per second from the start of a load run, with an optional
// reference drawn dashed (the requested rate, or the p99 limit).
func seriesSVG(class, title, unit string, pts, ref []seriesPoint, refLabel string) template.HTML {
	pts, ref = downsample(finitePoints(pts), 600), downsample(finitePoints(ref), 600)
	p := plot{w: 1000, h: 210, left: 70, right: 36, top: 30, bott: 40}
	maxT, maxV := 1.0, 0.0
	for _, s := range append(slices.Clip(pts), ref...) {
		maxT, maxV = math.Max(maxT, s.T), math.Max(maxV, s.V)
	}
	if maxV <= 0 {
		maxV = 1
	}
	stepY := niceStep(maxV*1.1, 4)
	p.x1, p.y1 = maxT, stepY*math.Ceil(maxV*1.1/stepY)
	var b strings.Builder
	svgOpen(&b, p, class, title)
	for v := 0.0; v <= p.y1*1.0001; v += stepY {
		y := p.py(v)
		line(&b, "grid", p.left, y, p.w-p.right, y)
		text(&b, "tick", p.left-6, y+4, "end", trimFloat(v))
	}
	stepT := timeStep(maxT, 8)
	for t := 0.0; t <= maxT*1.0001; t += stepT {
		x := p.px(t)
		line(&b, "grid", x, p.top, x, p.h-p.bott)
		text(&b, "tick", x, p.h-p.bott+16, "middle", formatSeconds(t, stepT))
	}
	text(&b, "axis", (p.left+p.w-p.right)/2, p.h-6, "middle", "time since start")
	text(&b, "axis", p.left, p.top-10, "start", title+" ("+unit+")")
	if len(ref) > 0 {
		xs, ys := seriesXY(ref)
		polyline(&b, "slo", p, xs, ys)
		last := ref[len(ref)-1]
		text(&b, "mark", p.w-p.right-4, p.py(last.V)-5, "end", refLabel)
	}
	if len(pts) > 0 {
		xs, ys := seriesXY(pts)
		polyline(&b, "curve", p, xs, ys)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// finitePoints drops points a plot cannot place (a NaN from a hand-edited file).
func finitePoints(pts []seriesPoint) []seriesPoint {
	out := pts[:0:0]
	for _, p := range pts {
		if finite(p.T) && finite(p.V) {
			out = append(out, p)
		}
	}
	return out
}

func seriesXY(pts []seriesPoint) (xs, ys []float64) {
	xs, ys = make([]float64, len(pts)), make([]float64, len(pts))
	for i, s := range pts {
		xs[i], ys[i] = s.T, s.V
	}
	return xs, ys
}

// downsample keeps at most n points of a long run: each kept point is the largest value of its
// stretch, so a spike of p99 is never averaged away.
func downsample(pts []seriesPoint, n int) []seriesPoint {
	if len(pts) <= n {
		return pts
	}
	per := int(math.Ceil(float64(len(pts)) / float64(n)))
	out := make([]seriesPoint, 0, n)
	for i := 0; i < len(pts); i += per {
		best := pts[i]
		for _, s := range pts[i:min(i+per, len(pts))] {
			if s.V > best.V {
				best.V = s.V
			}
		}
		out = append(out, best)
	}
	return out
}

// trendSVG draws the failed-spec count (and p99, when runs have it) of earlier runs and this
// one, oldest first, one column per run.
func trendSVG(points []HistoryPoint) template.HTML {
	p := plot{w: 1000, h: 190, left: 70, right: 70, top: 30, bott: 40, x0: -0.3, x1: math.Max(1, float64(len(points)-1)) + 0.3}
	maxF, maxP := 1.0, 0.0
	for _, h := range points {
		maxF = math.Max(maxF, float64(h.Failed))
		if h.P99MS != nil && finite(*h.P99MS) {
			maxP = math.Max(maxP, *h.P99MS)
		}
	}
	stepF := math.Max(1, niceStep(maxF, 4)) // counts: no half a spec
	p.y1 = stepF * math.Ceil(maxF/stepF)
	var b strings.Builder
	svgOpen(&b, p, "trend", "Failed specs and p99 latency across runs")
	for v := 0.0; v <= p.y1*1.0001; v += stepF {
		y := p.py(v)
		line(&b, "grid", p.left, y, p.w-p.right, y)
		text(&b, "tick", p.left-6, y+4, "end", trimFloat(v))
	}
	text(&b, "axis", p.left, p.top-10, "start", "failed specs")
	xs, ys := make([]float64, len(points)), make([]float64, len(points))
	for i, h := range points {
		xs[i], ys[i] = float64(i), float64(h.Failed)
		x := p.px(float64(i))
		if len(points) <= 12 || i%((len(points)+11)/12) == 0 || i == len(points)-1 {
			text(&b, "tick", x, p.h-p.bott+16, "middle", h.StartedAt.UTC().Format("01-02 15:04"))
		}
	}
	if len(points) > 0 {
		polyline(&b, "curve", p, xs, ys)
		for i, h := range points {
			fmt.Fprintf(&b, `<circle class="run %s" cx="%s" cy="%s" r="4"><title>%s: %s, %d failed</title></circle>`,
				verdictClass(h.Verdict), num(p.px(float64(i))), num(p.py(float64(h.Failed))),
				html.EscapeString(h.StartedAt.UTC().Format("2006-01-02 15:04")), html.EscapeString(h.Verdict), h.Failed)
		}
	}
	if maxP > 0 {
		q := p
		q.y0, q.y1 = 0, niceStep(maxP*1.1, 4)*math.Ceil(maxP*1.1/niceStep(maxP*1.1, 4))
		text(&b, "axis", p.w-p.right, p.top-10, "end", "p99 of the load run, ms (dashed)")
		for v := 0.0; v <= q.y1*1.0001; v += niceStep(maxP*1.1, 4) {
			text(&b, "tick", p.w-p.right+6, q.py(v)+4, "start", trimFloat(v))
		}
		var px, py []float64
		for i, h := range points {
			if h.P99MS != nil && finite(*h.P99MS) {
				px, py = append(px, float64(i)), append(py, *h.P99MS)
			}
		}
		polyline(&b, "p99", q, px, py)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceStep is a 1, 2 or 5 times a power of ten that cuts span into about n steps.
func niceStep(span float64, n int) float64 {
	if span <= 0 || n <= 0 {
		return 1
	}
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, k := range []float64{1, 2, 5, 10} {
		if raw <= k*mag {
			return k * mag
		}
	}
	return 10 * mag
}

func decadeFloor(v float64) float64 { return math.Pow(10, math.Floor(math.Log10(v))) }

// niceBelow and niceAbove round v down or up to 1, 2 or 5 times a power of ten.
func niceBelow(v float64) float64 {
	d := decadeFloor(v)
	for _, k := range []float64{5, 2, 1} {
		if d*k <= v {
			return d * k
		}
	}
	return d
}

func niceAbove(v float64) float64 {
	d := decadeFloor(v)
	for _, k := range []float64{1, 2, 5, 10} {
		if d*k >= v {
			return d * k
		}
	}
	return 10 * d
}

// trimFloat prints a tick value without trailing zeros: 0.5, 2, 1500.
func trimFloat(v float64) string {
	return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
}

// formatMS prints a latency for a person: 0.02 ms, 19.8 ms, 351.85 ms, 1431 ms.
func formatMS(v float64) string {
	switch {
	case v >= 1000:
		return strconv.FormatFloat(math.Round(v), 'f', -1, 64) + " ms"
	case v >= 1:
		return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'g', 3, 64) + " ms"
}

// timeStep is a step of a time axis in seconds that people count in: 1, 2, 5, 10, 15 or 30
// seconds, then 1, 2, 5, 10, 15 or 30 minutes, then hours.
func timeStep(span float64, n int) float64 {
	for _, s := range []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200} {
		if span/s <= float64(n) {
			return s
		}
	}
	return niceStep(span/3600, n) * 3600
}

// formatSeconds labels a tick of a time axis whose step is step seconds.
func formatSeconds(t, step float64) string {
	switch {
	case step < 60:
		return trimFloat(t) + " s"
	case step < 3600:
		return trimFloat(t/60) + " min"
	}
	return trimFloat(t/3600) + " h"
}
