package suites

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// rewardsSplitSpecs: split payments, one txn on the gateway and one on TWID_V2 (twid-v2 § 4.2,
// § 4.3), and their order- and transaction-based refunds (§ 5).
func rewardsSplitSpecs(e *env) {
	Context("split txn", func() {
		It("shows the REWARD (TWID) txn of a split order beside the gateway txn, adding up to the amount", func() {
			resp := e.get("/orders/" + url.PathEscape(e.orderID(ScenarioRewardsSplitTxn)))
			expectStatus(resp, 200)
			Expect(resp).To(SatisfyContract(contracts.KindOrderStatus))
			rewardsExpectSplit(resp, object(resp.Body), 0)
		})

		It("pays a fresh order split between a card and a Twid reward", func() {
			e.requireTestMode()
			o := rewardsPaySplit(e)
			resp := e.get("/orders/" + url.PathEscape(o.orderID))
			expectStatus(resp, 200)
			Expect(resp).To(SatisfyContract(contracts.KindOrderStatus))
			doc := object(resp.Body)
			Expect(doc["status"]).To(Equal("CHARGED"), "status of %s paid with test card %s: %s", o.orderID, rewardsTestCard, clipBody(resp.Body))
			rewardsExpectSplit(resp, doc, o.reward)
			Expect(rewardsFind(rewardsTxns(doc), map[string]any{"txn_id": o.txnID})).NotTo(BeNil(), "txn_list lacks the txn %s that POST /txns answered", o.txnID)
		})
	})

	Context("split refunds", func() {
		It("shows the refunds of a split order, the Twid part included", func() {
			resp := e.get("/orders/" + url.PathEscape(e.orderID(ScenarioRewardsSplitRefunds)))
			expectStatus(resp, 200)
			Expect(resp).To(SatisfyContract(contracts.KindOrderStatus))
			doc := object(resp.Body)
			refunds, _ := doc["refunds"].([]any)
			for _, t := range rewardsTxns(doc) {
				more, _ := rewardsAt(t, "refunds").([]any)
				refunds = append(refunds, more...)
			}
			Expect(refunds).NotTo(BeEmpty(), "%s shows no refunds, in refunds or txn_list[].refunds", resp.Request)
			Expect(rewardsFind(refunds, map[string]any{"refund_source": "TWID_V2"})).NotTo(BeNil(),
				"no refund with refund_source TWID_V2 (the Twid part of the split): %s", clipBody(resp.Body))
		})

		It("splits an order-based refund across the gateway and Twid txns", func() {
			e.requireTestMode()
			o := rewardsPaySplit(e)
			// More than either txn holds, so the refund must take from both.
			amount := o.amount - o.reward/2
			uid := uniqueID("jpr", 6)
			form := rewardsForm("rewards-order-refund-request.json", map[string]string{"unique_request_id": uid, "amount": rewardsMoney(amount)})
			resp := e.post("/orders/"+url.PathEscape(o.orderID)+"/refunds", form)
			expectStatus(resp, 200)
			Expect(resp).To(SatisfyContract(contracts.KindRefund))
			refund := object(resp.Body)
			Expect(refund["order_id"]).To(Equal(o.orderID), "order_id of the refund")
			Expect(rewardsNum(refund["amount"])).To(BeNumerically("~", amount, 0.005), "amount of the refund")
			parts, _ := refund["split_refund_details"].([]any)
			Expect(parts).NotTo(BeEmpty(), "no split_refund_details: %s", clipBody(resp.Body))

			status := e.get("/orders/" + url.PathEscape(o.orderID))
			expectStatus(status, 200)
			Expect(status).To(SatisfyContract(contracts.KindOrderStatus))
			txns := rewardsTxns(object(status.Body))
			touched := map[string]bool{}
			for i, p := range parts {
				txnID, _ := rewardsAt(p, "txn_id").(string)
				partID, _ := rewardsAt(p, "unique_request_id").(string)
				partAmount := rewardsNum(rewardsAt(p, "amount"))
				txn := rewardsFind(txns, map[string]any{"txn_id": txnID})
				Expect(txn).NotTo(BeNil(), "split_refund_details[%d] names txn %q, not in the order's txn_list", i, txnID)
				txnAmount := rewardsNum(rewardsAt(txn, "txn_detail", "txn_amount"))
				Expect(partAmount).To(BeNumerically("<=", txnAmount+0.005), "split_refund_details[%d] refunds %v of txn %s, which took %v", i, partAmount, txnID, txnAmount)
				// The documented order status of a split refund lists each part under its txn
				// (twid-v2 § 4.3 Success Response: URI_… on the card txn, URI_…-1 on Twid).
				txnRefunds, _ := txn["refunds"].([]any)
				Expect(rewardsFind(txnRefunds, map[string]any{"unique_request_id": partID})).NotTo(BeNil(),
					"txn %s shows no refund %q (split_refund_details[%d]); its refunds: %v", txnID, partID, i, txn["refunds"])
				touched[txnID] = true
			}
			Expect(touched).To(HaveLen(2), "a refund of %v from txns of %v and %v must take from both", amount, o.amount-o.reward, o.reward)
		})

		It("refunds each txn of a split order by txn id, within what the txn took", func() {
			e.requireTestMode()
			o := rewardsPaySplit(e)
			status := e.get("/orders/" + url.PathEscape(o.orderID))
			expectStatus(status, 200)
			gateway, twid := rewardsSplitTxns(status, object(status.Body))
			gatewayID, _ := gateway["txn_id"].(string)
			twidID, _ := twid["txn_id"].(string)
			gatewayAmount := rewardsNum(rewardsAt(gateway, "txn_detail", "txn_amount"))
			Expect(gatewayAmount).To(BeNumerically(">", 0), "txn_detail.txn_amount of the gateway txn %s", gatewayID)

			// "first exhausting the gateway amount and then Twid amount" (twid-v2 § 5.2).
			refunds := []struct {
				txnID, uid string
				amount     float64
			}{
				{gatewayID, uniqueID("jpr", 6), gatewayAmount},
				{twidID, uniqueID("jpr", 6), o.reward / 2},
			}
			for _, r := range refunds {
				form := rewardsForm("rewards-txn-refund-request.json", map[string]string{"unique_request_id": r.uid, "amount": rewardsMoney(r.amount)})
				resp := e.post("/orders/txns/"+url.PathEscape(r.txnID)+"/refunds", form)
				expectStatus(resp, 200)
				// "Juspay's refund response will remain the same as … for transaction based
				// refunds": the order object.
				Expect(resp).To(SatisfyContract(contracts.KindOrderStatus))
			}
			over := rewardsForm("rewards-txn-refund-request.json", map[string]string{"unique_request_id": uniqueID("jpr", 6), "amount": rewardsMoney(o.reward)})
			resp := e.post("/orders/txns/"+url.PathEscape(twidID)+"/refunds", over)
			expectStatus(resp, 400)
			Expect(resp).To(SatisfyContract(contracts.KindError))
			Expect(object(resp.Body)["error_code"]).To(Equal("invalid.amount.exceeded"), "error_code of a refund of %v from a txn with %v left", o.reward, o.reward/2)

			status = e.get("/orders/" + url.PathEscape(o.orderID))
			expectStatus(status, 200)
			Expect(status).To(SatisfyContract(contracts.KindOrderStatus))
			txns := rewardsTxns(object(status.Body))
			for _, r := range refunds {
				txn := rewardsFind(txns, map[string]any{"txn_id": r.txnID})
				Expect(txn).NotTo(BeNil(), "txn %s left txn_list", r.txnID)
				txnRefunds, _ := txn["refunds"].([]any)
				got := rewardsFind(txnRefunds, map[string]any{"unique_request_id": r.uid})
				Expect(got).NotTo(BeNil(), "txn %s shows no refund %q; its refunds: %v", r.txnID, r.uid, txn["refunds"])
				Expect(rewardsNum(got["amount"])).To(BeNumerically("~", r.amount, 0.005), "amount of refund %s on txn %s", r.uid, r.txnID)
			}
		})
	})
}

