package contracts

import (
	"fmt"
	"math"
	"strconv"
)

// An invariant is a check across fields of one object, attached to schemas by x-invariants.
type invariant func(w *walker, s *schema, v jvalue)

// invariants is read-only after init: the names are an interface of the spec files.
var invariants = map[string]invariant{
	"status-id":          checkStatusID,
	"event-content":      checkEventContent,
	"refund-amounts":     checkRefundAmounts,
	"txn-amount-breakup": checkTxnAmountBreakup,
	"split-refund":       checkSplitRefund,
	"order-breakup":      checkOrderBreakup,
	"benefit-amount":     checkBenefitAmount,
	"twid-reward":        checkTwidReward,
	"reward-blocks":      checkRewardBlocks,
	"mandate-fields":     checkMandateFields,
	"customer-identity":  checkCustomerIdentity,
	"order-txn-status":   checkOrderTxnStatus,
}

// at runs f with the walker's pointer at the named member of the current object.
func (w *walker) at(key string, f func()) {
	w.path = append(w.path, key)
	f()
	w.path = w.path[:len(w.path)-1]
}

// num reads a number, or a numeric string (invariants judge meaning, the type rules judge form).
func num(v jvalue) (float64, bool) {
	if !v.ok() {
		return 0, false
	}
	if v.kind == jNumber || v.kind == jString && isNumeric(v.s, false) {
		f, err := strconv.ParseFloat(v.s, 64)
		return f, err == nil && !math.IsInf(f, 0)
	}
	return 0, false
}

func str(v jvalue) (string, bool) {
	if v.kind != jString {
		return "", false
	}
	return v.s, true
}

// moneyEqual compares amounts to the paisa: the documents print them with at most two decimals.
func moneyEqual(a, b float64) bool { return math.Abs(a-b) < 0.005 }

