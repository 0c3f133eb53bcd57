package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/jpcheck/jpcheck/load"
)

// sampleLoadHistogram is a known distribution in microseconds: 10,000 requests with 0.1% over
// 1000 ms and one over 2000 ms, straddling each SLO bucket.
func sampleLoadHistogram(t testing.TB) *hdrhistogram.Histogram {
	t.Helper()
	h := hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	for _, v := range []struct{ us, n int64 }{
		{12_000, 4_800}, {19_700, 150}, {25_000, 3_900}, {50_000, 900}, {300_000, 200},
		{500_000, 38}, {900_000, 2}, {1_200_000, 9}, {2_500_000, 1},
	} {
		if err := h.RecordValues(v.us, v.n); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// sampleLoad is a constant-rate run at fixed times with every section filled, its verdict
// computed by the engine from the histogram, so golden output is stable.
func sampleLoad(t testing.TB) *load.Result {
	t.Helper()
	h := sampleLoadHistogram(t)
	counts := load.Counts{Requests: h.TotalCount() + 3, Failed: 3, Over1000: 10, Over2000: 1}
	verdict := load.Evaluate(load.DefaultSLO(), load.HistogramSample(h), counts, load.EvalOptions{})
	return &load.Result{
		Version: load.ResultVersion, Target: "https://user:s3cret@orders.example.com:8443",
		Endpoint: load.EndpointOrderStatus, Mode: "constant", Requests: h.TotalCount() + 3,
		Rate:      load.Rate{Requested: 200, Achieved: 199.8},
		LatencyMS: load.Latency{P50: 25.007, P90: 50.015, P99: 300.031, P999: 900.095, P9999: 1200.127, Max: 2500.607},
		Errors:    load.Errors{Count: 3, ByKind: map[string]int64{load.ErrorStatus5xx: 2, load.ErrorTimeout: 1}},
		Timeouts: load.Timeouts{Over1000ms: load.Budget{Count: 10, Fraction: 0.001},
			Over2000ms: load.Budget{Count: 1, Fraction: 0.0001}},
		SLO:       verdict,
		StartedAt: time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC), DurationMS: 50_050,
		Workers: 64, TimeoutMS: 2000,
		Generator: load.Generator{LagP50MS: 0.004, LagP99MS: 0.4, LagMaxMS: 2.1, MaxWorkers: 464},
		Validation: load.Validation{Sample: 1, Validated: 9_997, Failed: 1, Findings: []load.FindingSample{
			{Pointer: "/status_id", Rule: "invariant.status-id", Severity: "error", Message: "status_id 27 does not match status CHARGED", Count: 1},
		}},
		Series:    []load.Point{{T: 1, Width: 1, Requested: 200, Rate: 199, P99MS: 300.031}},
		Histogram: h,
	}
}

func TestWriteLoadTextGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteLoadText(&b, sampleLoad(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "txt", b.Bytes())
	if strings.Contains(b.String(), "s3cret") {
		t.Error("the text shows the target's password")
	}
}

// The TP50 unit note appears with the document's TP50 and not with an overridden one.
func TestWriteLoadTextTP50Note(t *testing.T) {
	r := sampleLoad(t)
	var b bytes.Buffer
	WriteLoadText(&b, r)
	if !strings.Contains(b.String(), `0.0198 under a "(ms)" header`) {
		t.Errorf("no TP50 note with the default SLO:\n%s", b.String())
	}
	slo := load.DefaultSLO()
	slo.TP50MS = 25
	r.SLO = load.Evaluate(slo, load.HistogramSample(r.Histogram), load.Counts{Requests: r.Requests}, load.EvalOptions{})
	b.Reset()
	WriteLoadText(&b, r)
	if strings.Contains(b.String(), "0.0198") {
		t.Errorf("TP50 note with an overridden TP50:\n%s", b.String())
	}
}

func TestLoadVerdictLine(t *testing.T) {
	pass, fail := true, false
	for _, tc := range []struct {
		name string
		r    load.Result
		want string
	}{
		{"met", load.Result{SLO: load.Verdict{Pass: true, Conclusive: true}}, "SLO met: every check passed"},
		{"inconclusive", load.Result{SLO: load.Verdict{Pass: true, Checks: []load.Check{{Name: "TP50", Pass: &pass}, {Name: "TP99.99"}}}},
			"SLO met, not conclusively: no check failed, but TP99.99 could not be decided"},
		{"failed", load.Result{SLO: load.Verdict{Reasons: []string{"TP99 failed"}, Checks: []load.Check{{Name: "TP99", Pass: &fail}}}}, "SLO not met: TP99 failed"},
		{"voided", load.Result{SLO: load.Verdict{Outcome: load.OutcomeInconclusive, GeneratorLimited: true}, Generator: load.Generator{LimitedReason: "lag"}},
			"SLO inconclusive: a check failed while the load generator was behind its schedule, so the fail may be the generator's (lag)"},
		{"lagging pass", load.Result{SLO: load.Verdict{Outcome: load.OutcomePass, Pass: true, Conclusive: true, GeneratorLimited: true}},
			"SLO met: every check passed"},
		{"not judged", load.Result{SLO: load.Verdict{Outcome: load.OutcomeNotJudged, Reasons: []string{"not judged: unthrottled"}}},
			"SLO not judged: unthrottled"},
		{"aborted", load.Result{Aborted: true, DurationMS: 1500, SLO: load.Verdict{Pass: true, Conclusive: true}}, "run aborted after 1.5s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := LoadVerdictLine(&tc.r); !strings.HasPrefix(got, tc.want) {
				t.Errorf("got %q, want it to start %q", got, tc.want)
			}
		})
	}
}

