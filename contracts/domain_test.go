package contracts_test

import (
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
)

// The payment domain's shapes: a wrong shape is an error under both profiles; the documented
// shape passes under both; a masked value in the same field is only `redacted` under compat.
func TestDomainShapes(t *testing.T) {
	set := mustSet(t)
	cases := []struct {
		example, pointer string
		good, bad        []any
		masked           string
		rule             contracts.Rule
	}{
		{"order-status-card.json", "/card/expiry_month", []any{"01", "09", "12"}, []any{"13", "00", "1", "Dec"}, "XX", contracts.RuleFormat},
		{"order-status-card.json", "/card/expiry_year", []any{"2027", ""}, []any{"27", "20271", "year"}, "20XX", contracts.RuleFormat},
		{"order-status-card.json", "/card/last_four_digits", []any{"1111", ""}, []any{"111", "11111", "abcd"}, "XXXX", contracts.RuleFormat},
		{"order-status-card.json", "/card/card_isin", []any{"411111", "4111111", "41111111"}, []any{"41111", "411111111", "4111-11"}, "411***", contracts.RuleFormat},
		{"order-status-upi.json", "/currency", []any{"INR", "USD", "EUR"}, []any{"inr", "RUPEE", "XTS", "ABC"}, "FILTERED", contracts.RuleFormat},
		{"webhook-mandate-created.json", "/content/mandate/currency", []any{"INR", "GBP"}, []any{"Rs", "XTS"}, "FILTERED", contracts.RuleFormat},
		{"order-status-upi.json", "/payer_vpa", []any{"9876543210@ybl", "name.surname@okhdfcbank"}, []any{"9876543210", "a@", "@ybl", "a b@ybl"}, "98765*****@ybl", contracts.RuleFormat},
		{"order-status-debit-enach-split.json", "/txn_list/1/mandate/bank_details/ifsc", []any{"HDFC0001961", "SBIN0ABC123"}, []any{"HDFC1001961", "hdfc0001961", "HDFC000196"}, "HDFCXXXXXX", contracts.RuleFormat},
		{"rewards-wallet-authenticate-response.json", "/payload/metadata/mobile_number", []any{"9078814008", "6000000000"}, []any{"5078814008", "907881400", "+919078814008"}, "77****78", contracts.RuleFormat},
		// Amounts are never negative.
		{"order-status-upi.json", "/amount", []any{0, 1.5, 1e2}, []any{-1, -0.01, -1e-9}, "FILTERED", contracts.RuleMinimum},
		{"order-status-wallets.json", "/refunds/0/amount", []any{0, 1}, []any{-1}, "FILTERED", contracts.RuleMinimum},
	}
	for _, tc := range cases {
		base := mustExample(t, tc.example)
		kind := exampleKind(t, tc.example)
		validate := func(t *testing.T, v any, p contracts.Profile) contracts.Result {
			res, err := set.Validate(kind, mutate(t, base, "set", tc.pointer, v), contracts.Options{Profile: p})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		t.Run(tc.pointer, func(t *testing.T) {
			for _, p := range []contracts.Profile{contracts.ProfileCompat, contracts.ProfileStrict} {
				for _, v := range tc.good {
					if res := validate(t, v, p); len(findingsAt(res, tc.rule, tc.pointer))+len(findingsAt(res, contracts.RuleType, tc.pointer)) != 0 {
						t.Errorf("%s: %v must pass%s", p, v, dump(res))
					}
				}
				for _, v := range tc.bad {
					res := validate(t, v, p)
					if f := findingsAt(res, tc.rule, tc.pointer); len(f) != 1 || f[0].Severity != contracts.SeverityError {
						t.Errorf("%s: %v must be a %s error%s", p, v, tc.rule, dump(res))
					}
				}
				res := validate(t, tc.masked, p)
				f := findingsAt(res, contracts.RuleRedacted, tc.pointer)
				want := contracts.SeverityWarning
				if p == contracts.ProfileStrict {
					want = contracts.SeverityError
				}
				if len(f) != 1 || f[0].Severity != want || len(findingsAt(res, tc.rule, tc.pointer)) != 0 {
					t.Errorf("%s: masked %q must be a redacted %s only%s", p, tc.masked, want, dump(res))
				}
			}
		})
	}
}
