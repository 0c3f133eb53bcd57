package mock

import "strings"

// Test mode: the outcome of a payment is decided by what the payer used, so a flow runs end to
// end without a person. This table is an interface (docs/mock.md).

// Outcome is what a test-mode payment ends in.
type Outcome struct {
	Status   string // txn and order status
	Code     string // gateway response code
	Message  string // gateway response message
	ErrCode  string // txn error_code, empty on success
	ErrorMsg string
}

var (
	charged    = Outcome{Status: "CHARGED", Code: "SUCCESS", Message: "Transaction successful"}
	authnFail  = Outcome{Status: "AUTHENTICATION_FAILED", Code: "AUTHENTICATION_FAILED", Message: "Authentication failed", ErrCode: "JP_101", ErrorMsg: "3-D Secure authentication failed"}
	authzFail  = Outcome{Status: "AUTHORIZATION_FAILED", Code: "AUTHORIZATION_FAILED", Message: "Declined by issuer", ErrCode: "JP_102", ErrorMsg: "Transaction declined by the bank"}
	jpDeclined = Outcome{Status: "JUSPAY_DECLINED", Code: "JUSPAY_DECLINED", Message: "Invalid payment details", ErrCode: "JP_103", ErrorMsg: "Payment details not accepted"}
)

// TestCards, TestVPAs and TestBanks are the documented test-mode instruments.
var (
	TestCards = map[string]Outcome{
		"4111111111111111": charged,
		"5555555555554444": charged,
		"4000000000000002": authnFail,
		"4000000000000069": authzFail,
		"4000000000000119": jpDeclined,
	}
	TestVPAs = map[string]Outcome{
		"success@upi":   charged,
		"successcc@upi": charged, // UPI on a credit card (TestUPICreditVPAs)
		"failure@upi":   authzFail,
		"decline@upi":   jpDeclined,
	}
	TestBanks = map[string]Outcome{
		"NB_DUMMY":   charged,
		"NB_HDFC":    charged,
		"NB_FAILURE": authnFail,
		"NB_DECLINE": authzFail,
	}
)

// TestUPICreditVPAs pay CHARGED as UPI on a credit card (UPICC): order status shows
// upi.payment_method_sub_detail.mode CREDIT_CARD.
var TestUPICreditVPAs = map[string]bool{"successcc@upi": true}

// TestAutoRefundCards pay late: Juspay refunds such a payment on its own, so the order ends
// AUTO_REFUNDED (facts § 1.1) with a refund initiated_by AUTO_REFUNDED that succeeds (true:
// AUTO_REFUND_SUCCEEDED) or fails (false: AUTO_REFUND_FAILED). docs/mock.md § Test mode.
var TestAutoRefundCards = map[string]bool{
	"4000000000000101": true,
	"4000000000000200": false,
}

// TestRefundAmounts are refund amounts whose refund does not succeed: it fails at the gateway
// (ORDER_REFUND_FAILED) or goes to manual review (REFUND_MANUAL_REVIEW_NEEDED). Any other
// amount succeeds (ORDER_REFUNDED).
var TestRefundAmounts = map[string]string{
	"9.91": "FAILURE",
	"9.92": "MANUAL_REVIEW",
}

// outcome decides a test-mode payment. Unknown cards, VPAs and banks are declined by Juspay
// (JUSPAY_DECLINED): a test must name a documented instrument to know what happens.
func outcome(pmt, method, card, vpa string) Outcome {
	switch strings.ToUpper(pmt) {
	case "CARD":
		if o, ok := TestCards[strings.ReplaceAll(card, " ", "")]; ok {
			return o
		}
		return jpDeclined
	case "UPI":
		if o, ok := TestVPAs[strings.ToLower(vpa)]; ok {
			return o
		}
		return jpDeclined
	case "NB":
		if o, ok := TestBanks[strings.ToUpper(method)]; ok {
			return o
		}
		return jpDeclined
	case "WALLET", "REWARD", "CONSUMER_FINANCE":
		return charged
	}
	return jpDeclined
}

func cardBrand(n string) string {
	switch {
	case strings.HasPrefix(n, "4"):
		return "VISA"
	case strings.HasPrefix(n, "5") || strings.HasPrefix(n, "2"):
		return "MASTERCARD"
	case strings.HasPrefix(n, "3"):
		return "AMEX"
	case strings.HasPrefix(n, "6"):
		return "RUPAY"
	}
	return "UNKNOWN"
}
