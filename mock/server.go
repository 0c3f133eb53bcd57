package mock

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
)

// DefaultAPIKey is the test key the mock accepts unless told otherwise; jpcheck conform and
// jpcheck load send it by default, so the three work together without flags.
const DefaultAPIKey = "jpcheck_test_key"

// DefaultMerchantID is the merchant id the mock reports on orders it creates.
const DefaultMerchantID = "jpcheck_merchant"

// Limits on what one request may cost.
const (
	MaxBodyBytes   = 1 << 20
	MaxHeaderBytes = 16 << 10
)

// Config configures a Server. The zero value serves with the default test key.
type Config struct {
	// APIKey is the Basic-auth username requests must carry (base64(key:) or base64(key)).
	APIKey string
	// MerchantID, when set, is the x-merchantid every request must carry; otherwise any
	// non-empty x-merchantid is accepted.
	MerchantID string
	// WebhookURL receives webhooks with Basic auth WebhookUser:WebhookPassword; empty disables
	// delivery (attempts are still listed at /_mock/webhooks).
	WebhookURL, WebhookUser, WebhookPassword string
	// WebhookRetries are the waits before each retry of a delivery that did not get a 200.
	WebhookRetries []time.Duration
	// Keys hold the JWE/JWS key pairs for /v4/order-status; nil makes fresh in-memory keys.
	Keys *Keys
	// Latency delays each API response by a draw from this distribution (load demos).
	Latency *Latency
	// Log receives one line per request; nil logs nothing.
	Log io.Writer
	// Clock reads the time; nil is time.Now.
	Clock func() time.Time
}

// Server is the reference implementation as an http.Handler.
type Server struct {
	cfg     Config
	clock   *testClock // Config.Clock moved by the test clock endpoint (clock.go)
	set     *contracts.Set
	store   *store
	hooks   *webhooks
	rewards *rewardsState
	mux     *http.ServeMux
	logMu   sync.Mutex
	auth    map[string]bool // accepted Authorization header values
}

var _ http.Handler = (*Server)(nil)

// New builds a Server seeded with every documented sample order.
func New(cfg Config) (*Server, error) {
	if cfg.APIKey == "" {
		cfg.APIKey = DefaultAPIKey
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	// Everything reads the time through the test clock, webhooks included.
	clock := &testClock{base: cfg.Clock}
	cfg.Clock = clock.now
	if cfg.WebhookRetries == nil {
		cfg.WebhookRetries = DefaultWebhookRetries
	}
	if cfg.Keys == nil {
		k, err := NewKeys()
		if err != nil {
			return nil, err
		}
		cfg.Keys = k
	}
	set, err := contracts.Load(specs.FS())
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, clock: clock, set: set, store: newStore(), mux: http.NewServeMux()}
	// SDKs differ: most send base64(key:), the Node SDK base64(key) (facts § 5).
	s.auth = map[string]bool{
		"Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.APIKey+":")): true,
		"Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.APIKey)):     true,
	}
	if err := s.seed(); err != nil {
		return nil, err
	}
	s.hooks = newWebhooks(cfg)
	s.rewards = newRewardsState()
	if err := s.loadTemplates(); err != nil {
		s.hooks.close()
		return nil, err
	}
	s.routes()
	return s, nil
}

// Close stops webhook delivery.
func (s *Server) Close() { s.hooks.close() }

