package contracts_test

import (
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
)

// Each case breaks one field of a documented sample that is clean under both profiles and
// expects the rule at that field's pointer. The comment names the rule for the README.
func TestRulesFindTheBrokenField(t *testing.T) {
	set := mustSet(t)
	long := strings.Repeat("x", 65)
	cases := []struct {
		name     string
		example  string
		kind     contracts.Kind
		op       string
		pointer  string
		value    any
		rule     contracts.Rule
		at       string // pointer the finding must carry; defaults to pointer
		severity contracts.Severity
		profile  contracts.Profile
		prep     [][2]any // pointer/value edits that make the sample consistent before the break
	}{
		// Rule required: order_id missing is an error at /order_id.
		{name: "required", example: "order-status-upi.json", op: "del", pointer: "/order_id", rule: contracts.RuleRequired},
		// Rule required, nested: txn_detail.status missing.
		{name: "required nested", example: "order-status-upi.json", op: "del", pointer: "/txn_detail/status", rule: contracts.RuleRequired},
		// Rule type: amount as a word.
		{name: "type", example: "order-status-upi.json", op: "set", pointer: "/amount", value: "two", rule: contracts.RuleType},
		// Rule type: null where the spec does not allow it.
		{name: "type null", example: "order-status-upi.json", op: "set", pointer: "/status", value: nil, rule: contracts.RuleType},
		// Rule type: a boolean as a number.
		{name: "type boolean", example: "order-status-upi.json", op: "set", pointer: "/refunded", value: 0, rule: contracts.RuleType},
		// Rule enum: status "CHARGD" is an error at /status.
		{name: "enum", example: "order-status-upi.json", op: "set", pointer: "/status", value: "CHARGD", rule: contracts.RuleEnum},
		// Rule enum in an array element: refunds[0].status.
		{name: "enum nested", example: "order-status-wallets.json", op: "set", pointer: "/refunds/0/status", value: "DONE", rule: contracts.RuleEnum},
		// Rule const: a webhook whose event_name is not the event's own.
		{name: "const", example: "webhook-mandate-created.json", kind: contracts.KindWebhook, op: "set", pointer: "/event_name", value: "NOT_AN_EVENT", rule: contracts.RuleEnum},
		// Rule format date-time: date_created "yesterday".
		{name: "format date-time", example: "order-status-upi.json", op: "set", pointer: "/date_created", value: "yesterday", rule: contracts.RuleFormat},
		// Rule format uri.
		{name: "format uri", example: "order-status-upi.json", op: "set", pointer: "/payment_links/web", value: "not a link", rule: contracts.RuleFormat},
		// Rule format epoch-seconds: a mandate start_date that is not seconds since 1970.
		{name: "format epoch-seconds", example: "webhook-mandate-created.json", op: "set", pointer: "/content/mandate/start_date", value: "2024-01-01", rule: contracts.RuleFormat},
		// Rule pattern: a money string that is not a number.
		{name: "pattern", example: "offers-cred-ec-api-list-response.json", op: "set", pointer: "/order_breakup/order_amount", value: "1,000.00", rule: contracts.RulePattern},
		// Rule max-length: product_id is at most 64 characters.
		{name: "max-length", example: "order-status-upi.json", op: "set", pointer: "/product_id", value: long, rule: contracts.RuleMaxLength},
		// Rule undeclared: a field the spec does not declare is a warning under compat...
		{name: "undeclared compat", example: "order-status-upi.json", op: "set", pointer: "/surprise", value: 1, rule: contracts.RuleUndeclared, severity: contracts.SeverityWarning},
		// ...and an error under strict.
		{name: "undeclared strict", example: "order-status-upi.json", op: "set", pointer: "/surprise", value: 1, rule: contracts.RuleUndeclared, profile: contracts.ProfileStrict},
		// Invariant status-id: CHARGED with status_id 27.
		{name: "invariant status-id", example: "order-status-upi.json", op: "set", pointer: "/status_id", value: 27, rule: contracts.RuleStatusID},
		// Invariant status-id on the create-order response: CREATED is 1.
		{name: "invariant status-id create", example: "rewards-order-create-response.json", op: "set", pointer: "/status_id", value: 10, rule: contracts.RuleStatusID},
		// Invariant event-content: ORDER_SUCCEEDED with a failed order.
		{name: "invariant event-content status", example: "webhook-cred-ec-api-order-succeeded.json", op: "set", pointer: "/content/order/status", value: "JUSPAY_DECLINED", rule: contracts.RuleEventContent},
		// Invariant event-content: a mandate event whose mandate is in another state.
		{name: "invariant event-content mandate", example: "webhook-mandate-activated.json", op: "set", pointer: "/content/mandate/status", value: "REVOKED", rule: contracts.RuleEventContent},
		// Invariant event-content: NOTIFICATION_SUCCEEDED with a failed notification.
		{name: "invariant event-content notification", example: "webhook-notification-succeeded.json", op: "set", pointer: "/content/notification/status", value: "FAILURE", rule: contracts.RuleEventContent},
		// Invariant event-content: the content key of another family.
		{name: "invariant event-content key", example: "webhook-mandate-created.json", op: "set", pointer: "/content/order", value: map[string]any{}, rule: contracts.RuleEventContent},
		// Invariant refund-amounts: refunded true while nothing was refunded.
		{name: "invariant refunded flag", example: "order-status-upi.json", op: "set", pointer: "/refunded", value: true, rule: contracts.RuleRefundAmounts},
		// Invariant refund-amounts: amount_refunded is not the sum of SUCCESS refunds.
		{name: "invariant refund sum", example: "order-status-wallets.json", op: "set", pointer: "/refunds/0/amount", value: 0.5, rule: contracts.RuleRefundAmounts, at: "/amount_refunded"},
		// Invariant txn-amount-breakup: sno must run 1..n.
		{name: "invariant breakup sno", example: "order-status-debit-enach-split.json", op: "set", pointer: "/txn_list/0/txn_detail/txn_amount_breakup/1/sno", value: 5, rule: contracts.RuleTxnAmountBreakup},
		// Invariant txn-amount-breakup: BASE comes first.
		{name: "invariant breakup base", example: "order-status-debit-enach-split.json", op: "set", pointer: "/txn_list/0/txn_detail/txn_amount_breakup/0/name", value: "SURCHARGE", rule: contracts.RuleTxnAmountBreakup},
		// Invariant split-refund: the parts must sum to the refund amount.
		{name: "invariant split-refund", example: "rewards-order-refund-response.json", op: "set", pointer: "/split_refund_details/0/amount", value: 700, rule: contracts.RuleSplitRefund, at: "/split_refund_details"},
		// Invariant order-breakup: final = order − discount.
		{name: "invariant order-breakup final", example: "offers-cred-ec-api-list-response.json", op: "set", pointer: "/order_breakup/final_order_amount", value: "900.00", rule: contracts.RuleOrderBreakup},
		// Invariant order-breakup: offer_amount = discount + cashback.
		{name: "invariant order-breakup offer", example: "offers-cred-ec-api-list-response.json", op: "set", pointer: "/order_breakup/offer_amount", value: "250.00", rule: contracts.RuleOrderBreakup},
		// Invariant benefit-amount: an ABSOLUTE benefit's amount is its value (the sample's own
		// erratum is mended first, so the case breaks a consistent benefit).
		{name: "invariant benefit-amount", example: "order-status-v4-raw-offers.json", prep: [][2]any{{"/offers/0/benefits/0/calculation_info/value", 150}}, op: "set", pointer: "/offers/0/benefits/0/amount", value: 149, rule: contracts.RuleBenefitAmount},
		// Invariant benefit-amount: a PERCENTAGE benefit is capped by max_amount.
		{name: "invariant benefit-amount cap", example: "order-status-v4-raw-offers.json", prep: [][2]any{{"/offers/0/benefits/0/calculation_info/calculation_rule", "PERCENTAGE"}, {"/offers/0/benefits/0/calculation_info/max_amount", 150}}, op: "set", pointer: "/offers/0/benefits/0/amount", value: 151, rule: contracts.RuleBenefitAmount},
		// Invariant twid-reward: an EARN reward without earnablePoints.
		{name: "invariant twid-reward", example: "rewards-eligibility-response.json", op: "del", pointer: "/payload/wallets/0/paymentMethodsEligibility/0/redeemableInfo/2/earnablePoints", rule: contracts.RuleTwidReward},
		// Invariant twid-reward: a BURN reward whose value is null.
		{name: "invariant twid-reward null", example: "rewards-eligibility-response.json", op: "set", pointer: "/payload/wallets/0/paymentMethodsEligibility/0/redeemableInfo/0/value", value: nil, rule: contracts.RuleTwidReward},
		// PCI: a full card number in any field, declared or not.
		{name: "pci card-number", example: "order-status-upi.json", op: "set", pointer: "/udf1", value: "4111 1111 1111 1111", rule: contracts.RuleCardNumber},
		// PCI: a card number as a JSON number.
		{name: "pci card-number number", example: "order-status-upi.json", op: "set", pointer: "/card_number", value: 5555555555554444, rule: contracts.RuleCardNumber},
		// PCI: a CVV field.
		{name: "pci cvv", example: "order-status-upi.json", op: "set", pointer: "/cvv", value: "123", rule: contracts.RuleCVV},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := mustExample(t, tc.example)
			for _, e := range tc.prep {
				base = mutate(t, base, "set", e[0].(string), e[1])
			}
			profile := tc.profile
			if profile == "" {
				profile = contracts.ProfileCompat
			}
			kind := tc.kind
			if kind == "" {
				kind = exampleKind(t, tc.example)
			}
			clean, err := set.Validate(kind, base, contracts.Options{Profile: profile})
			if err != nil {
				t.Fatal(err)
			}
			at := tc.at
			if at == "" {
				at = tc.pointer
			}
			if got := findingsAt(clean, tc.rule, at); len(got) > 0 {
				t.Fatalf("the unbroken sample already has %s at %s: the case proves nothing%s", tc.rule, at, dump(clean))
			}
			res, err := set.Validate(kind, mutate(t, base, tc.op, tc.pointer, tc.value), contracts.Options{Profile: profile})
			if err != nil {
				t.Fatal(err)
			}
			got := findingsAt(res, tc.rule, at)
			if len(got) == 0 {
				t.Fatalf("want %s at %s, got:%s", tc.rule, at, dump(res))
			}
			want := tc.severity
			if want == "" {
				want = contracts.SeverityError
			}
			if got[0].Severity != want {
				t.Errorf("severity %s, want %s", got[0].Severity, want)
			}
			if want == contracts.SeverityError && res.Valid {
				t.Errorf("an error finding left the payload valid")
			}
			if got[0].Message == "" || strings.Contains(got[0].Message, "\n") {
				t.Errorf("message must be one line: %q", got[0].Message)
			}
			if tc.rule != contracts.RuleCardNumber && tc.rule != contracts.RuleCVV && got[0].Spec == "" {
				t.Errorf("finding has no spec pointer: %+v", got[0])
			}
		})
	}
}