// rewardsTestCard is the test-mode card that is CHARGED (docs/mock.md § Test mode), the documented
// Twid txn request's own card.
const rewardsTestCard = "4111111111111111"

// rewardsSplitOrder is an order paid by rewardsPaySplit.
type rewardsSplitOrder struct {
	orderID string
	amount  float64 // the order amount
	reward  float64 // the Twid split_amount
	txnID   string  // what POST /txns answered
}

// rewardsPaySplit creates an order and pays it with the documented split txn request: the
// test card for the rest and a Twid reward for split_amount.
func rewardsPaySplit(e *env) rewardsSplitOrder {
	GinkgoHelper()
	o := rewardsSplitOrder{orderID: uniqueID("jpr", 8)}
	create := rewardsForm("rewards-order-create-request.json", map[string]string{
		"order_id": o.orderID, "customer_id": "jpcheck_rewards", "customer_email": "jpcheck@example.com",
		"customer_phone": refTwidRewardsMobile,
		// A placeholder in the sample; only needed with several gateways configured.
		"metadata.JUSPAY:gateway_reference_id": "",
	})
	o.amount = rewardsNum(create.Get("amount"))
	Expect(o.amount).To(BeNumerically(">", 0), "amount of the documented order create request")
	resp := e.post("/orders", create)
	expectStatus(resp, 200)
	Expect(resp).To(SatisfyContract(contracts.KindOrderCreate))
	Expect(object(resp.Body)["order_id"]).To(Equal(o.orderID), "order_id of the created order")

	set := map[string]string{
		"order_id": o.orderID, "card_number": rewardsTestCard,
		// The sample's expiry (11/25) has passed; test mode takes any future one.
		"card_exp_year": fmt.Sprintf("%02d", (time.Now().Year()+3)%100),
	}
	if e.merchantID != "" {
		set["merchant_id"] = e.merchantID
	}
	txn := rewardsForm("rewards-txn-request.json", set)
	var splits []map[string]any
	Expect(json.Unmarshal([]byte(txn.Get("additional_payment_details")), &splits)).To(Succeed(), "additional_payment_details of the documented txn request")
	for _, s := range splits {
		a := rewardsNum(s["split_amount"])
		Expect(a).To(BeNumerically(">", 0), "split_amount of the documented txn request")
		o.reward += a
	}
	resp = e.post("/txns", txn)
	expectStatus(resp, 200)
	Expect(resp).To(SatisfyContract(contracts.KindTxn))
	doc := object(resp.Body)
	Expect(doc["order_id"]).To(Equal(o.orderID), "order_id of the txn")
	o.txnID, _ = doc["txn_id"].(string)
	Expect(o.txnID).NotTo(BeEmpty(), "the txn has no txn_id: %s", clipBody(resp.Body))
	return o
}

