package suites

import (
	"net/url"
	"strings"

	"github.com/jpcheck/jpcheck/contracts"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// errorSpecs: the documented error answers (facts § 6.1; order-status § API Responses › 400,
// 401): a wrong or missing key, an unknown order, a missing field.
func errorSpecs(e *env) {
	Describe("errors", Label(LabelErrors), func() {
		Context("authentication", func() {
			It("answers a wrong API key with 401 access_denied", func() {
				resp := e.call(Request{Method: "GET", Path: "/orders/" + url.PathEscape(e.orderID(ScenarioCard)), APIKey: "jpcheck_wrong_key"})
				expectStatus(resp, 401)
				Expect(resp).To(SatisfyContract(contracts.KindError))
				doc := object(resp.Body)
				Expect(doc["error_code"]).To(Equal("access_denied"), "error_code: %s", clipBody(resp.Body))
				Expect(doc["status"]).To(Equal("error"), "status (Order Status API § API Responses › 401)")
			})

			It("answers a request without Authorization with 401", func() {
				resp := e.call(Request{Method: "GET", Path: "/orders/" + url.PathEscape(e.orderID(ScenarioCard)), NoAuth: true})
				expectStatus(resp, 401)
				Expect(resp).To(SatisfyContract(contracts.KindError))
				// Both are documented for a request without a valid key: access_denied
				// (order-status § 401) and the legacy missing_authentication (facts § 6.1).
				Expect(object(resp.Body)["error_code"]).To(BeElementOf("access_denied", "missing_authentication"), "error_code: %s", clipBody(resp.Body))
			})
		})

		Context("unknown order", func() {
			It("answers 400 NOT_FOUND with status_id 40", func() {
				id := e.orderID(ScenarioNotFound)
				resp := e.get("/orders/" + url.PathEscape(id))
				// facts § 6.1: "Unknown order_id → HTTP 400" (an invalid URL gives 404).
				expectStatus(resp, 400)
				Expect(resp).To(SatisfyContract(contracts.KindError))
				doc := object(resp.Body)
				Expect(doc["status"]).To(Equal("NOT_FOUND"), "status: %s", clipBody(resp.Body))
				Expect(doc["status_id"]).To(BeEquivalentTo(40), "status_id")
				if oid, ok := doc["order_id"]; ok {
					Expect(oid).To(Equal(id), "order_id of the NOT_FOUND answer")
				}
			})
		})

		Context("missing fields", func() {
			DescribeTable("answers 400 naming what is missing",
				func(build func() Request, field string, documented ...string) {
					resp := e.call(build())
					expectStatus(resp, 400)
					Expect(resp).To(SatisfyContract(contracts.KindError))
					doc := object(resp.Body)
					Expect(errorsNames(doc, field, documented)).To(BeTrue(),
						"%s: the error names neither %q (error_code, error_message or error_info.fields) nor a documented error_code %q: %s",
						resp.Request, field, documented, clipBody(resp.Body))
				},
				Entry("POST /orders without order_id", func() Request {
					return Request{Method: "POST", Path: "/orders", Form: errorsOrderForm("")}
				}, "order_id"),
				Entry("POST /orders without amount", func() Request {
					form := errorsOrderForm(uniqueID("jpe", 8))
					form.Del("amount")
					return Request{Method: "POST", Path: "/orders", Form: form}
				}, "amount"),
				Entry("POST /orders with an invalid currency", func() Request {
					form := errorsOrderForm(uniqueID("jpe", 8))
					form.Set("currency", "rupees")
					return Request{Method: "POST", Path: "/orders", Form: form}
				}, "currency"),
				Entry("POST /orders/{order_id}/refunds without unique_request_id", func() Request {
					form := rewardsForm("rewards-order-refund-request.json", map[string]string{"unique_request_id": "", "amount": "1"})
					return Request{Method: "POST", Path: "/orders/" + url.PathEscape(e.orderID(ScenarioCard)) + "/refunds", Form: form}
				}, "unique_request_id", "Mandatory fields are missing"),
				Entry("POST /txns without payment_method_type", func() Request {
					// A fresh order, so that nothing but the missing field is wrong; nothing is paid.
					id := uniqueID("jpe", 8)
					resp := e.post("/orders", errorsOrderForm(id))
					expectStatus(resp, 200)
					form := rewardsForm("rewards-txn-request.json", map[string]string{
						"order_id": id, "payment_method_type": "", "additional_payment_details": "", "card_number": rewardsTestCard,
					})
					return Request{Method: "POST", Path: "/txns", Form: form}
				}, "payment_method_type"),
			)
		})
	})
}

// errorsOrderForm is a plain order create request for orderID ("" leaves order_id out).
func errorsOrderForm(orderID string) url.Values {
	form := url.Values{"amount": {"100.00"}, "currency": {"INR"}, "customer_id": {"jpcheck_errors"}}
	if orderID != "" {
		form.Set("order_id", orderID)
	}
	return form
}

// errorsNames reports whether an error body names field, in the legacy messages ("order_id
// is missing", "Invalid amount") or the newer error_info.fields, or carries one of the
// documented error_codes that name no field ("Mandatory fields are missing").
func errorsNames(doc map[string]any, field string, documented []string) bool {
	code, _ := doc["error_code"].(string)
	for _, d := range documented {
		if code == d {
			return true
		}
	}
	msg, _ := doc["error_message"].(string)
	for _, s := range []string{code, msg} {
		if strings.Contains(strings.ToLower(s), strings.ToLower(field)) {
			return true
		}
	}
	fields, _ := rewardsAt(doc, "error_info", "fields").([]any)
	return rewardsFind(fields, map[string]any{"field_name": field}) != nil
}
