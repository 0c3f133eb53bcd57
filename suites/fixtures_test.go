package suites

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/mock"
)

func TestLoadFixtures(t *testing.T) {
	fx, err := LoadFixtures(filepath.Join("testdata", "fixtures-example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !fx.TestMode || fx.Version != 1 {
		t.Errorf("version %d test_mode %v, want 1 true", fx.Version, fx.TestMode)
	}
	if s, ok := fx.Scenario(ScenarioCard); !ok || s.OrderID != "ord_card_1" {
		t.Errorf("card scenario = %+v %v", s, ok)
	}
	if s, _ := fx.Scenario(ScenarioEligibility); s.CustomerID != "cust_1" || s.Mobile != "9000000001" {
		t.Errorf("eligibility scenario = %+v", s)
	}
	if _, ok := fx.Scenario(ScenarioWallet); ok {
		t.Error("a scenario the file does not name must be absent (its specs skip)")
	}
	if !fx.TestClock {
		t.Error("test_clock not read")
	}
	if s, _ := fx.Scenario(ScenarioFlowMandate); s.UPIVPA != "mandate@bank" {
		t.Errorf("flows/mandate scenario = %+v", s)
	}
	if s, _ := fx.Scenario(ScenarioFlowRefundFailure); s.Amount != "1.13" || s.CardNumber != "4111111111111111" {
		t.Errorf("flows/refund-failure scenario = %+v", s)
	}
	if fx.V4 == nil || fx.V4.KeyID != "key_1" || !strings.Contains(string(fx.V4.MerchantPrivatePEM), "PRIVATE KEY") || !strings.Contains(string(fx.V4.JuspayPublicPEM), "PUBLIC KEY") {
		t.Errorf("v4 keys not read relative to the fixtures file: %+v", fx.V4)
	}
}

func TestParseFixturesRejects(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"empty", "", "empty"},
		{"no version", "scenarios: {}\n", "version must be 1"},
		{"unknown scenario", "version: 1\nscenarios:\n  order-status/crad: {order_id: x}\n", "unknown scenario order-status/crad"},
		{"unknown field", "version: 1\nscenarios:\n  order-status/card: {orderid: x}\n", "orderid"},
		{"unknown top-level key", "version: 1\ntestmode: true\n", "testmode"},
		{"v4 incomplete", "version: 1\nv4: {key_id: k}\n", "v4 needs"},
		{"not yaml", "version: [1\n", "fixtures:"},
		{"too large", "version: 1\n#" + strings.Repeat("x", MaxFixturesBytes), "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFixtures(strings.NewReader(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestLoadFixturesMissingKeyFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.yaml")
	if err := os.WriteFile(p, []byte("version: 1\nv4: {key_id: k, merchant_private_key: nope.pem, juspay_public_key: nope.pem}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFixtures(p); err == nil || !strings.Contains(err.Error(), "v4 key") {
		t.Fatalf("err = %v, want a v4 key error", err)
	}
}

// TestDefaultFixturesMatchMock keeps the defaults naming what the reference implementation
// really serves: suites may not import mock, so the values are repeated in fixtures.go.
func TestDefaultFixturesMatchMock(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{refCredEligiblePhone, mock.CredEligiblePhone},
		{refTwidRewardsMobile, mock.TwidRewardsMobile},
		{refTwidNewUserMobile, mock.TwidNewUserMobile},
		{refTwidTestOTP, mock.TwidTestOTP},
		{refMerchantID, mock.DefaultMerchantID},
	} {
		if c.got != c.want {
			t.Errorf("suites default %q, mock has %q", c.got, c.want)
		}
	}
	srv, err := mock.New(mock.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// The flows' test-mode values are the reference implementation's.
	if mock.TestCards[testCardCharged].Status != "CHARGED" || mock.TestCards[testCardAuthnFails].Status != "AUTHENTICATION_FAILED" {
		t.Error("the flows' test cards do not have the mock's outcomes")
	}
	if mock.TestVPAs[testVPACharged].Status != "CHARGED" || !mock.TestUPICreditVPAs[testVPACreditCard] || mock.TestBanks[testBankFails].Status == "CHARGED" {
		t.Error("the flows' test VPAs and bank do not have the mock's outcomes")
	}
	if mock.TestRefundAmounts[testRefundFailureAmount] != "FAILURE" || mock.TestRefundAmounts[testRefundReviewAmount] != "MANUAL_REVIEW" {
		t.Errorf("the flows' refund amounts are not the mock's: %v", mock.TestRefundAmounts)
	}
	if ok, known := mock.TestAutoRefundCards[testCardAutoRefundOK]; !ok || !known {
		t.Error("testCardAutoRefundOK is not the mock's succeeding auto-refund card")
	}
	if ok, known := mock.TestAutoRefundCards[testCardAutoRefundFails]; ok || !known {
		t.Error("testCardAutoRefundFails is not the mock's failing auto-refund card")
	}
	seeded := srv.SeededOrders()
	fx := DefaultFixtures()
	if err := fx.check(); err != nil {
		t.Fatal(err)
	}
	for name, s := range fx.Scenarios {
		if s.OrderID == "" || name == ScenarioNotFound {
			continue
		}
		if !slices.Contains(seeded, s.OrderID) {
			t.Errorf("scenario %s names order %s, which the mock does not seed", name, s.OrderID)
		}
	}
	if s := fx.Scenarios[ScenarioNotFound]; slices.Contains(seeded, s.OrderID) {
		t.Errorf("scenario %s names order %s, which the mock seeds", ScenarioNotFound, s.OrderID)
	}
}

func FuzzParseFixtures(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "fixtures-example.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(seed))
	f.Add("version: 1\nscenarios: {a: b}\n")
	f.Add("&a [*a, *a]")
	f.Fuzz(func(t *testing.T, s string) {
		fx, err := ParseFixtures(strings.NewReader(s))
		if err == nil && fx.Version != 1 {
			t.Fatalf("accepted version %d", fx.Version)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("error spans lines: %q", err)
		}
	})
}
