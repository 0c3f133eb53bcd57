package contracts_test

import (
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
)

// The card-number check on whole payloads: gateway ids and references that hold a Luhn-valid
// digit run are not card numbers; a standalone card number in a field that can hold one is.
func TestCardNumberFields(t *testing.T) {
	set := mustSet(t)
	base := mustExample(t, "order-status-upi.json")
	cases := []struct {
		name, pointer string
		value         any
		pan           bool
	}{
		{"gateway txn id", "/txn_detail/epg_txn_id", "U4560000327840", false},
		{"bare digits in an id field", "/txn_detail/epg_txn_id", "4560000327840", false},
		{"txn id", "/txn_id", "4111111111111111", false},
		{"gateway reference", "/gateway_reference_id", "4111111111111111", false},
		{"phone", "/customer_phone", "4111111111111111", false},
		{"id inside a free text", "/udf2", "ref U4560000327840 ok", false},
		{"standalone in a udf", "/udf2", "4560000327840", true},
		{"grouped in a description", "/udf3", "paid with 4111 1111 1111 1111", true},
		{"card number field", "/card_number", "5555555555554444", true},
		{"undeclared field", "/payer_card", "4111-1111-1111-1111", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := set.Validate(contracts.KindOrderStatus, mutate(t, base, "set", tc.pointer, tc.value), contracts.Options{Profile: contracts.ProfileCompat})
			if err != nil {
				t.Fatal(err)
			}
			got := findingsAt(res, contracts.RuleCardNumber, tc.pointer)
			if tc.pan && (len(got) != 1 || got[0].Severity != contracts.SeverityError) {
				t.Fatalf("want a card-number error at %s%s", tc.pointer, dump(res))
			}
			if !tc.pan && len(got) != 0 {
				t.Fatalf("%v at %s is not a card number%s", tc.value, tc.pointer, dump(res))
			}
		})
	}
}