func money(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

const statusTable = "Juspay docs https://juspay.io/api-reference/docs/express-checkout/appendix § Transaction status codes (order / transaction status ↔ status_id)"

// statusIDs is the documented status table (facts § 1.1); CREATED/1 is the create-order
// response's own pair.
var statusIDs = map[string]int{
	"CREATED": 1, "NEW": 10, "STARTED": 20, "CHARGED": 21, "JUSPAY_DECLINED": 22, "PENDING_VBV": 23,
	"VBV_SUCCESSFUL": 24, "AUTHORIZED": 25, "AUTHENTICATION_FAILED": 26, "AUTHORIZATION_FAILED": 27,
	"AUTHORIZING": 28, "COD_INITIATED": 29, "VOIDED": 31, "VOID_INITIATED": 32, "CAPTURE_INITIATED": 33,
	"CAPTURE_FAILED": 34, "VOID_FAILED": 35, "AUTO_REFUNDED": 36, "PARTIAL_CHARGED": 37, "NOT_FOUND": 40,
}

// StatusID returns the documented status_id of an order or transaction status.
func StatusID(status string) (int, bool) { id, ok := statusIDs[status]; return id, ok }

func checkStatusID(w *walker, s *schema, v jvalue) {
	status, ok := str(v.get("status"))
	if !ok {
		return
	}
	want, known := statusIDs[status]
	id, ok := num(v.get("status_id"))
	if !known || !ok {
		return
	}
	if id != float64(want) {
		w.at("status_id", func() {
			w.add(RuleStatusID, SeverityError, fmt.Sprintf("status_id %s does not match status %s (%s is %d)", money(id), status, status, want),
				strconv.Itoa(want), money(id), s.spec, statusTable)
		})
	}
}

// eventFamilies names the content key each event carries (facts § 3.3).
var eventFamilies = map[string]string{
	"ORDER_SUCCEEDED": "order", "ORDER_FAILED": "order", "ORDER_REFUNDED": "order", "ORDER_REFUND_FAILED": "order",
	"TXN_CREATED": "order", "REFUND_INITIATED": "order", "REFUND_MANUAL_REVIEW_NEEDED": "order",
	"AUTO_REFUND_SUCCEEDED": "order", "AUTO_REFUND_FAILED": "order",
	"TXN_CHARGED": "txn", "TXN_FAILED": "txn",
	"MANDATE_CREATED": "mandate", "MANDATE_ACTIVATED": "mandate", "MANDATE_FAILED": "mandate",
	"MANDATE_PAUSED": "mandate", "MANDATE_EXPIRED": "mandate", "MANDATE_REVOKED": "mandate",
	"NOTIFICATION_SUCCEEDED": "notification", "NOTIFICATION_FAILED": "notification",
}

// EventFamily returns the content key an event's delivery carries (order, txn, mandate or
// notification).
func EventFamily(event string) (string, bool) { f, ok := eventFamilies[event]; return f, ok }

// failedStatuses are the order/txn statuses that end a payment unsuccessfully.
var failedStatuses = map[string]bool{
	"JUSPAY_DECLINED": true, "AUTHENTICATION_FAILED": true, "AUTHORIZATION_FAILED": true,
	"CAPTURE_FAILED": true, "VOID_FAILED": true, "NOT_FOUND": true,
}

// eventStatus says what the content's status must be for an event: the statuses accepted.
var eventStatus = map[string]struct {
	field    string
	accepted []string
}{
	"ORDER_SUCCEEDED":        {"status", []string{"CHARGED"}},
	"TXN_CHARGED":            {"status", []string{"CHARGED"}},
	"MANDATE_CREATED":        {"status", []string{"CREATED"}},
	"MANDATE_ACTIVATED":      {"status", []string{"ACTIVE"}},
	"MANDATE_FAILED":         {"status", []string{"FAILURE"}},
	"MANDATE_PAUSED":         {"status", []string{"PAUSED"}},
	"MANDATE_EXPIRED":        {"status", []string{"EXPIRED"}},
	"MANDATE_REVOKED":        {"status", []string{"REVOKED"}},
	"NOTIFICATION_SUCCEEDED": {"status", []string{"SUCCESS"}},
	"NOTIFICATION_FAILED":    {"status", []string{"FAILURE"}},
}

const eventSource = "Juspay docs https://juspay.io/resources-eu/docs/common-resources/webhook-events-and-sample-payloads § Webhook events and sample payloads (envelope and event names)"

func checkEventContent(w *walker, s *schema, v jvalue) {
	event, ok := str(v.get("event_name"))
	if !ok {
		return
	}
	family, known := eventFamilies[event]
	content := v.get("content")
	if !known || content.kind != jObject {
		return
	}
	w.at("content", func() {
		for key := range content.members() {
			if key != family {
				w.at(key, func() {
					w.add(RuleEventContent, SeverityError, fmt.Sprintf("%s carries content.%s; its content key is %s", event, key, family), "content."+family, "content."+key, s.spec, eventSource)
				})
			}
		}
		obj := content.get(family)
		if !obj.ok() {
			w.at(family, func() {
				w.add(RuleEventContent, SeverityError, fmt.Sprintf("%s must carry content.%s", event, family), "content."+family, "missing", s.spec, eventSource)
			})
			return
		}
		w.at(family, func() { eventState(w, s, event, obj) })
	})
}

func eventState(w *walker, s *schema, event string, obj jvalue) {
	status, _ := str(obj.get("status"))
	switch event {
	case "ORDER_FAILED", "TXN_FAILED":
		if !failedStatuses[status] {
			w.at("status", func() {
				w.add(RuleEventContent, SeverityError, fmt.Sprintf("%s carries status %q, not a failure status", event, status), "a failure status such as AUTHORIZATION_FAILED", strconv.Quote(status), s.spec, eventSource)
			})
		}
		return
	case "ORDER_REFUNDED", "ORDER_REFUND_FAILED", "REFUND_INITIATED", "REFUND_MANUAL_REVIEW_NEEDED":
		want := map[string]string{"ORDER_REFUNDED": "SUCCESS", "ORDER_REFUND_FAILED": "FAILURE", "REFUND_INITIATED": "PENDING", "REFUND_MANUAL_REVIEW_NEEDED": "MANUAL_REVIEW"}[event]
		refunds := obj.get("refunds")
		if refunds.kind == jArray {
			for _, r := range refunds.elems() {
				if st, _ := str(r.get("status")); st == want {
					return
				}
			}
		}
		w.at("refunds", func() {
			w.add(RuleEventContent, SeverityError, fmt.Sprintf("%s carries no refund with status %s", event, want), "a refund with status "+want, describeOpt(refunds), s.spec, eventSource)
		})
		return
	}
	rule, ok := eventStatus[event]
	if !ok {
		return
	}
	for _, a := range rule.accepted {
		if status == a {
			return
		}
	}
	w.at(rule.field, func() {
		w.add(RuleEventContent, SeverityError, fmt.Sprintf("%s carries status %q", event, status), rule.accepted[0], strconv.Quote(status), s.spec, eventSource)
	})
}

const refundSource = "Order Status API § API Responses › 200 › refunded, amount_refunded, refunds; juspay/juspay-sdk-integration-demo@api-reference:webhooks/refund_initiate.json, webhooks/refund_manual_review.json"

// checkRefundAmounts follows Juspay's semantics: amount_refunded counts refunds still pending
// (REFUND_INITIATED and manual-review webhooks show it), so it lies between the sum of the
// SUCCESS refunds and the amount; it exceeds that sum only while some refund is not SUCCESS
// (pending, or failed: an order whose refunds all failed may keep it).
func checkRefundAmounts(w *walker, s *schema, v jvalue) {
	amount, okA := num(v.get("amount"))
	refundedAmt, okR := num(v.get("amount_refunded"))
	if !okR {
		return
	}
	// The ceiling is what the customer paid: with a surcharge, the txn's txn_amount is above
	// the order amount (juspay/juspay-sdk-integration-demo surcharge/order-status-response.json).
	paid := amount
	if td := v.get("txn_detail"); td.kind == jObject {
		if f, ok := num(td.get("txn_amount")); ok && f > paid {
			paid = f
		}
	}
	if okA && refundedAmt > paid+0.005 {
		w.at("amount_refunded", func() {
			w.add(RuleRefundAmounts, SeverityError, fmt.Sprintf("amount_refunded %s exceeds the amount paid %s", money(refundedAmt), money(paid)), money(paid), money(refundedAmt), s.spec, refundSource)
		})
	}
	refunds := v.get("refunds")
	sum, pendingOrFailed, listed := 0.0, false, refunds.kind == jArray
	if listed {
		for _, r := range refunds.elems() {
			if st, _ := str(r.get("status")); st == "SUCCESS" {
				if a, ok := num(r.get("amount")); ok {
					sum += a
				}
			} else {
				pendingOrFailed = true
			}
		}
	}
	// refunded: "true if the order has been completely refunded"; pending refunds count in
	// amount_refunded, so a manual-review refund of the rest already makes it true.
	if rv := v.get("refunded"); rv.ok() && okA {
		refunded := rv.kind == jBool && rv.b || rv.kind == jString && rv.s == "true"
		covers := refundedAmt >= amount-0.005
		if refunded != covers {
			w.at("refunded", func() {
				w.add(RuleRefundAmounts, SeverityError,
					fmt.Sprintf("refunded is %t but amount_refunded %s %s the amount %s", refunded, money(refundedAmt), map[bool]string{true: "covers", false: "does not cover"}[covers], money(amount)),
					strconv.FormatBool(covers), strconv.FormatBool(refunded), s.spec, refundSource)
			})
		}
	}
	if !listed {
		return
	}
	switch {
	case refundedAmt < sum-0.005:
		w.at("amount_refunded", func() {
			w.add(RuleRefundAmounts, SeverityError, fmt.Sprintf("amount_refunded %s is less than the sum of SUCCESS refunds %s", money(refundedAmt), money(sum)), money(sum), money(refundedAmt), s.spec, refundSource)
		})
	case refundedAmt > sum+0.005 && !pendingOrFailed:
		w.at("amount_refunded", func() {
			w.add(RuleRefundAmounts, SeverityError, fmt.Sprintf("amount_refunded %s differs from the sum of SUCCESS refunds %s and no refund is pending", money(refundedAmt), money(sum)), money(sum), money(refundedAmt), s.spec, refundSource)
		})
	}
}

const breakupSource = "Order Status API § API Responses › 200 › txn_detail › Txn_amount_breakup"

func checkTxnAmountBreakup(w *walker, s *schema, v jvalue) {
	b := v.get("txn_amount_breakup")
	if b.kind == jString {
		inner, err := parseJSON([]byte(b.s), MaxDepth)
		if err != nil {
			return // the type rule reports it
		}
		b = inner.root()
	}
	if b.kind != jArray {
		return
	}
	w.at("txn_amount_breakup", func() {
		for i, item := range b.elems() {
			w.at(strconv.Itoa(i), func() {
				if sno, ok := num(item.get("sno")); ok && sno != float64(i+1) {
					w.at("sno", func() {
						w.add(RuleTxnAmountBreakup, SeverityError, fmt.Sprintf("sno is %s; components are numbered 1..n in order", money(sno)), strconv.Itoa(i+1), money(sno), s.spec, breakupSource)
					})
				}
				if name, ok := str(item.get("name")); ok && (i == 0) != (name == "BASE") {
					w.at("name", func() {
						want := "BASE"
						if i > 0 {
							want = "a component after BASE"
						}
						w.add(RuleTxnAmountBreakup, SeverityError, fmt.Sprintf("component %d is %s; BASE comes first, once", i+1, name), want, strconv.Quote(name), s.spec, breakupSource)
					})
				}
			})
		}
	})
}

const splitRefundSource = "Twid_V2 Onboarding (EC Merchants) § 5.1 Order Based Refunds (split_refund_details)"

func checkSplitRefund(w *walker, s *schema, v jvalue) {
	parts := v.get("split_refund_details")
	amount, ok := num(v.get("amount"))
	if !ok || parts.kind != jArray || parts.len() == 0 {
		return
	}
	sum := 0.0
	for _, p := range parts.elems() {
		if a, ok := num(p.get("amount")); ok {
			sum += a
		}
	}
	if !moneyEqual(sum, amount) {
		w.at("split_refund_details", func() {
			w.add(RuleSplitRefund, SeverityError, fmt.Sprintf("split_refund_details sum to %s, not the refund amount %s", money(sum), money(amount)), money(amount), money(sum), s.spec, splitRefundSource)
		})
	}
}

const orderBreakupSource = "Juspay docs https://docs.juspay.io/api-reference/docs/express-checkout/offer-list § Offer List response (final_order_amount = order_amount − discount_amount; offer_amount = discount + cashback); EMI offers: juspay/juspay-sdk-integration-demo@api-reference:offers/list/without-coupon.json"

func checkOrderBreakup(w *walker, s *schema, v jvalue) {
	order, ok1 := num(v.get("order_amount"))
	final, ok2 := num(v.get("final_order_amount"))
	discount, ok3 := num(v.get("discount_amount"))
	// An EMI offer's discount sits in order_breakup.emi_discount (list-offers without-coupon
	// sample): it lowers the final amount and counts in offer_amount like discount_amount.
	emiDiscount, emiCashback := 0.0, 0.0
	if e := v.get("emi_discount"); e.kind == jObject {
		emiDiscount, _ = num(e.get("emi_discount_amount"))
		emiCashback, _ = num(e.get("emi_cashback_amount"))
	}
	if ok1 && ok2 && ok3 && !moneyEqual(final, order-discount-emiDiscount) {
		w.at("final_order_amount", func() {
			w.add(RuleOrderBreakup, SeverityError, fmt.Sprintf("final_order_amount %s is not order_amount %s − discount_amount %s − emi_discount_amount %s", money(final), money(order), money(discount), money(emiDiscount)), money(order-discount-emiDiscount), money(final), s.spec, orderBreakupSource)
		})
	}
	offer, ok4 := num(v.get("offer_amount"))
	cashback, ok5 := num(v.get("cashback_amount"))
	if ok3 && ok4 && ok5 {
		want := discount + cashback
		if emi, ok := num(v.get("emi_discount_amount")); ok {
			want += emi
		} else {
			want += emiDiscount + emiCashback
		}
		if !moneyEqual(offer, want) {
			w.at("offer_amount", func() {
				w.add(RuleOrderBreakup, SeverityError, fmt.Sprintf("offer_amount %s is not discount_amount %s + cashback_amount %s", money(offer), money(discount), money(cashback)), money(want), money(offer), s.spec, orderBreakupSource)
			})
		}
	}
}

const benefitSource = "Get Offer Order Status § Offers Block (calculation_info)"

func checkBenefitAmount(w *walker, s *schema, v jvalue) {
	// A merchant discount is calculated by the merchant; Juspay only locks the payment method
	// ("No gratification applied by Juspay"), so its amount need not follow the rule.
	if typ, _ := str(v.get("type")); typ == "MERCHANT_DISCOUNT" {
		return
	}
	info := v.get("calculation_info")
	if !info.ok() {
		info = v // list-offers benefits carry the rule beside the amount
	}
	rule, _ := str(info.get("calculation_rule"))
	value, okV := num(info.get("value"))
	amount, okA := num(v.get("amount"))
	if !okA || !okV {
		return
	}
	switch rule {
	case "ABSOLUTE":
		if !moneyEqual(amount, value) {
			w.at("amount", func() {
				w.add(RuleBenefitAmount, SeverityError, fmt.Sprintf("an ABSOLUTE benefit of %s gives amount %s", money(value), money(amount)), money(value), money(amount), s.spec, benefitSource)
			})
		}
	case "PERCENTAGE":
		if max, ok := num(info.get("max_amount")); ok && amount > max+0.005 {
			w.at("amount", func() {
				w.add(RuleBenefitAmount, SeverityError, fmt.Sprintf("amount %s exceeds the PERCENTAGE benefit's max_amount %s", money(amount), money(max)), "at most "+money(max), money(amount), s.spec, benefitSource)
			})
		}
	}
}

const twidSource = "Twid_V2 Onboarding (EC Merchants) § 3.2 Eligibility API (BURN carries value, EARN earnable points)"

func checkTwidReward(w *walker, s *schema, v jvalue) {
	// The eligibility response spells its keys in camelCase; other Twid payloads in snake_case.
	typ, ok := str(v.get("rewardType"))
	if !ok {
		if typ, ok = str(v.get("reward_type")); !ok {
			return
		}
	}
	needValue := typ == "BURN" || typ == "BURN_EARN"
	needEarn := typ == "EARN" || typ == "BURN_EARN"
	if needValue && isNullish(v.get("value")) {
		w.at("value", func() {
			w.add(RuleTwidReward, SeverityError, typ+" reward without value", "value", "missing", s.spec, twidSource)
		})
	}
	if needEarn && isNullish(v.get("earnablePoints")) && isNullish(v.get("earnable_points")) {
		w.at("earnablePoints", func() {
			w.add(RuleTwidReward, SeverityError, typ+" reward without earnablePoints", "earnablePoints", "missing", s.spec, twidSource)
		})
	}
}

// checkRewardBlocks: a REWARD method's eligibility carries its voucher, reward and redeemable
// blocks (the Twid_V2 eligibility response); the same call answers other wallets (Amazon Pay
// Later) without them, so the schema cannot require them for every method.
func checkRewardBlocks(w *walker, s *schema, v jvalue) {
	typ, ok := str(v.get("paymentMethodType"))
	if !ok {
		typ, _ = str(v.get("payment_method_type"))
	}
	if typ != "REWARD" {
		return
	}
	for _, k := range [][2]string{{"voucherInfo", "voucher_info"}, {"rewardDetails", "reward_details"}, {"redeemableInfo", "redeemable_info"}} {
		if !v.get(k[0]).ok() && !v.get(k[1]).ok() {
			w.add(RuleTwidReward, SeverityError, "a REWARD payment method's eligibility without "+k[0], k[0], "missing", s.spec, rewardBlocksSource)
		}
	}
}

const rewardBlocksSource = "Twid_V2 Onboarding (EC Merchants) § 3.2 Eligibility API - Process SDK Call for Rendering TWID Rewards › Response Code Snippet"

// isNullish: absent or null, which the Twid samples use alike for "no value".
func isNullish(v jvalue) bool { return !v.ok() || v.kind == jNull }

const orderTxnStatusSource = "Order Status API § API Responses › 200 › status, txn_id, gateway_id, txn_detail (the order reports its latest transaction, which txn_detail details); Juspay docs https://juspay.io/api-reference/docs/express-checkout/appendix § Transaction status codes"

// checkOrderTxnStatus: the order's status, txn_id and gateway_id report its latest payment
// attempt, which txn_detail details. Two contradictions are judged: a CHARGED attempt under an
// order that reports a failure, and one transaction (the same txn_id at both levels) with two
// gateway ids. Other status pairs legitimately differ (an AUTO_REFUNDED txn under a CHARGED
// order), and a split payment's order may name another transaction than txn_detail (Twid's
// gateway and TWID_V2 txns), so gateway ids are compared only for the same txn_id.
func checkOrderTxnStatus(w *walker, s *schema, v jvalue) {
	td := v.get("txn_detail")
	if td.kind != jObject {
		return
	}
	order, _ := str(v.get("status"))
	if txn, _ := str(td.get("status")); txn == "CHARGED" && failedStatuses[order] {
		w.at("status", func() {
			w.add(RuleOrderTxnStatus, SeverityError, fmt.Sprintf("order status %s while its txn_detail is CHARGED", order), "CHARGED", strconv.Quote(order), s.spec, orderTxnStatusSource)
		})
	}
	id, ok1 := str(v.get("txn_id"))
	tdID, ok2 := str(td.get("txn_id"))
	if !ok1 || !ok2 || id == "" || id != tdID {
		return
	}
	gw, ok1 := num(v.get("gateway_id"))
	tdGw, ok2 := num(td.get("gateway_id"))
	if ok1 && ok2 && gw != tdGw {
		w.at("gateway_id", func() {
			w.add(RuleOrderTxnStatus, SeverityError, fmt.Sprintf("gateway_id %s on the order but %s in txn_detail, for the same txn %s", money(gw), money(tdGw), id), money(tdGw), money(gw), s.spec, orderTxnStatusSource)
		})
	}
}
