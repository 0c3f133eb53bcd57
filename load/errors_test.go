package load

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/jwe"
)

func TestRunCountsContractErrors(t *testing.T) {
	// An order whose amount is a string and which lacks most required fields.
	url := handlerServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"order_id":"JP1636474794","amount":"one hundred","status":"CHARGED"}`))
	})
	res, err := Run(context.Background(), baseConfig(t, url, 100, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Errors.ByKind[ErrorContract] != res.Requests || res.Errors.Count != res.Requests {
		t.Fatalf("errors %+v of %d requests, want every one a contract error", res.Errors, res.Requests)
	}
	if res.Validation.Validated != res.Requests || res.Validation.Failed != res.Requests {
		t.Errorf("validation %+v", res.Validation)
	}
	var amount *FindingSample
	for i, f := range res.Validation.Findings {
		if f.Pointer == "/amount" {
			amount = &res.Validation.Findings[i]
		}
	}
	if amount == nil || amount.Rule != "type" || amount.Count != res.Requests || amount.Message == "" {
		t.Errorf("no /amount type finding counted once per request: %+v", res.Validation.Findings)
	}
	// A body that breaks the contract is a failed request: out of the latencies, into the
	// errors check, and slower than every percentile limit.
	if n := res.Histogram.TotalCount(); n != 0 {
		t.Errorf("%d contract failures left among the successful latencies", n)
	}
	if ch := checkNamed(t, res.SLO, CheckErrors); ch.Result != OutcomeFail || *ch.ObservedFraction != 1 {
		t.Errorf("errors check %+v, want a fail at 100%%", ch)
	}
	if ch := checkNamed(t, res.SLO, CheckTP50); !ch.ObservedFailed || ch.ObservedMS != nil {
		t.Errorf("TP50 %+v, want it observed on a failed request", ch)
	}
	if res.SLO.Pass || res.Timeouts.Over2000ms.Count != res.Requests {
		t.Errorf("slo %+v, timeouts %+v", res.SLO, res.Timeouts)
	}
}

func TestRunValidateSample(t *testing.T) {
	target, _ := mockServer(t, nil)
	cfg := baseConfig(t, target, 200, time.Second)
	cfg.ValidateSample = 0.25
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := res.Requests / 4
	if got := res.Validation.Validated + res.Validation.Skipped; got < want-1 || got > want+1 {
		t.Errorf("sampled %d of %d requests at 0.25", got, res.Requests)
	}
	cfg.ValidateSample = 0
	cfg.Set = nil
	res, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Validation.Validated != 0 || res.Validation.Findings == nil {
		t.Errorf("validation off: %+v", res.Validation)
	}
}

func TestRunCountsErrorsByKind(t *testing.T) {
	var n atomic.Uint64
	writeOrder := orderHandler(t)
	url := handlerServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch seqOf(r, &n) % 5 {
		case 0:
			writeOrder(w)
		case 1:
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"status":"NOT_FOUND"}`))
		case 2:
			w.WriteHeader(http.StatusBadGateway)
		case 3:
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		case 4:
			// No HTTP answer at all.
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}
	})
	res, err := Run(context.Background(), baseConfig(t, url, 100, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	fifth := res.Requests / 5
	for _, k := range []string{ErrorStatus4xx, ErrorStatus5xx, ErrorStatus3xx, ErrorConnection} {
		if got := res.Errors.ByKind[k]; got < fifth-1 || got > fifth+1 {
			t.Errorf("%s: %d, want about %d of %d (by kind %v)", k, got, fifth, res.Requests, res.Errors.ByKind)
		}
	}
	var sum int64
	for _, v := range res.Errors.ByKind {
		sum += v
	}
	if sum != res.Errors.Count || res.Errors.ByKind[ErrorContract] != 0 {
		t.Errorf("count %d, by kind %v", res.Errors.Count, res.Errors.ByKind)
	}
	// Failed requests, answered or not, count beyond both budgets.
	if c := res.Errors.Count; res.Timeouts.Over2000ms.Count != c || res.Timeouts.Over1000ms.Count != c {
		t.Errorf("timeouts %+v, want the %d failed", res.Timeouts, c)
	}
	if res.SLO.Requests != res.Requests || res.Histogram.TotalCount() != res.Requests-res.Errors.Count {
		t.Errorf("judged %d of %d; %d successful latencies", res.SLO.Requests, res.Requests, res.Histogram.TotalCount())
	}
	if res.Validation.Validated+res.Validation.Skipped != res.Requests-res.Errors.Count {
		t.Errorf("validated %+v; only 2xx answers are checked", res.Validation)
	}
}

func TestRunRefusedConnections(t *testing.T) {
	url := handlerServer(t, func(http.ResponseWriter, *http.Request) {})
	cfg := baseConfig(t, url, 50, 300*time.Millisecond)
	cfg.Target = "http://127.0.0.1:1" // nothing listens on port 1
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Errors.ByKind[ErrorConnection] != res.Requests {
		t.Fatalf("errors %+v of %d", res.Errors, res.Requests)
	}
	// Everything failed: the verdict cannot pass.
	if res.SLO.Pass {
		t.Errorf("a run with every request refused passes: %+v", res.SLO)
	}
	// However fast a refusal comes, it is slower than every limit.
	for _, ch := range res.SLO.Checks[:5] {
		if ch.Result != OutcomeFail && ch.Result != OutcomeInconclusive || !ch.ObservedFailed {
			t.Errorf("%s: %+v, want observed on a failed request and not passed", ch.Name, ch)
		}
	}
}

func TestRunConfigErrors(t *testing.T) {
	good := Config{Target: "http://127.0.0.1:1", OrderIDs: []string{"o1"}, Rate: 10, Duration: time.Second}
	for _, c := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no target", func(c *Config) { c.Target = "" }, "not an http(s) URL"},
		{"ftp target", func(c *Config) { c.Target = "ftp://x" }, "not an http(s) URL"},
		{"no orders", func(c *Config) { c.OrderIDs = nil }, "no order ids"},
		{"blank order", func(c *Config) { c.OrderIDs = []string{"o1", " "} }, "empty"},
		{"negative rate", func(c *Config) { c.Rate = -1 }, "rate"},
		{"no duration", func(c *Config) { c.Duration = 0 }, "duration"},
		{"negative workers", func(c *Config) { c.Workers = -2 }, "workers"},
		{"sample without a set", func(c *Config) { c.ValidateSample = 1 }, "contracts set"},
		{"sample over 1", func(c *Config) { c.ValidateSample = 2 }, "fraction"},
		{"ramp without any duration", func(c *Config) { c.Duration = 0; c.Ramp = &Ramp{From: 1, To: 2, Step: 1} }, "ramp"},
		{"bad ramp", func(c *Config) { c.Ramp = &Ramp{From: 3, To: 2, Step: 1} }, "FROM must not exceed TO"},
		// A timeout that would cut requests off before a limit censors what is judged.
		{"timeout under 2000 ms", func(c *Config) { c.Timeout = 1500 * time.Millisecond }, "below 2s"},
		{"timeout under a limit", func(c *Config) {
			c.Timeout = 2500 * time.Millisecond
			c.SLO = DefaultSLO()
			c.SLO.TP9999MS = 3000
		}, "below 3s"},
		{"negative warm-up", func(c *Config) { c.Warmup = -time.Second }, "warm-up"},
		{"bad SLO", func(c *Config) { c.SLO = SLO{TP50MS: 1} }, "slo:"},
		{"bad v4 keys", func(c *Config) { c.V4 = &jweKeysEmpty }, "key id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := good
			c.edit(&cfg)
			_, err := Run(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

var jweKeysEmpty = jwe.Keys{}
