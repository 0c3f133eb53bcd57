package contracts_test

import (
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
)

// Every documented sample validates under compat with no error but its recorded errata, and
// with no undeclared field.
func TestDocumentedSamplesMatchTheirProvenance(t *testing.T) {
	checks, err := contracts.CheckExamples(mustSet(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) < 60 {
		t.Fatalf("only %d examples checked; the documents have more samples", len(checks))
	}
	kinds := map[string]int{}
	for _, ch := range checks {
		kinds[ch.Example.Kind]++
		t.Run(ch.Example.File, func(t *testing.T) {
			for _, p := range ch.Problems {
				t.Error(p)
			}
		})
	}
	for _, k := range contracts.Kinds() {
		switch k {
		case contracts.KindListOffers:
			continue // the documents show no list response with its offers wrapper: see testdata
		case contracts.KindMandate, contracts.KindMandateList, contracts.KindMandateCommand, contracts.KindNotification:
			// The documents show the mandate APIs only through their webhooks; their own samples
			// are in juspay-sdk-integration-demo (cited in mandates.yaml, not copied here), and
			// the mock's tests check its answers under strict.
			continue
		}
		if kinds[string(k)] == 0 {
			t.Errorf("no documented sample of kind %s", k)
		}
	}
}

// The errata the documents really have are found at their pointers: the Mandate + TPV sample's
// status_id 27 with status CHARGED above all.
func TestKnownErrataAreFound(t *testing.T) {
	res, err := mustSet(t).Validate(contracts.KindOrderStatus, mustExample(t, "order-status-v4-raw-mandate-tpv.json"), contracts.Options{Profile: contracts.ProfileStrict})
	if err != nil {
		t.Fatal(err)
	}
	if len(findingsAt(res, contracts.RuleStatusID, "/status_id")) != 1 {
		t.Fatalf("want invariant.status-id at /status_id under strict too:%s", dump(res))
	}
}

// Auto-detection picks each documented sample's kind from its shape alone.
func TestAutoDetectsEveryDocumentedKind(t *testing.T) {
	set := mustSet(t)
	exs, err := specs.Examples()
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range exs {
		if ex.Skip != "" || ex.Kind == "request" {
			continue
		}
		res, err := set.Validate(contracts.KindAuto, mustExample(t, ex.File), contracts.Options{Profile: contracts.ProfileCompat})
		if err != nil {
			t.Fatal(err)
		}
		if string(res.Kind) != ex.Kind {
			t.Errorf("%s: detected %s, want %s", ex.File, res.Kind, ex.Kind)
		}
	}
}

// A list-offers response as facts § 4.1 describes it (the documents only show a bare offer):
// the Cred offer wrapped in offers[].
func TestListOffersResponse(t *testing.T) {
	set := mustSet(t)
	offer := mustExample(t, "offers-cred-ec-api-list-response.json")
	list := []byte(`{"offers":[` + string(offer) + `],"best_offer_combinations":[]}`)
	res, err := set.Validate(contracts.KindAuto, list, contracts.Options{Profile: contracts.ProfileStrict})
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != contracts.KindListOffers || !res.Valid {
		t.Fatalf("kind %s valid %t:%s", res.Kind, res.Valid, dump(res))
	}
	broken := mutate(t, list, "set", "/offers/0/order_breakup/final_order_amount", "1.00")
	res, _ = set.Validate(contracts.KindListOffers, broken, contracts.Options{Profile: contracts.ProfileCompat})
	if len(findingsAt(res, contracts.RuleOrderBreakup, "/offers/0/order_breakup/final_order_amount")) != 1 {
		t.Fatalf("want order-breakup inside offers[0]:%s", dump(res))
	}
}

func TestUnknownKindIsAnError(t *testing.T) {
	if _, err := mustSet(t).Validate("invoice", []byte(`{}`), contracts.Options{}); err == nil {
		t.Fatal("want an error for an unknown kind")
	}
}

// Coverage counts the declared fields a payload carried.
func TestCoverage(t *testing.T) {
	cov := contracts.NewCoverage()
	set := mustSet(t)
	if _, err := set.Validate(contracts.KindOrderStatus, mustExample(t, "order-status-upi.json"), contracts.Options{Profile: contracts.ProfileCompat, Coverage: cov}); err != nil {
		t.Fatal(err)
	}
	broken := mutate(t, mustExample(t, "order-status-upi.json"), "set", "/status", "CHARGD")
	if _, err := set.Validate(contracts.KindOrderStatus, broken, contracts.Options{Profile: contracts.ProfileCompat, Coverage: cov}); err != nil {
		t.Fatal(err)
	}
	var order *contracts.SchemaCoverage
	for _, sc := range cov.Schemas() {
		if sc.Schema == "OrderStatus" || sc.Schema == "Order" {
			sc := sc
			order = &sc
		}
	}
	if order == nil {
		t.Fatal("no coverage for the order schema")
	}
	byName := map[string]contracts.FieldCoverage{}
	for _, f := range order.Fields {
		byName[f.Field] = f
	}
	if f := byName["status"]; f.Seen != 2 || f.Failed != 1 {
		t.Errorf("status: %+v, want seen 2 failed 1", f)
	}
	if f := byName["txn_list"]; f.Seen != 0 {
		t.Errorf("txn_list seen %d in a UPI order", f.Seen)
	}
	if byName["status"].Source == "" {
		t.Error("coverage field without source")
	}
}