// rewardsTxns is the order's txn_list.
func rewardsTxns(doc map[string]any) []any {
	list, _ := doc["txn_list"].([]any)
	return list
}

// rewardsSplitTxns returns the gateway txn and the Twid txn of a split order; the spec fails
// unless there is exactly one of each.
func rewardsSplitTxns(resp *Response, doc map[string]any) (gateway, twid map[string]any) {
	GinkgoHelper()
	var gateways, twids []map[string]any
	for _, t := range rewardsTxns(doc) {
		m, ok := t.(map[string]any)
		if !ok {
			continue
		}
		if m["payment_method_type"] == "REWARD" && m["payment_method"] == "TWID" {
			twids = append(twids, m)
		} else {
			gateways = append(gateways, m)
		}
	}
	Expect(twids).To(HaveLen(1), "%s: txn_list should hold one REWARD / TWID txn: %s", resp.Request, clipBody(resp.Body))
	Expect(gateways).To(HaveLen(1), "%s: txn_list should hold one gateway txn beside Twid: %s", resp.Request, clipBody(resp.Body))
	return gateways[0], twids[0]
}

// rewardsExpectSplit checks a charged split order: one gateway txn and one Twid txn, both
// CHARGED, whose txn_amounts add up to the order amount; reward, when not 0, is what the Twid
// txn must have taken.
func rewardsExpectSplit(resp *Response, doc map[string]any, reward float64) {
	GinkgoHelper()
	gateway, twid := rewardsSplitTxns(resp, doc)
	total := rewardsNum(doc["amount"])
	Expect(total).To(BeNumerically(">", 0), "%s: amount", resp.Request)
	sum := 0.0
	for _, t := range []map[string]any{gateway, twid} {
		Expect(rewardsAt(t, "txn_detail", "status")).To(Equal("CHARGED"), "txn %v of a charged split order", t["txn_id"])
		a := rewardsNum(rewardsAt(t, "txn_detail", "txn_amount"))
		Expect(a).To(BeNumerically(">=", 0), "txn_detail.txn_amount of txn %v", t["txn_id"])
		sum += a
	}
	Expect(sum).To(BeNumerically("~", total, 0.005), "%s: the txns of the split take %v, the order amount is %v", resp.Request, sum, total)
	Expect(rewardsAt(twid, "txn_detail", "gateway")).To(Equal("TWID_V2"), "gateway of the Twid txn")
	if reward > 0 {
		Expect(rewardsNum(rewardsAt(twid, "txn_detail", "txn_amount"))).To(BeNumerically("~", reward, 0.005), "txn_amount of the Twid txn (split_amount)")
	}
}
