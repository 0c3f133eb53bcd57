package suites

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/jpcheck/jpcheck/contracts"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// offersListPaths are where List Offers is served: /v1/offers/list (facts § 4.1) and the
// un-prefixed /offers/list the cred-offers document's curl samples call.
var offersListPaths = []string{"/v1/offers/list", "/offers/list"}

// offersRequestSample is the documented List Offer request (cred-offers § Express Checkout
// API); its customer number is replaced by the fixture's.
const offersRequestSample = "offers-cred-ec-api-list-request.json"

// offersIneligibleMobile is a number no sandbox whitelists for Cred (cred-offers: "the mobile
// number used for Cred eligibility must be whitelisted on Cred's end").
const offersIneligibleMobile = "9000000009"

// offerSpecs: List Offers, the Cred partner offer by customer eligibility, and the offers
// block of order status.
func offerSpecs(e *env) {
	Describe("offers", Label(LabelOffers), func() {
		Context("list offers", func() {
			for _, path := range offersListPaths {
				It("POST "+path+" answers the documented request with the list-offers contract", func() {
					mobile := e.offersMobile(ScenarioListOffers)
					resp := e.postJSON(path, offersRequest(mobile, "phone"))
					expectStatus(resp, 200)
					Expect(resp).To(SatisfyContract(contracts.KindListOffers))
				})
			}
		})

		Context("Cred partner offers", func() {
			It("lists the Cred offer as ELIGIBLE for a Cred-eligible mobile, satisfying the offer contract", func() {
				mobile := e.offersMobile(ScenarioCredOffers)
				resp := e.postJSON(offersListPaths[0], offersRequest(mobile, "phone"))
				expectStatus(resp, 200)
				Expect(resp).To(SatisfyContract(contracts.KindListOffers))
				cred := offersCred(resp)
				Expect(cred).NotTo(BeEmpty(), "%s: no offer with partner_offer_info partner CRED for Cred-eligible mobile %s", resp.Request, mobile)
				for _, o := range cred {
					Expect(o).To(SatisfyContract(contracts.KindOffer))
					Expect(object(o.Body)["status"]).To(Equal("ELIGIBLE"), "%s /status", o.Request)
				}
			})

			It("lists the Cred offer for the documented request as sent (the number in customer.phone)", func() {
				mobile := e.offersMobile(ScenarioCredOffers)
				resp := e.postJSON(offersListPaths[0], offersRequest(mobile, "phone"))
				expectStatus(resp, 200)
				Expect(resp).To(SatisfyContract(contracts.KindListOffers))
				Expect(offersCred(resp)).NotTo(BeEmpty(), "%s: no Cred offer for Cred-eligible customer.phone %s", resp.Request, mobile)
			})

			// Offers carry status and reason[], so a target may list an offer that does not
			// apply; what it must not do is call it ELIGIBLE.
			It("does not list the Cred offer as ELIGIBLE for a number Cred does not find eligible", func() {
				e.scenario(ScenarioCredOffers)
				resp := e.postJSON(offersListPaths[0], offersRequest(offersIneligibleMobile, "phone"))
				expectStatus(resp, 200)
				Expect(resp).To(SatisfyContract(contracts.KindListOffers))
				for _, o := range offersCred(resp) {
					Expect(object(o.Body)["status"]).NotTo(Equal("ELIGIBLE"), "%s: the Cred offer is ELIGIBLE for mobile %s, which Cred does not whitelist", o.Request, offersIneligibleMobile)
				}
			})
		})

		Context("offers block", func() {
			It("GET /orders/{order_id} with version "+orderOffersVersion+" carries the applied offers, satisfying order-status", func() {
				id := e.orderID(ScenarioOffersBlock)
				resp := e.call(Request{Method: "GET", Path: "/orders/" + url.PathEscape(id), Header: http.Header{"Version": {orderOffersVersion}}})
				expectStatus(resp, 200)
				Expect(resp).To(SatisfyContract(contracts.KindOrderStatus))
				o := object(resp.Body)
				orderExpectAt(resp, o, "/order_id", Equal(id), "the order asked for")
				orderExpectAt(resp, o, "/offers", And(BeAssignableToTypeOf([]any{}), Not(BeEmpty())), "the offers applied to the order")
				offers, _ := orderAt(o, "/offers").([]any)
				for i := range offers {
					orderExpectAt(resp, o, fmt.Sprintf("/offers/%d/offer_id", i), orderNonEmptyString(), "the applied offer's id")
				}
			})
		})
	})
}

// offersMobile returns the scenario's mobile number, skipping without one.
func (e *env) offersMobile(scenario string) string {
	m := e.scenario(scenario).Mobile
	if m == "" {
		Skip(fmt.Sprintf("the fixture for scenario %s has no mobile", scenario))
	}
	return m
}

// offersRequest is the documented List Offer request with its customer number replaced by
// mobile, under field: "phone" as the cred-offers request names it (declared), or "mobile" as facts § 4.1 does.
func offersRequest(mobile, field string) []byte {
	GinkgoHelper()
	req := object(example(offersRequestSample))
	cust, ok := req["customer"].(map[string]any)
	Expect(ok).To(BeTrue(), "the documented request %s has no customer object", offersRequestSample)
	delete(cust, "phone")
	delete(cust, "mobile")
	cust[field] = mobile
	b, err := json.Marshal(req)
	Expect(err).NotTo(HaveOccurred())
	return b
}

// offersList returns offers[] as sent, each entry's bytes untouched.
func offersList(resp *Response) []json.RawMessage {
	GinkgoHelper()
	var body struct {
		Offers []json.RawMessage `json:"offers"`
	}
	Expect(json.Unmarshal(resp.Body, &body)).To(Succeed(), "%s: body is not a list-offers object: %s", resp.Request, clipBody(resp.Body))
	return body.Offers
}

// offersCred returns the listed offers whose partner_offer_info names CRED (the Cred offer's
// mark in cred-offers: "Partner_offer_info"), each as a Response SatisfyContract can judge.
func offersCred(resp *Response) []*Response {
	GinkgoHelper()
	var out []*Response
	for i, raw := range offersList(resp) {
		var o struct {
			Partners []struct {
				Partner string `json:"partner"`
			} `json:"partner_offer_info"`
		}
		if json.Unmarshal(raw, &o) != nil {
			continue // the list-offers contract already reports a malformed entry
		}
		for _, p := range o.Partners {
			if p.Partner == "CRED" {
				out = append(out, &Response{Request: fmt.Sprintf("%s /offers/%d", resp.Request, i), Status: resp.Status, Header: resp.Header, Body: raw, check: resp.check})
				break
			}
		}
	}
	return out
}