// The JSON has the load issue's keys, exactly where it names them, and no password.
func TestWriteLoadJSONKeys(t *testing.T) {
	var b bytes.Buffer
	if err := WriteLoadJSON(&b, sampleLoad(t)); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	mustUnmarshal(t, b.Bytes(), &doc)
	for _, k := range []string{"version", "target", "requests", "rate", "latency_ms", "errors", "timeouts", "slo"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("no %q key", k)
		}
	}
	if string(doc["version"]) != "1" || strings.Contains(string(doc["target"]), "s3cret") {
		t.Errorf("version %s, target %s", doc["version"], doc["target"])
	}
	var rate, lat, errs, timeouts, slo map[string]json.RawMessage
	mustUnmarshal(t, doc["rate"], &rate)
	mustUnmarshal(t, doc["latency_ms"], &lat)
	mustUnmarshal(t, doc["errors"], &errs)
	mustUnmarshal(t, doc["timeouts"], &timeouts)
	mustUnmarshal(t, doc["slo"], &slo)
	wantKeys(t, "rate", rate, "achieved", "requested")
	wantKeys(t, "latency_ms", lat, "max", "p50", "p90", "p99", "p99.9", "p99.99")
	wantKeys(t, "errors", errs, "by_kind", "count")
	wantKeys(t, "timeouts", timeouts, "over_1000ms", "over_2000ms")
	for _, k := range []string{"over_1000ms", "over_2000ms"} {
		var bud map[string]json.RawMessage
		mustUnmarshal(t, timeouts[k], &bud)
		wantKeys(t, k, bud, "count", "fraction")
	}
	for _, k := range []string{"pass", "conclusive", "generator_limited", "checks"} {
		if _, ok := slo[k]; !ok {
			t.Errorf("slo has no %q", k)
		}
	}
	var checks []map[string]json.RawMessage
	mustUnmarshal(t, slo["checks"], &checks)
	var names []string
	for _, c := range checks {
		var name string
		mustUnmarshal(t, c["name"], &name)
		names = append(names, name)
		for _, k := range []string{"name", "limit_ms", "observed_ms", "limit_fraction", "observed_fraction", "ci", "pass"} {
			if _, ok := c[k]; !ok {
				t.Errorf("check %s has no %q", name, k)
			}
		}
	}
	if got := strings.Join(names, " "); got != "TP50 TP90 TP99 TP99.9 TP99.99 timeout-1000ms timeout-2000ms errors" {
		t.Errorf("check names %s", got)
	}
}

