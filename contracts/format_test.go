package contracts

import "testing"

// The formats the specs may name, checked directly: not every format has a field in today's
// specs (no documented email field carries format email: samples redact it to "FILTERED").
func TestFormats(t *testing.T) {
	cases := []struct {
		format, value string
		ok            bool
	}{
		{"date-time", "2021-11-09T16:19:55Z", true},
		{"date-time", "2021-11-09T16:19:55.123+05:30", true},
		{"date-time", "1111111T07:00:40Z", false},
		{"date-time", "2021-11-09 16:19:55", false},
		{"epoch-seconds", "1752043284", true},
		{"epoch-seconds", "160***10", false},
		{"epoch-seconds", "-5", false},
		{"email", "test@gmail.com", true},
		{"email", "test.gmail.com", false},
		{"email", "a@b", false},
		{"email", "a b@c.com", false},
		{"uri", "https://api.juspay.in/merchant/pay/ordeh_1?mobile=true", true},
		{"uri", "api.juspay.in/x", false},
		{"uri", "not a link", false},
	}
	for _, tc := range cases {
		if ok, _ := checkFormat(tc.format, tc.value); ok != tc.ok {
			t.Errorf("%s %q: got %t, want %t", tc.format, tc.value, ok, tc.ok)
		}
	}
}

// Card numbers: Luhn-valid numbers in a network's range are found, grouped or not; reference
// numbers that pass Luhn outside any range, masked numbers and longer digit runs are not.
func TestFindPAN(t *testing.T) {
	cases := []struct {
		s  string
		ok bool
	}{
		{"4111111111111111", true},
		{"4111 1111 1111 1111", true},
		{"4111-1111-1111-1111", true},
		{"card 5555555555554444 used", true},
		{"378282246310005", true},                      // Amex, 15 digits
		{"6521000000000000", false},                    // RuPay range, fails Luhn
		{"6521000000000007", true},                     // RuPay range, Luhn valid
		{"4111111111111112", false},                    // Luhn fails
		{"411111XXXXXX1111", false},                    // masked
		{"202343000000000", false},                     // an RRN: Luhn-valid, in no network's range
		{"20250709211430000149678400718746052", false}, // longer digit run
		{"9999999999", false},
		{"4560000327840", true},                     // a Visa-range 13-digit Luhn-valid run, alone
		{"U4560000327840", false},                   // the same digits inside a gateway id
		{"4560000327840U", false},                   // a letter after
		{"TEST-4111111111111111-1", false},          // joined to a longer token by hyphens
		{"txn_4111111111111111", false},             // underscore
		{"4111111111111111.5", false},               // a fraction
		{"pan: 4111111111111111.", true},            // a sentence ends after it
		{"https://x.in/pay/4111111111111111", true}, // a URL path exposes it
		{"card 4111-1111-1111-1111, ok", true},      // grouped, inside prose
	}
	for _, tc := range cases {
		if _, ok := findPAN(tc.s); ok != tc.ok {
			t.Errorf("%q: got %t, want %t", tc.s, ok, tc.ok)
		}
	}
}

// Which member names can hold a card number: ids and references, account and phone numbers
// cannot (they are long digit runs that pass Luhn one time in ten); every other name can.
func TestPANField(t *testing.T) {
	for name, want := range map[string]bool{
		"card_number": true, "cardNumber": true, "number": true, "description": true, "": true,
		"token": true, "par": true,
		"epg_txn_id": false, "txn_id": false, "id": false, "gatewayReferenceId": false,
		"gateway_reference_id": false, "RAZORPAY:gateway_reference_id": false, "rrn": false,
		"arn": false, "utr": false, "bank_account_number": false, "customer_phone": false,
		"mobile_number": false, "reference": false, "merchantRequestId": false,
	} {
		if got := panField(name); got != want {
			t.Errorf("panField(%q) = %t, want %t", name, got, want)
		}
	}
}
