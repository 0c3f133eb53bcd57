package load

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/jwe"
	"github.com/jpcheck/jpcheck/mock"
	"github.com/jpcheck/jpcheck/specs"
)

// testOrderID is an order the mock seeds from the documented card sample.
const testOrderID = "JP1636474794"

var (
	setOnce sync.Once
	testSet *contracts.Set
	setErr  error
)

func mustSet(tb testing.TB) *contracts.Set {
	tb.Helper()
	setOnce.Do(func() { testSet, setErr = contracts.Load(specs.FS()) })
	if setErr != nil {
		tb.Fatal(setErr)
	}
	return testSet
}

// seqOf is the request's sequence number as vegeta numbers it (X-Vegeta-Seq), or the
// server's own count when absent, so a handler can shape answers deterministically.
func seqOf(r *http.Request, fallback *atomic.Uint64) uint64 {
	if s, err := strconv.ParseUint(r.Header.Get("X-Vegeta-Seq"), 10, 64); err == nil {
		return s
	}
	return fallback.Add(1) - 1
}

// sleepCtx waits d or until the client goes away.
func sleepCtx(r *http.Request, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

// mockServer starts the reference implementation, each answer delayed by delay(seq), and
// returns its URL and V4 keys.
func mockServer(tb testing.TB, delay func(seq uint64) time.Duration) (string, *jwe.Keys) {
	tb.Helper()
	keys, err := mock.NewKeys()
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := mock.New(mock.Config{Keys: keys})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	var n atomic.Uint64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if delay != nil {
			sleepCtx(r, delay(seqOf(r, &n)))
		}
		srv.ServeHTTP(w, r)
	}))
	tb.Cleanup(ts.Close)
	priv, err := keys.MerchantPrivateKeyPEM()
	if err != nil {
		tb.Fatal(err)
	}
	pub, err := keys.ServerPublicKeyPEM()
	if err != nil {
		tb.Fatal(err)
	}
	return ts.URL, &jwe.Keys{KeyID: keys.KeyID(), MerchantPrivatePEM: priv, JuspayPublicPEM: pub}
}

// handlerServer starts h on loopback.
func handlerServer(tb testing.TB, h http.HandlerFunc) string {
	tb.Helper()
	ts := httptest.NewServer(h)
	tb.Cleanup(ts.Close)
	return ts.URL
}

// baseConfig is a paced run against target with validation on. The lag limit is loose:
// a shared 2-core machine running the race detector cannot promise 1 ms, and these tests
// judge the target, not the machine (the generator's own tests set it tight).
func baseConfig(tb testing.TB, target string, rate float64, d time.Duration) Config {
	return Config{
		Target: target, APIKey: mock.DefaultAPIKey, MerchantID: mock.DefaultMerchantID,
		OrderIDs: []string{testOrderID}, Rate: rate, Duration: d, ValidateSample: 1,
		Set: mustSet(tb), Profile: contracts.ProfileStrict, LagLimit: 25 * time.Millisecond,
	}
}

var (
	bodyOnce sync.Once
	bodyData []byte
	bodyErr  error
)

// orderBody is the mock's answer for testOrderID: a body that satisfies the contract.
func orderBody(tb testing.TB) []byte {
	tb.Helper()
	bodyOnce.Do(func() {
		srv, err := mock.New(mock.Config{})
		if err != nil {
			bodyErr = err
			return
		}
		defer srv.Close()
		req := httptest.NewRequest(http.MethodGet, "/orders/"+testOrderID, nil)
		req.SetBasicAuth(mock.DefaultAPIKey, "")
		req.Header.Set("x-merchantid", mock.DefaultMerchantID)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			bodyErr = fmt.Errorf("mock answered %d: %s", rec.Code, rec.Body)
			return
		}
		bodyData = rec.Body.Bytes()
	})
	if bodyErr != nil {
		tb.Fatal(bodyErr)
	}
	return bodyData
}

// orderHandler answers with the valid order, read before the server starts.
func orderHandler(tb testing.TB) func(w http.ResponseWriter) {
	body := orderBody(tb)
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}
}

func slicesSort(e exact) { slices.Sort(e) }

// pacedLag is the send lag p99 under which runPaced trusts a run's latencies to the tolerances
// the accuracy tests hold them to: stricter than DefaultLagLimit, which only decides whether
// lag could have produced a fail.
const pacedLag = time.Millisecond

// runPaced runs cfg until the generator kept its schedule (not limited, send lag p99 within
// pacedLag), at most three times. Accuracy is claimed only for runs the generator could pace
// (a lagging run's latencies include its own lag, by design), and a busy shared machine
// sometimes cannot; if none of three could, the test is skipped with the generator's reason
// rather than judged on a run the tool itself flags.
func runPaced(t *testing.T, cfg Config) *Result {
	t.Helper()
	var res *Result
	for range 3 {
		var err error
		if res, err = Run(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
		if !res.Generator.Limited && res.Generator.LagP99MS <= durationMS(pacedLag) {
			return res
		}
		t.Logf("the generator fell behind, retrying: lag p99 %v ms; %s", res.Generator.LagP99MS, res.Generator.LimitedReason)
	}
	t.Skipf("the machine could not pace %v/s in three attempts: lag p99 %v ms; %s", cfg.Rate, res.Generator.LagP99MS, res.Generator.LimitedReason)
	return nil
}