func (s *Server) routes() {
	api := func(pattern string, h http.HandlerFunc) { s.mux.Handle(pattern, s.authed(h)) }
	api("POST /orders", s.handleCreateOrder)
	api("GET /orders/{order_id}", s.handleOrderStatus)
	// twid-v2 § 4.3 asks for the order status at the legacy /ecr path; Juspay answers the same.
	api("GET /ecr/orders/{order_id}", s.handleOrderStatus)
	api("POST /txns", s.handleTxn)
	api("POST /orders/{order_id}/refunds", s.handleOrderRefund)
	api("POST /orders/txns/{txn_id}/refunds", s.handleTxnRefund)
	api("POST /v1/offers/list", s.handleListOffers)
	api("POST /offers/list", s.handleListOffers)
	api("GET /merchants/{merchant_id}/paymentmethods", s.handlePaymentMethods)
	api("POST /customers/{customer_id}/eligibility", s.handleEligibility)
	api("POST /customers/{customer_id}/wallets", s.handleWalletAuthenticate)
	api("POST /wallets/{wallet_id}", s.handleWallet)
	api("POST /mandates/{mandate_id}", s.handleMandate)
	api("GET /customers/{customer_id}/mandates", s.handleCustomerMandates)
	api("GET /notifications/{notification_id}", s.handleNotification)
	// The V4 API authenticates by its signature; the Node SDK sends no Authorization (facts § 2.5).
	s.mux.Handle("GET /v4/order-status", s.merchant(http.HandlerFunc(s.handleV4OrderStatus)))
	s.mux.Handle("POST /v4/order-status", s.merchant(http.HandlerFunc(s.handleV4OrderStatus)))
	s.mux.Handle("POST /v4/orders", s.v4Call(s.handleCreateOrder))
	s.mux.Handle("POST /v4/txns", s.v4Call(s.handleTxn))
	s.mux.Handle("POST /v4/orders/{order_id}/refunds", s.v4Call(s.handleOrderRefund))
	s.mux.HandleFunc("GET /_mock/webhooks", s.hooks.handleList)
	s.mux.HandleFunc("GET /_mock/clock", s.handleClock)
	s.mux.HandleFunc("POST /_mock/clock", s.handleClock)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { notFoundRoute(w) })
}

// ServeHTTP serves one request: bounded, logged, and never a panic.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.cfg.Clock()
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	defer func() {
		if p := recover(); p != nil {
			// A handler bug must not take the server down; the client gets a documented 500.
			if !rec.wrote {
				internalError(rec)
			}
			s.logf("%s %s %d panic: %v", r.Method, r.URL.Path, rec.code, p)
			return
		}
		if s.cfg.Log != nil {
			s.logf("%s %s %d %s", r.Method, r.URL.RequestURI(), rec.code, s.cfg.Clock().Sub(start).Round(time.Microsecond))
		}
	}()
	if headerBytes(r) > MaxHeaderBytes {
		writeJSON(rec, http.StatusRequestHeaderFieldsTooLarge, map[string]any{"status": "error", "error_code": "headers_too_large", "error_message": "Request headers too large"})
		return
	}
	if p := r.URL.Path; p == "" || path.Clean(p) != p {
		// ServeMux would answer an unclean path with a redirect and no body; an API answers 404.
		notFoundRoute(rec)
		return
	}
	r.Body = http.MaxBytesReader(rec, r.Body, MaxBodyBytes)
	if s.cfg.Latency != nil && !strings.HasPrefix(r.URL.Path, "/_mock/") {
		s.cfg.Latency.sleep(r.Context())
	}
	s.mux.ServeHTTP(rec, r)
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Log == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.cfg.Log, s.cfg.Clock().UTC().Format(time.RFC3339)+" "+format+"\n", args...)
}

func headerBytes(r *http.Request) int {
	n := 0
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

type statusRecorder struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code, r.wrote = code, true
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// authed checks Basic auth and x-merchantid before the handler runs.
func (s *Server) authed(h http.Handler) http.Handler {
	return s.merchant(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.auth[r.Header.Get("Authorization")] {
			writeRaw(w, http.StatusUnauthorized, accessDenied)
			return
		}
		h.ServeHTTP(w, r)
	}))
}

// merchant requires a non-empty x-merchantid, equal to the configured one when set. The MCP
// client sends x-merchant-id (facts § 5), so that spelling is read too.
func (s *Server) merchant(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mid := r.Header.Get("x-merchantid")
		if mid == "" {
			mid = r.Header.Get("x-merchant-id")
		}
		if mid == "" || s.cfg.MerchantID != "" && mid != s.cfg.MerchantID {
			invalidInput(w, "x-merchantid")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// merchantID is the id orders created through r report.
func (s *Server) merchantID(r *http.Request) string {
	if s.cfg.MerchantID != "" {
		return s.cfg.MerchantID
	}
	if mid := r.Header.Get("x-merchantid"); mid != "" {
		return mid
	}
	return DefaultMerchantID
}
