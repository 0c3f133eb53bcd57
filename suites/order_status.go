package suites

import (
	"github.com/jpcheck/jpcheck/contracts"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// orderStatusSpecs: GET /orders/{order_id} for one documented order per payment method.
func orderStatusSpecs(e *env) {
	Describe("order status", Label(LabelOrderStatus), func() {
		Context("card", func() {
			It("returns the order satisfying the order-status contract", func() {
				resp := e.get("/orders/" + e.orderID(ScenarioCard))
				expectStatus(resp, 200)
				Expect(resp).To(SatisfyContract(contracts.KindOrderStatus))
			})
		})
	})
}