// Quirks: the documented variants are warnings under compat and errors under strict, and each
// warning names its quirk.
func TestQuirksByProfile(t *testing.T) {
	set := mustSet(t)
	cases := []struct {
		example string
		pointer string
		quirk   contracts.Rule
	}{
		{"order-status-card.json", "/txn_detail/txn_amount_breakup", contracts.RuleQuirkJSONString},
		{"order-status-debit-enach-split.json", "/txn_list/0/txn_detail/txn_amount_breakup/0/amount", contracts.RuleQuirkFieldAlias},
		{"order-status-cred-ec-api-success.json", "/txn_detail/txn_amount_breakup/1/method", contracts.RuleQuirkEnumAlias},
		{"webhook-mandate-created.json", "/content/mandate/revokable_by_customer", contracts.RuleQuirkBooleanString},
		{"webhook-order-failed-mandate.json", "/content/order/status_id", contracts.RuleQuirkNumericString},
		{"order-status-wallets.json", "/payer_vpa", contracts.RuleQuirkNullString},
	}
	for _, tc := range cases {
		t.Run(tc.example+tc.pointer, func(t *testing.T) {
			data := mustExample(t, tc.example)
			compat, _ := set.Validate(contracts.KindAuto, data, contracts.Options{Profile: contracts.ProfileCompat})
			got := findingsAt(compat, tc.quirk, tc.pointer)
			if len(got) != 1 || got[0].Severity != contracts.SeverityWarning {
				t.Fatalf("compat: want one %s warning at %s:%s", tc.quirk, tc.pointer, dump(compat))
			}
			if got[0].Source == "" {
				t.Errorf("quirk warning without provenance: %+v", got[0])
			}
			strict, _ := set.Validate(contracts.KindAuto, data, contracts.Options{Profile: contracts.ProfileStrict})
			for _, f := range strict.Findings {
				// The error may sit on an enclosing value: strict rejects a JSON-encoded array
				// as a whole, before looking inside it.
				if strings.HasPrefix(tc.pointer, f.Pointer) && f.Severity == contracts.SeverityError {
					return
				}
			}
			t.Fatalf("strict: want an error at %s:%s", tc.pointer, dump(strict))
		})
	}
}
