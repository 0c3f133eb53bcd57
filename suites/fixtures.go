package suites

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	yaml "github.com/pb33f/go-yaml"
)

// Scenario names: the keys of a fixtures file's scenarios map. They are an interface (README
// § Fixtures): never rename one.
const (
	ScenarioCard                = "order-status/card"
	ScenarioNetbanking          = "order-status/netbanking"
	ScenarioWallet              = "order-status/wallet"
	ScenarioUPIIntent           = "order-status/upi-intent"
	ScenarioUPICollect          = "order-status/upi-collect"
	ScenarioCOD                 = "order-status/cod"
	ScenarioEMI                 = "order-status/emi"
	ScenarioMandate             = "order-status/mandate"
	ScenarioMandateTPV          = "order-status/mandate-tpv"
	ScenarioOffers              = "order-status/offers"
	ScenarioSplitTxn            = "order-status/split-txn"
	ScenarioRefunds             = "order-status/refunds"
	ScenarioFullGatewayResponse = "order-status/full-gateway-response"
	ScenarioV4OrderStatus       = "v4/order-status"
	ScenarioListOffers          = "offers/list"
	ScenarioCredOffers          = "offers/cred"
	ScenarioOffersBlock         = "offers/order-block"
	ScenarioPaymentMethods      = "rewards/payment-methods"
	ScenarioEligibility         = "rewards/eligibility"
	ScenarioWalletLink          = "rewards/wallet-link"
	ScenarioRewardsSplitTxn     = "rewards/split-txn"
	ScenarioRewardsSplitRefunds = "rewards/split-refunds"
	ScenarioNotFound            = "errors/not-found"
	// The flows' data where a target's test mode differs from the conventions of docs/mock.md: with
	// the scenario named, its flow runs with these values even without test_mode.
	ScenarioFlowMandate           = "flows/mandate"
	ScenarioFlowRefundFailure     = "flows/refund-failure"
	ScenarioFlowRefundReview      = "flows/refund-manual-review"
	ScenarioFlowAutoRefundSuccess = "flows/auto-refund-success"
	ScenarioFlowAutoRefundFailure = "flows/auto-refund-failure"
)

// Scenarios lists every scenario name a fixtures file may use.
func Scenarios() []string {
	return []string{
		ScenarioCard, ScenarioNetbanking, ScenarioWallet, ScenarioUPIIntent, ScenarioUPICollect,
		ScenarioCOD, ScenarioEMI, ScenarioMandate, ScenarioMandateTPV, ScenarioOffers,
		ScenarioSplitTxn, ScenarioRefunds, ScenarioFullGatewayResponse, ScenarioV4OrderStatus,
		ScenarioListOffers, ScenarioCredOffers, ScenarioOffersBlock, ScenarioPaymentMethods,
		ScenarioEligibility, ScenarioWalletLink, ScenarioRewardsSplitTxn, ScenarioRewardsSplitRefunds,
		ScenarioNotFound, ScenarioFlowMandate, ScenarioFlowRefundFailure, ScenarioFlowRefundReview,
		ScenarioFlowAutoRefundSuccess, ScenarioFlowAutoRefundFailure,
	}
}

// MaxFixturesBytes bounds a fixtures file.
const MaxFixturesBytes = 1 << 20

// Fixtures map scenarios to data that exists on the target: order, customer and txn ids, the
// mobile numbers and OTP of its test mode. A scenario without a fixture is skipped, with that
// as its reason.
type Fixtures struct {
	Version int `yaml:"version"`
	// TestMode says the target runs test-mode payments (the cards and VPAs of docs/mock.md's
	// test-mode table); without it the flows and the webhook triggers are skipped.
	TestMode bool `yaml:"test_mode"`
	// TestClock says the target serves the reference implementation's test clock (POST
	// /_mock/clock, docs/mock.md § Test clock); without it the mandate expiry flow is skipped.
	TestClock bool `yaml:"test_clock"`
	// Scenarios is keyed by the Scenario* names.
	Scenarios map[string]Scenario `yaml:"scenarios"`
	// V4 holds the keys of the encrypted order status; without it the v4 specs are skipped.
	V4 *V4Keys `yaml:"v4,omitempty"`
}

// Scenario is what one scenario needs from the target. Which fields a scenario reads is in
// the fixtures table (docs/conform.md).
type Scenario struct {
	OrderID    string `yaml:"order_id,omitempty"`
	CustomerID string `yaml:"customer_id,omitempty"`
	TxnID      string `yaml:"txn_id,omitempty"`
	MerchantID string `yaml:"merchant_id,omitempty"`
	Mobile     string `yaml:"mobile,omitempty"`
	OTP        string `yaml:"otp,omitempty"`
	// The flows/* scenarios: the instrument or amount that has the flow's outcome on the target.
	UPIVPA     string `yaml:"upi_vpa,omitempty"`
	CardNumber string `yaml:"card_number,omitempty"`
	Amount     string `yaml:"amount,omitempty"`
}

// V4Keys are the PEM files of the V4 encrypted order status: the merchant's private key signs
// requests and decrypts responses, Juspay's public key encrypts requests and verifies
// responses. Paths are relative to the fixtures file. The PEM fields carry the keys once read.
type V4Keys struct {
	KeyID              string `yaml:"key_id"`
	MerchantPrivateKey string `yaml:"merchant_private_key"`
	JuspayPublicKey    string `yaml:"juspay_public_key"`

	MerchantPrivatePEM []byte `yaml:"-"`
	JuspayPublicPEM    []byte `yaml:"-"`
}

