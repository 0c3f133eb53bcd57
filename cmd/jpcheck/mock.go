package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jpcheck/jpcheck/mock"
	"github.com/spf13/cobra"
)

type mockOpts struct {
	addr, apiKey, merchantID                 string
	webhookURL, webhookUser, webhookPassword string
	webhookRetries                           string
	tls                                      bool
	tlsCAOut, jweDir, latency                string
}

func newMockCmd(st streams) *cobra.Command {
	o := mockOpts{}
	cmd := &cobra.Command{
		Use:   "mock",
		Short: "Serve the stateful Juspay-compatible reference implementation",
		Long: `Mock serves a Juspay-compatible API from memory: orders, test-mode payments, refunds and
their outcomes, mandates and pre-debit notifications, encrypted order status and V4 calls
(/v4/order-status, /v4/txns, /v4/orders/{id}/refunds), offers, Twid rewards and webhooks. It
starts with every documented sample order seeded under its documented order_id and serves until
interrupted, logging one line per request to stderr. GET /_mock/webhooks lists the webhooks;
POST /_mock/clock moves the mock's time forward (advance=720h or to=<time>), so mandate end
dates and scheduled pauses arrive at once.

The API key defaults to the test key jpcheck conform and jpcheck load also use (` + mock.DefaultAPIKey + `),
read from JPCHECK_API_KEY when set; --api-key wins.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error { return runMock(c.Context(), st, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "HOST:PORT to listen on")
	f.StringVar(&o.apiKey, "api-key", "", "API key clients must send as the Basic-auth username (default $JPCHECK_API_KEY, else "+mock.DefaultAPIKey+")")
	f.StringVar(&o.merchantID, "merchant-id", "", "x-merchantid every request must carry (default: any non-empty value; $JPCHECK_MERCHANT_ID)")
	f.StringVar(&o.webhookURL, "webhook-url", "", "URL that receives webhooks (empty: deliveries are only listed at /_mock/webhooks)")
	f.StringVar(&o.webhookUser, "webhook-user", "", "Basic-auth username sent with webhooks")
	f.StringVar(&o.webhookPassword, "webhook-password", "", "Basic-auth password sent with webhooks")
	f.StringVar(&o.webhookRetries, "webhook-retries", "1s,5s,30s", "waits before each retry of a webhook that did not get a 200, comma separated")
	f.BoolVar(&o.tls, "tls", false, "serve HTTPS with a fresh self-signed certificate for 127.0.0.1 and localhost")
	f.StringVar(&o.tlsCAOut, "tls-ca-out", "", "with --tls, write the CA certificate (PEM) to this file for clients to trust")
	f.StringVar(&o.jweDir, "jwe-dir", "", "read the JWE/JWS key pairs and key id from DIR, creating them there if absent (default: fresh keys in memory)")
	f.StringVar(&o.latency, "latency", "", "simulate response latency: juspay (the documented TP table), a duration (25ms) or p50=20ms,p99=350ms")
	return cmd
}

func parseDurations(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		d, err := time.ParseDuration(part)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("bad duration %q", part)
		}
		out = append(out, d)
	}
	return out, nil
}

func envOr(flag, env string) string {
	if flag != "" {
		return flag
	}
	return os.Getenv(env)
}

func runMock(ctx context.Context, st streams, o mockOpts) error {
	retries, err := parseDurations(o.webhookRetries)
	if err != nil {
		return usageErr("--webhook-retries: %v", err)
	}
	if o.tlsCAOut != "" && !o.tls {
		return usageErr("--tls-ca-out needs --tls")
	}
	cfg := mock.Config{
		APIKey:          envOr(o.apiKey, "JPCHECK_API_KEY"),
		MerchantID:      envOr(o.merchantID, "JPCHECK_MERCHANT_ID"),
		WebhookURL:      o.webhookURL,
		WebhookUser:     o.webhookUser,
		WebhookPassword: o.webhookPassword,
		WebhookRetries:  retries,
		Log:             st.err,
	}
	if o.latency != "" {
		if cfg.Latency, err = mock.ParseLatency(o.latency); err != nil {
			return usageErr("--latency: %v", err)
		}
	}
	if o.jweDir != "" {
		if cfg.Keys, err = mock.LoadOrCreateKeys(o.jweDir); err != nil {
			return usageErr("--jwe-dir: %v", err)
		}
	}
	srv, err := mock.New(cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return usageErr("listen on %s: %v", o.addr, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: mock.MaxHeaderBytes}
	scheme := "http"
	if o.tls {
		tlsCfg, caPEM, err := mock.NewTLSConfig()
		if err != nil {
			return err
		}
		if o.tlsCAOut != "" {
			if err := os.WriteFile(o.tlsCAOut, caPEM, 0o644); err != nil {
				return usageErr("--tls-ca-out: %v", err)
			}
		}
		hs.TLSConfig = tlsCfg
		scheme = "https"
	}
	fmt.Fprintf(st.err, "jpcheck mock: serving %s://%s (%d documented orders seeded); interrupt to stop\n", scheme, ln.Addr(), len(srv.SeededOrders()))
	if o.jweDir != "" {
		// What a client's jweAuth needs: the key id, its own private key and the server's public key.
		f := cfg.Keys.Files()
		fmt.Fprintf(st.err, "jpcheck mock: JWE key id %s; merchant private key %s; server public key %s\n", cfg.Keys.KeyID(), f.MerchantPrivate, f.ServerPublic)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		if o.tls {
			errc <- hs.ServeTLS(ln, "", "")
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(shut)
		fmt.Fprintln(st.err, "jpcheck mock: stopped")
	}
	return nil
}
