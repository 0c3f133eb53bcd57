package suites

import (
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/mock"
	"github.com/jpcheck/jpcheck/specs"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// TestSuites is the `go test` and `ginkgo` entry: the same specs jpcheck conform runs, against
// the reference implementation on httptest, with its webhooks sent to a receiver here.
func TestSuites(t *testing.T) {
	RegisterFailHandler(Fail)
	e := newReferenceEnv(t)
	register(e)
	RunSpecs(t, "jpcheck conformance")
}

// newReferenceEnv starts the reference implementation and a webhook receiver for it.
func newReferenceEnv(t *testing.T) *env {
	t.Helper()
	set, err := contracts.Load(specs.FS())
	if err != nil {
		t.Fatal(err)
	}
	const user, password = "jpcheck", "webhook-secret"
	rcv, err := NewReceiver(ReceiverConfig{User: user, Password: password, Journal: filepath.Join(t.TempDir(), "webhooks.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rcv.Close() })
	hooks := httptest.NewServer(rcv)
	t.Cleanup(hooks.Close)
	keys, err := mock.NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mock.New(mock.Config{WebhookURL: hooks.URL, WebhookUser: user, WebhookPassword: password, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	target := httptest.NewServer(srv)
	t.Cleanup(target.Close)
	fx := DefaultFixtures()
	fx.V4 = referenceV4Keys(t, keys)
	e, err := newEnv(Config{
		Target: target.URL, APIKey: mock.DefaultAPIKey, MerchantID: mock.DefaultMerchantID,
		Set: set, Profile: contracts.ProfileStrict, Fixtures: fx, Receiver: rcv,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func referenceV4Keys(t *testing.T, k *mock.Keys) *V4Keys {
	t.Helper()
	priv, err := k.MerchantPrivateKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := k.ServerPublicKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	return &V4Keys{KeyID: k.KeyID(), MerchantPrivatePEM: priv, JuspayPublicPEM: pub}
}
