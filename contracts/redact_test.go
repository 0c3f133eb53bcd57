package contracts_test

import (
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
)

// Masked values as Juspay's published samples show them: a warning `redacted` under compat
// (never a type or format error), an error under strict; and a real value that merely looks
// masked keeps its ordinary findings.
func TestRedactedValues(t *testing.T) {
	set := mustSet(t)
	base := mustExample(t, "order-status-upi.json")
	masked := []struct {
		name, pointer string
		value         any
	}{
		{"placeholder for an object", "/txn_detail", "FILTERED"},
		{"placeholder for a number", "/amount", "FILTERED"},
		{"placeholder for a boolean", "/refunded", "FILTERED"},
		{"placeholder for a string", "/customer_email", "FILTERED"},
		{"placeholder inside a date", "/date_created", "RIPPIFILTEREDT14:32:05Z"},
		{"placeholder in an undeclared field", "/surprise_field", "FILTERED"},
		{"placeholder in a free-form object", "/additional_info", map[string]any{"bank": "FILTERED"}},
		{"masked date", "/date_created", "1111111T07:00:40Z"},
		{"masked epoch seconds", "/txn_detail/created", "1111111T07:00:40Z"},
		{"masked number", "/amount", "XXXX"},
		{"masked digits of a number", "/amount", "160***10"},
		{"masked URI", "/payment_links/web", "XXXX-XXXX"},
	}
	for _, tc := range masked {
		t.Run(tc.name, func(t *testing.T) {
			payload := mutate(t, base, "set", tc.pointer, tc.value)
			at := tc.pointer
			if m, ok := tc.value.(map[string]any); ok {
				for k := range m {
					at += "/" + k
				}
			}
			res, err := set.Validate(contracts.KindOrderStatus, payload, contracts.Options{Profile: contracts.ProfileCompat})
			if err != nil {
				t.Fatal(err)
			}
			f := findingsAt(res, contracts.RuleRedacted, at)
			if len(f) != 1 || f[0].Severity != contracts.SeverityWarning || res.Errors() != 0 {
				t.Fatalf("compat: want one redacted warning at %s and no error%s", at, dump(res))
			}
			res, err = set.Validate(contracts.KindOrderStatus, payload, contracts.Options{Profile: contracts.ProfileStrict})
			if err != nil {
				t.Fatal(err)
			}
			f = findingsAt(res, contracts.RuleRedacted, at)
			if len(f) != 1 || f[0].Severity != contracts.SeverityError || res.Valid {
				t.Fatalf("strict: want a redacted error at %s%s", at, dump(res))
			}
		})
	}
	// Values that look masked but are not a mask's doing.
	real := []struct {
		name, pointer string
		value         any
		rule          contracts.Rule // "" when the value must raise no finding at all
	}{
		// Juspay masks card numbers itself; a field that accepts the value has nothing to say.
		{"accepted masked-looking string", "/customer_id", "4242-XXXXXXXX-4242", ""},
		{"accepted asterisks", "/txn_id", "77****78", ""},
		// A mask explains a string's shape, not a string where an object is due...
		{"string for an object", "/txn_detail", "XXXX", contracts.RuleType},
		// ...nor letters where a number is due...
		{"words for a number", "/amount", "about ***", contracts.RuleType},
		// ...and all-digit strings are numbers as written, not masks.
		{"ones for a number", "/txn_detail/tax_amount", "1111111", contracts.RuleType},
		{"ones for a date", "/date_created", "11111111111", contracts.RuleFormat},
		// No mask characters at all: an ordinary format error.
		{"bad date", "/date_created", "yesterday", contracts.RuleFormat},
	}
	for _, tc := range real {
		t.Run(tc.name, func(t *testing.T) {
			payload := mutate(t, base, "set", tc.pointer, tc.value)
			for _, p := range []contracts.Profile{contracts.ProfileCompat, contracts.ProfileStrict} {
				res, err := set.Validate(contracts.KindOrderStatus, payload, contracts.Options{Profile: p})
				if err != nil {
					t.Fatal(err)
				}
				if len(findingsAt(res, contracts.RuleRedacted, tc.pointer)) != 0 {
					t.Fatalf("%s: %v reported as redacted%s", p, tc.value, dump(res))
				}
				if tc.rule == "" {
					if len(res.Findings) != 0 {
						t.Fatalf("%s: want no finding%s", p, dump(res))
					}
					continue
				}
				if f := findingsAt(res, tc.rule, tc.pointer); len(f) != 1 || f[0].Severity != contracts.SeverityError {
					t.Fatalf("%s: want a %s error at %s%s", p, tc.rule, tc.pointer, dump(res))
				}
			}
		})
	}
}