// An empty run still prints maps and arrays, never null.
func TestWriteLoadJSONEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := WriteLoadJSON(&b, &load.Result{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"version": 1`, `"by_kind": {}`, `"checks": []`, `"series": []`, `"findings": []`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %s in\n%s", want, b.String())
		}
	}
}

// --out writes the JSON and a histogram that decodes to the run's and merges with another.
func TestWriteLoadDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "load")
	r := sampleLoad(t)
	if err := WriteLoadDir(dir, r); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, LoadJSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var back load.Result
	mustUnmarshal(t, data, &back)
	if back.Requests != r.Requests || back.SLO.Pass != r.SLO.Pass || len(back.SLO.Checks) != 8 {
		t.Errorf("read back %d requests, pass %v, %d checks", back.Requests, back.SLO.Pass, len(back.SLO.Checks))
	}
	enc, err := os.ReadFile(filepath.Join(dir, LoadHistogramFile))
	if err != nil {
		t.Fatal(err)
	}
	h, err := load.DecodeHistogram(bytes.TrimSpace(enc))
	if err != nil {
		t.Fatal(err)
	}
	if !h.Equals(r.Histogram) {
		t.Error("the histogram file does not decode to the run's histogram")
	}
	// The histogram holds the successful requests; the failed ones are counted in errors.
	if dropped := h.Merge(sampleLoadHistogram(t)); dropped != 0 || h.TotalCount() != 2*r.Histogram.TotalCount() {
		t.Errorf("merged %d values (%d dropped), want %d", h.TotalCount(), dropped, 2*r.Histogram.TotalCount())
	}
	// A run read back from its JSON renders the same metrics as the live one.
	var live, saved bytes.Buffer
	WriteLoadOpenMetrics(&live, r)
	if err := WriteLoadOpenMetrics(&saved, &back); err != nil {
		t.Fatal(err)
	}
	if live.String() != saved.String() {
		t.Errorf("metrics differ between the live run and the saved one:\n%s", firstDiff(live.String(), saved.String()))
	}
}

func TestWriteLoadOpenMetricsGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteLoadOpenMetrics(&b, sampleLoad(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "txt", b.Bytes())
	checkOpenMetrics(t, b.String())
}

// The buckets sit exactly at the SLO limits and count what the histogram holds at or below
// each: the sample's values straddle every bound.
func TestWriteLoadOpenMetricsBuckets(t *testing.T) {
	var b bytes.Buffer
	WriteLoadOpenMetrics(&b, sampleLoad(t))
	want := map[string]float64{
		"0.0198": 4_950, "0.05571": 9_750, "0.35185": 9_950, "0.59442": 9_988, "1.0": 9_990,
		"1.43142": 9_999, "2.0": 9_999, "+Inf": 10_000,
	}
	got := map[string]float64{}
	re := regexp.MustCompile(`^jpcheck_load_latency_seconds_bucket\{le="([^"]+)"\} (\S+)$`)
	var order []string
	for _, l := range strings.Split(b.String(), "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			v, _ := strconv.ParseFloat(m[2], 64)
			got[m[1]] = v
			order = append(order, m[1])
		}
	}
	if strings.Join(order, " ") != "0.0198 0.05571 0.35185 0.59442 1.0 1.43142 2.0 +Inf" {
		t.Errorf("buckets %v", order)
	}
	for le, n := range want {
		if got[le] != n {
			t.Errorf("bucket le=%s holds %v, want %v", le, got[le], n)
		}
	}
}

// Buckets follow an overridden SLO.
func TestWriteLoadOpenMetricsSLOBuckets(t *testing.T) {
	r := sampleLoad(t)
	slo := load.DefaultSLO()
	slo.TP50MS, slo.TP99MS = 26, 1000 // 1000 ms is also a timeout threshold: one bucket
	r.SLO = load.Evaluate(slo, load.HistogramSample(r.Histogram), load.Counts{Requests: r.Requests}, load.EvalOptions{})
	var b bytes.Buffer
	WriteLoadOpenMetrics(&b, r)
	if !strings.Contains(b.String(), `le="0.026"} 8850`) || strings.Contains(b.String(), `le="0.0198"`) || strings.Count(b.String(), `le="1.0"`) != 1 {
		t.Errorf("buckets do not follow the SLO:\n%s", b.String())
	}
	checkOpenMetrics(t, b.String())
}

