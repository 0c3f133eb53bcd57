package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/jpcheck/jpcheck/jwe"
	"github.com/jpcheck/jpcheck/mock"
	"github.com/jpcheck/jpcheck/suites"
)

// receiver is the webhook receiver of a conform run, served on its own listener.
type receiver struct {
	rcv *suites.Receiver
	url string
	hs  *http.Server
}

// newServer is an http.Server whose timeouts bound a slow or stuck peer.
func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: mock.MaxHeaderBytes,
	}
}

// startReceiver opens the journal and serves the receiver on --webhook-listen, or on a
// loopback port for the embedded run. The receiver bounds bodies itself (suites.MaxWebhookBytes).
func startReceiver(st streams, o conformOpts, p *conformPlan) (*receiver, error) {
	journal := p.journal
	if p.journalTemp {
		dir, err := os.MkdirTemp("", "jpcheck-webhooks-")
		if err != nil {
			return nil, err
		}
		journal = dir + string(os.PathSeparator) + "webhooks.jsonl"
		fmt.Fprintf(st.err, "jpcheck conform: webhook journal %s\n", journal)
	}
	if p.freshJournal {
		if err := os.Remove(journal); err != nil && !os.IsNotExist(err) {
			return nil, usageErr("--report-dir: %v", err)
		}
	}
	rcv, err := suites.NewReceiver(suites.ReceiverConfig{User: p.hookUser, Password: p.hookPassword, Journal: journal})
	if err != nil {
		return nil, usageErr("--webhook-journal: %v", err)
	}
	addr := o.webhookListen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		rcv.Close()
		return nil, usageErr("--webhook-listen: %v", err)
	}
	r := &receiver{rcv: rcv, url: "http://" + dialable(ln.Addr()), hs: newServer(rcv)}
	go r.hs.Serve(ln)
	if o.webhookListen != "" {
		fmt.Fprintf(st.err, "jpcheck conform: receiving webhooks at %s\n", r.url)
	}
	return r, nil
}

// stop lets deliveries in progress finish (each is journaled before it is answered), then
// closes the journal.
func (r *receiver) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r.hs.Shutdown(ctx)
	r.rcv.Close()
}

// dialable turns a listener's address into one a client can dial: a wildcard host
// (0.0.0.0, ::) becomes loopback.
func dialable(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))
}

// reference is the embedded reference implementation of a run without --target.
type reference struct {
	url string
	v4  jwe.Keys // the keys of its /v4/order-status
	srv *mock.Server
	hs  *http.Server
}

// startEmbedded serves the reference implementation with cfg on a loopback port, with fresh
// V4 keys the run can use: conform and load both start it this way.
func startEmbedded(cfg mock.Config) (*reference, error) {
	keys, err := mock.NewKeys()
	if err != nil {
		return nil, err
	}
	priv, err := keys.MerchantPrivateKeyPEM()
	if err != nil {
		return nil, err
	}
	pub, err := keys.ServerPublicKeyPEM()
	if err != nil {
		return nil, err
	}
	cfg.Keys = keys
	srv, err := mock.New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, err
	}
	ref := &reference{
		url: "http://" + ln.Addr().String(), srv: srv, hs: newServer(srv),
		v4: jwe.Keys{KeyID: keys.KeyID(), MerchantPrivatePEM: priv, JuspayPublicPEM: pub},
	}
	go ref.hs.Serve(ln)
	return ref, nil
}

// stop stops webhook delivery first, so nothing is sent to a receiver that is going away.
func (r *reference) stop() {
	r.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r.hs.Shutdown(ctx)
}

// randomToken is a fresh secret for the embedded run's webhook auth.
func randomToken() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
