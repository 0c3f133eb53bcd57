package contracts_test

import (
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
)

// TestAuditRules checks the rules issue 11's audit of the five documents added, each with a
// payload that passes and one that fails (or warns, for a variant), on one component schema.
func TestAuditRules(t *testing.T) {
	set := mustSet(t)
	cases := []struct {
		name, file, schema, payload string
		// errors is the number of error findings wanted; alias, a field-alias warning wanted under compat.
		errors int
		alias  bool
	}{
		// 004 V4: the 400 table's one field, "not enough input".
		{"v4 400 body", "order-status.yaml", "V4NotEnoughInput", `{"not enough input": "JWT missing"}`, 0, false},
		{"v4 400 body wrong type", "order-status.yaml", "V4NotEnoughInput", `{"not enough input": 1}`, 1, false},
		// 004: txn_amount_breakup[].value is the table's name; amount is the variant.
		{"breakup value", "order-status.yaml", "TxnAmountBreakupItem", `{"name": "BASE", "value": 10, "sno": 1, "method": "ADD"}`, 0, false},
		{"breakup amount variant", "order-status.yaml", "TxnAmountBreakupItem", `{"name": "BASE", "amount": 10, "sno": 1, "method": "ADD"}`, 0, true},
		{"breakup without value", "order-status.yaml", "TxnAmountBreakupItem", `{"name": "BASE", "sno": 1, "method": "ADD"}`, 1, false},
		// 000: the List Offers customer's number is phone, an Indian mobile; mobile is the variant.
		{"customer phone", "offers.yaml", "ListOffersCustomer", `{"id": "c1", "phone": "9741000605"}`, 0, false},
		{"customer mobile variant", "offers.yaml", "ListOffersCustomer", `{"id": "c1", "mobile": "9741000605"}`, 0, true},
		// 001: the Merchant Discount (payment locking) benefit type; Juspay applies no
		// gratification, so an amount apart from the configured value is not an error.
		{"merchant discount benefit", "offers.yaml", "OrderOfferBenefit", `{"type": "MERCHANT_DISCOUNT", "amount": 0, "calculation_info": {"calculation_rule": "ABSOLUTE", "value": 100}}`, 0, false},
		{"discount benefit amount checked", "offers.yaml", "OrderOfferBenefit", `{"type": "DISCOUNT", "amount": 0, "calculation_info": {"calculation_rule": "ABSOLUTE", "value": 100}}`, 1, false},
		{"unknown benefit type", "offers.yaml", "OrderOfferBenefit", `{"type": "PAYMENT_LOCK", "amount": 0, "calculation_info": {"calculation_rule": "ABSOLUTE", "value": 0}}`, 1, false},
		{"customer phone not a mobile", "offers.yaml", "ListOffersCustomer", `{"id": "c1", "phone": "12345"}`, 1, false},
		// 002: the prose's names are aliases of the sample's (expiry, payment_locking_payload).
		{"voucher expiresOn", "rewards.yaml", "VoucherInfo", `{"voucherTnc": "t", "voucherId": 1, "voucherAmount": 10, "type": "VOUCHER", "title": "cashback", "subTitle": "s", "expiresOn": "Expires on 31st Dec 2024", "code": "C"}`, 0, false},
		{"voucher expiry variant", "rewards.yaml", "VoucherInfo", `{"voucherTnc": "t", "voucherId": 1, "voucherAmount": 10, "type": "VOUCHER", "title": "cashback", "subTitle": "s", "expiry": "Expires on 31st Dec 2024", "code": "C"}`, 0, true},
		{"voucher without expiry", "rewards.yaml", "VoucherInfo", `{"voucherTnc": "t", "voucherId": 1, "voucherAmount": 10, "type": "VOUCHER", "title": "cashback", "subTitle": "s", "code": "C"}`, 1, false},
		{"payment_locking_payload variant", "rewards.yaml", "RedeemableInfo", `{"value": 10, "type": "BURN", "toggle": true, "title": "t", "rewardType": "BURN", "rewardId": "1", "issuerType": "bank", "brandName": "b", "brandLogo": "https://x.in/l.png", "payment_locking_payload": {"rewardRules": {"allowDefaultOptions": false, "options": []}}}`, 0, true},
		{"payment_locking_payload checked", "rewards.yaml", "RedeemableInfo", `{"value": 10, "type": "BURN", "toggle": true, "title": "t", "rewardType": "BURN", "rewardId": "1", "issuerType": "bank", "brandName": "b", "brandLogo": "https://x.in/l.png", "payment_locking_payload": {"rewardRules": 1}}`, 1, true},
		// 002: customer_email is not required on order create; the customer's identity is.
		{"order create without email", "rewards.yaml", "OrderCreateRequest", `{"order_id": "o1", "amount": "10", "customer_id": "c1"}`, 0, false},
		{"order create without identity", "rewards.yaml", "OrderCreateRequest", `{"order_id": "o1", "amount": "10", "customer_email": "a@b.in"}`, 1, false},
		// 002: direct_refund_response is not required on an order refund.
		{"refund without direct_refund_response", "rewards.yaml", "OrderRefundRequest", `{"unique_request_id": "r1", "amount": "10"}`, 0, false},
		{"refund direct_refund_response not a flag", "rewards.yaml", "OrderRefundRequest", `{"unique_request_id": "r1", "amount": "10", "direct_refund_response": "yes"}`, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := set.ValidateComponent(tc.file, tc.schema, []byte(tc.payload), contracts.Options{Profile: contracts.ProfileCompat, Request: tc.file != "order-status.yaml"})
			if err != nil {
				t.Fatal(err)
			}
			errs, alias := 0, false
			for _, f := range res.Findings {
				if f.Severity == contracts.SeverityError {
					errs++
				}
				if f.Rule == contracts.RuleQuirkFieldAlias {
					alias = true
				}
			}
			if errs != tc.errors || alias != tc.alias {
				t.Fatalf("want %d errors (alias %t), got %d (alias %t)%s", tc.errors, tc.alias, errs, alias, dump(res))
			}
		})
	}
}