// ParseFixtures reads a fixtures file strictly: an unknown key or scenario is an error, so a
// typo cannot silently skip a scenario.
func ParseFixtures(r io.Reader) (*Fixtures, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFixturesBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fixtures: %w", err)
	}
	if len(data) > MaxFixturesBytes {
		return nil, fmt.Errorf("fixtures: larger than %d bytes", MaxFixturesBytes)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f Fixtures
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("fixtures: empty file")
		}
		return nil, fmt.Errorf("fixtures: %s", oneLine(err.Error()))
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	return &f, nil
}

func (f *Fixtures) check() error {
	if f.Version != 1 {
		return fmt.Errorf("fixtures: version must be 1, got %d", f.Version)
	}
	known := Scenarios()
	var unknown []string
	for name := range f.Scenarios {
		if !slices.Contains(known, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("fixtures: unknown scenario %s (known: %s)", strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	if k := f.V4; k != nil && (k.KeyID == "" || k.MerchantPrivateKey == "" || k.JuspayPublicKey == "") {
		return errors.New("fixtures: v4 needs key_id, merchant_private_key and juspay_public_key")
	}
	return nil
}

// Scenario returns the fixture of name and whether the fixtures name it.
func (f *Fixtures) Scenario(name string) (Scenario, bool) {
	if f == nil {
		return Scenario{}, false
	}
	s, ok := f.Scenarios[name]
	return s, ok
}

// The reference implementation's test data (mock package, README § The reference
// implementation). They are repeated here, not imported, because suites must not depend on
// the mock; TestDefaultFixturesMatchMock keeps the two equal.
const (
	refCredEligiblePhone = "9999999999"
	refTwidRewardsMobile = "9742144874"
	refTwidNewUserMobile = "9000000001"
	refTwidTestOTP       = "2748"
	refMerchantID        = "jpcheck_merchant"
)

// DefaultFixtures names the reference implementation's seeded orders (the documents' own
// samples, under their documented order ids) and its test-mode data. V4 keys are not
// included: the caller that starts the reference implementation knows them.
func DefaultFixtures() *Fixtures {
	order := func(id string) Scenario { return Scenario{OrderID: id} }
	return &Fixtures{
		Version:   1,
		TestMode:  true,
		TestClock: true,
		Scenarios: map[string]Scenario{
			ScenarioCard:                order("JP1636474794"),
			ScenarioNetbanking:          order("JPAYNEW032"),
			ScenarioWallet:              order("145678234"),
			ScenarioUPIIntent:           order("M37CYBLQO2DXAQ"), // the Cred UPI intent order: JPAYNEW034 serves the collect sample
			ScenarioUPICollect:          order("JPAYNEW034"),
			ScenarioCOD:                 order("1690960292"),
			ScenarioEMI:                 order("XXXX1234"),
			ScenarioMandate:             order("234823498237423894273498"),
			ScenarioMandateTPV:          order("tpvflowtest"),
			ScenarioOffers:              order("asg1620572051"),
			ScenarioSplitTxn:            order("Ord_1484kmOH"),
			ScenarioRefunds:             order("JP1636474794"),
			ScenarioFullGatewayResponse: order("JP1636474794"),
			ScenarioV4OrderStatus:       order("JP1636474794"),
			ScenarioListOffers:          {Mobile: refCredEligiblePhone},
			ScenarioCredOffers:          {Mobile: refCredEligiblePhone},
			ScenarioOffersBlock:         order("asg1620572051"),
			ScenarioPaymentMethods:      {MerchantID: refMerchantID},
			ScenarioEligibility:         {CustomerID: "cth_jpcheck_rewards", Mobile: refTwidRewardsMobile},
			ScenarioWalletLink:          {CustomerID: "cth_jpcheck_link", Mobile: refTwidNewUserMobile, OTP: refTwidTestOTP},
			ScenarioRewardsSplitTxn:     order("HD-1693982397"),
			ScenarioRewardsSplitRefunds: order("HD-1695671905"),
			ScenarioNotFound:            order("jpcheck_no_such_order"),
		},
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// LoadFixtures reads the fixtures file at path and the V4 key files it names, relative to it.
func LoadFixtures(path string) (*Fixtures, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fixtures: %w", err)
	}
	defer f.Close()
	fx, err := ParseFixtures(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if k := fx.V4; k != nil {
		dir := filepath.Dir(path)
		if k.MerchantPrivatePEM, err = readKeyFile(dir, k.MerchantPrivateKey); err != nil {
			return nil, err
		}
		if k.JuspayPublicPEM, err = readKeyFile(dir, k.JuspayPublicKey); err != nil {
			return nil, err
		}
	}
	return fx, nil
}

// maxKeyFileBytes bounds a PEM key file.
const maxKeyFileBytes = 64 << 10

func readKeyFile(dir, name string) ([]byte, error) {
	if !filepath.IsAbs(name) {
		name = filepath.Join(dir, name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("fixtures: v4 key: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fixtures: v4 key %s: %w", name, err)
	}
	if len(b) > maxKeyFileBytes {
		return nil, fmt.Errorf("fixtures: v4 key %s: larger than %d bytes", name, maxKeyFileBytes)
	}
	return b, nil
}