func TestWriteLoadCapacity(t *testing.T) {
	pass := sampleLoad(t)
	pass.SLO = load.Verdict{Outcome: load.OutcomePass, Pass: true, Conclusive: true, Confidence: 0.95, Checks: pass.SLO.Checks}
	failed := sampleLoad(t)
	failed.Rate = load.Rate{Requested: 400, Achieved: 399.5}
	failed.SLO.Pass, failed.SLO.Outcome, failed.SLO.Reasons = false, load.OutcomeFail, []string{"TP99 failed"}
	failed.SLO.Checks = append([]load.Check(nil), failed.SLO.Checks...)
	failed.SLO.Checks[2].Result = load.OutcomeFail
	c := &load.CapacityResult{Version: 1, Capacity: 200, StoppedBy: load.StoppedBySLO, Steps: []load.CapacityStep{
		{Rate: 200, Pass: true, Result: pass}, {Rate: 400, Pass: false, Result: failed},
	}}
	if s := CapacityShownStep(c); s == nil || s.Rate != 200 {
		t.Fatalf("shown step %+v, want the one at 200/s", s)
	}
	var text, om, js bytes.Buffer
	if err := WriteLoadCapacityText(&text, c); err != nil {
		t.Fatal(err)
	}
	golden(t, "txt", text.Bytes())
	if err := WriteLoadCapacityOpenMetrics(&om, c); err != nil {
		t.Fatal(err)
	}
	checkOpenMetrics(t, om.String())
	if !strings.Contains(om.String(), "jpcheck_load_capacity_requests_per_second 200\n") || !strings.Contains(om.String(), `jpcheck_load_capacity_stopped{reason="slo"} 1`) {
		t.Errorf("capacity metrics:\n%s", om.String())
	}
	if err := WriteLoadCapacityJSON(&js, c); err != nil {
		t.Fatal(err)
	}
	var back load.CapacityResult
	mustUnmarshal(t, js.Bytes(), &back)
	if back.Capacity != 200 || len(back.Steps) != 2 || back.Steps[1].Result.SLO.Pass {
		t.Errorf("capacity JSON read back as %+v", back)
	}
	dir := t.TempDir()
	if err := WriteLoadCapacityDir(dir, c); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{LoadCapacityFile, LoadJSONFile, LoadHistogramFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

// checkOpenMetrics checks the exposition line by line: metadata before the samples of each
// family, families contiguous and not repeated, names and labels well formed, values
// parseable, buckets cumulative and ending at +Inf with the count, one # EOF at the end.
func checkOpenMetrics(t *testing.T, text string) {
	t.Helper()
	if !strings.HasSuffix(text, "# EOF\n") || strings.Count(text, "# EOF") != 1 {
		t.Fatalf("the exposition must end with one # EOF line:\n%s", text)
	}
	var (
		meta   = regexp.MustCompile(`^# (TYPE|UNIT|HELP) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$`)
		sample = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (\S+)$`)
		types  = map[string]string{}
		seen   = map[string]bool{}
		family string
	)
	var lastBucket float64 = -1
	var count, infBucket float64 = -1, -1
	sc := bufio.NewScanner(strings.NewReader(strings.TrimSuffix(text, "# EOF\n")))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if m := meta.FindStringSubmatch(line); m != nil {
			name := m[2]
			if m[1] == "TYPE" {
				if seen[name] {
					t.Errorf("line %d: family %s appears twice", n, name)
				}
				seen[name], family, types[name] = true, name, m[3]
				if m[3] != "gauge" && m[3] != "histogram" {
					t.Errorf("line %d: type %s is not one a Pushgateway reads", n, m[3])
				}
			} else if name != family {
				t.Errorf("line %d: %s metadata outside its family (%s)", n, m[1], family)
			}
			if m[1] == "UNIT" && !strings.HasSuffix(name, "_"+m[3]) {
				t.Errorf("line %d: %s does not end with its unit %s", n, name, m[3])
			}
			continue
		}
		m := sample.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("line %d is not a sample, metadata or # EOF: %q", n, line)
			continue
		}
		name, value := m[1], m[len(m)-1]
		v, err := strconv.ParseFloat(strings.TrimPrefix(value, "+"), 64)
		if err != nil {
			t.Errorf("line %d: value %q", n, value)
		}
		base := name
		if types[family] == "histogram" {
			for _, suf := range []string{"_bucket", "_count", "_sum"} {
				base = strings.TrimSuffix(base, suf)
			}
		}
		if base != family {
			t.Errorf("line %d: sample %s outside its family %s", n, name, family)
		}
		switch {
		case strings.HasSuffix(name, "_bucket"):
			if v < lastBucket {
				t.Errorf("line %d: bucket count %v below the previous %v", n, v, lastBucket)
			}
			lastBucket = v
			if strings.Contains(line, `le="+Inf"`) {
				infBucket = v
			}
		case strings.HasSuffix(name, "_count") && types[family] == "histogram":
			count = v
		}
	}
	if infBucket < 0 || infBucket != count || math.IsNaN(count) {
		t.Errorf("+Inf bucket %v, count %v: they must be present and equal", infBucket, count)
	}
}
