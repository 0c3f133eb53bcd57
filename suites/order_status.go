package suites

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jpcheck/jpcheck/contracts"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"
)

// orderOffersVersion is the API version from which order status carries the offers block (facts
// § 4.3: "Send header version: 2023-06-30 (or later) to get it").
const orderOffersVersion = "2023-06-30"

// orderKind is one documented kind of order: the scenario naming it, how to ask for it, and
// what makes an order that kind, as the order-status document's samples and
// specs/order-status.yaml show it.
type orderKind struct {
	scenario string
	context  string // the Context's text
	what     string // "a card order", in the It's text
	query    url.Values
	header   http.Header
	// is asserts that the decoded order is this kind; failures name the request and pointer.
	is func(resp *Response, o map[string]any)
}

func orderKinds() []orderKind {
	return []orderKind{
		{scenario: ScenarioCard, context: "card", what: "a card order", is: func(r *Response, o map[string]any) {
			orderExpectAt(r, o, "/payment_method_type", Equal("CARD"), "a card payment")
			orderExpectAt(r, o, "/card", BeAssignableToTypeOf(map[string]any{}), "the card block")
			// PCI DSS allows only the isin and the last four digits (docs/validate.md § Rules).
			orderExpectAt(r, o, "/card/last_four_digits", MatchRegexp(`^[0-9]{4}$`), "the card's last four digits")
			orderExpectAt(r, o, "/card/card_isin", MatchRegexp(`^[0-9]{6,8}$`), "the card's isin")
		}},
		{scenario: ScenarioNetbanking, context: "netbanking", what: "a netbanking order", is: func(r *Response, o map[string]any) {
			orderExpectAt(r, o, "/payment_method_type", Equal("NB"), "a netbanking payment")
			orderExpectAt(r, o, "/payment_method", orderNonEmptyString(), "the bank (payment_method, e.g. NB_HDFC)")
		}},
		{scenario: ScenarioWallet, context: "wallet", what: "a wallet order", is: func(r *Response, o map[string]any) {
			orderExpectAt(r, o, "/payment_method_type", Equal("WALLET"), "a wallet payment")
			orderExpectAt(r, o, "/payment_method", orderNonEmptyString(), "the wallet (payment_method, e.g. GOOGLEPAY)")
		}},
		// The documents' Raw - UPI - Intent and Raw - UPI - Collect samples differ exactly in
		// upi.txn_flow_type, so the flow is what makes the scenario.
		{scenario: ScenarioUPIIntent, context: "UPI intent", what: "a UPI intent order", is: func(r *Response, o map[string]any) {
			orderExpectAt(r, o, "/payment_method_type", Equal("UPI"), "a UPI payment")
			orderExpectAt(r, o, "/upi/txn_flow_type", Equal("INTENT"), "the UPI block of an intent payment")
		}},
		{scenario: ScenarioUPICollect, context: "UPI collect", what: "a UPI collect order", is: func(r *Response, o map[string]any) {
			orderExpectAt(r, o, "/payment_method_type", Equal("UPI"), "a UPI payment")
			orderExpectAt(r, o, "/upi/txn_flow_type", Equal("COLLECT"), "the UPI block of a collect payment")
		}},
		{scenario: ScenarioCOD, context: "cash on delivery", what: "a cash-on-delivery order", is: func(r *Response, o map[string]any) {
			orderExpectAt(r, o, "/payment_method_type", Equal("CASH"), "a cash-on-delivery payment (Raw - Cash on Delivery)")
			// Status table: COD_INITIATED (29) "User has Cash on Delivery as payment mode".
			orderExpectAt(r, o, "/status", Equal("COD_INITIATED"), "the cash-on-delivery status")
		}},
		{scenario: ScenarioEMI, context: "EMI", what: "an EMI order", is: func(r *Response, o map[string]any) {
			orderExpectAt(r, o, "/emi_bank", orderNonEmptyString(), "the EMI bank (Raw - EMI)")
			orderExpectAt(r, o, "/emi_tenure", BeNumerically(">", 0), "the EMI tenure in months (Raw - EMI)")
		}},
		{scenario: ScenarioMandate, context: "mandate", what: "a mandate order", is: func(r *Response, o map[string]any) {
			orderExpectMandate(r, o)
		}},
		{scenario: ScenarioMandateTPV, context: "mandate + TPV", what: "a mandate order with TPV", is: func(r *Response, o map[string]any) {
			orderExpectMandate(r, o)
			orderExpectBankAccounts(r, o)
		}},
		{scenario: ScenarioOffers, context: "offers", what: "an order with offers applied",
			header: http.Header{"Version": {orderOffersVersion}},
			is: func(r *Response, o map[string]any) {
				orderExpectAt(r, o, "/offers", And(BeAssignableToTypeOf([]any{}), Not(BeEmpty())), "the offers block (sent with version "+orderOffersVersion+")")
			}},
		{scenario: ScenarioSplitTxn, context: "split txn_list", what: "a split-payment order", is: func(r *Response, o map[string]any) {
			orderExpectAt(r, o, "/txn_list", BeAssignableToTypeOf([]any{}), "the txns of a split payment")
			list, _ := orderAt(o, "/txn_list").([]any)
			Expect(len(list)).To(BeNumerically(">=", 2), "%s /txn_list: a split payment has two or more txns", r.Request)
			seen := map[string]bool{}
			for i := range list {
				p := "/txn_list/" + strconv.Itoa(i) + "/txn_id"
				orderExpectAt(r, o, p, orderNonEmptyString(), "each split txn's id")
				id, _ := orderAt(o, p).(string)
				Expect(seen[id]).To(BeFalse(), "%s %s: txn_id %q repeats: each split is its own txn", r.Request, p, id)
				seen[id] = true
			}
		}},
		{scenario: ScenarioRefunds, context: "refunds", what: "a refunded order", is: func(r *Response, o map[string]any) {
			orderExpectAt(r, o, "/refunds", And(BeAssignableToTypeOf([]any{}), Not(BeEmpty())), "the refunds of the order")
		}},
		{scenario: ScenarioFullGatewayResponse, context: "full gateway response", what: "the order with the full gateway response",
			query: url.Values{"options.add_full_gateway_response": {"true"}},
			is:    orderExpectFullGatewayResponse},
	}
}

// orderStatusSpecs: GET /orders/{order_id} for one documented order per payment method.
func orderStatusSpecs(e *env) {
	Describe("order status", Label(LabelOrderStatus), func() {
		for _, k := range orderKinds() {
			Context(k.context, func() {
				It("returns "+k.what+" satisfying the order-status contract", func() {
					id := e.orderID(k.scenario)
					resp := e.call(Request{Method: "GET", Path: "/orders/" + url.PathEscape(id), Query: k.query, Header: k.header})
					expectStatus(resp, 200)
					Expect(resp).To(SatisfyContract(contracts.KindOrderStatus))
					o := object(resp.Body)
					orderExpectAt(resp, o, "/order_id", Equal(id), "the order asked for")
					orderExpectFixtureIDs(resp, o, e.scenario(k.scenario))
					k.is(resp, o)
				})
			})
		}
	})
}

// orderExpectFixtureIDs asserts the customer and txn the fixture names, when it names them: a
// fixture pointing at the wrong order should fail here, not pass on someone else's data.
func orderExpectFixtureIDs(r *Response, o map[string]any, fx Scenario) {
	GinkgoHelper()
	if fx.CustomerID != "" {
		orderExpectAt(r, o, "/customer_id", Equal(fx.CustomerID), "the fixture's customer_id")
	}
	if fx.TxnID == "" {
		return
	}
	ids := []any{orderAt(o, "/txn_id")}
	list, _ := orderAt(o, "/txn_list").([]any)
	for i := range list {
		ids = append(ids, orderAt(list[i], "/txn_id"))
	}
	Expect(ids).To(ContainElement(fx.TxnID), "%s: the fixture's txn_id %q is neither /txn_id nor in /txn_list", r.Request, fx.TxnID)
}

func orderExpectMandate(r *Response, o map[string]any) {
	GinkgoHelper()
	orderExpectAt(r, o, "/mandate", BeAssignableToTypeOf(map[string]any{}), "the mandate block")
	orderExpectAt(r, o, "/mandate/mandate_id", orderNonEmptyString(), "the mandate's id")
	orderExpectAt(r, o, "/mandate/mandate_status", orderNonEmptyString(), "the mandate's status")
	// webhooks § Transaction Detail Object: source_object is "Set to MANDATE".
	orderExpectAt(r, o, "/txn_detail/source_object", Equal("MANDATE"), "the txn's source object")
}

// orderExpectBankAccounts asserts the TPV data of Raw - Mandate + TPV: the bank accounts the payer
// must pay from, metadata.bank_account_details, "a JSON array held in a string".
func orderExpectBankAccounts(r *Response, o map[string]any) {
	GinkgoHelper()
	const p = "/metadata/bank_account_details"
	orderExpectAt(r, o, p, orderNonEmptyString(), "the TPV bank accounts")
	var accounts []map[string]any
	s, _ := orderAt(o, p).(string)
	Expect(json.Unmarshal([]byte(s), &accounts)).To(Succeed(), "%s %s: not a JSON array of accounts: %s", r.Request, p, clipBody([]byte(s)))
	Expect(accounts).NotTo(BeEmpty(), "%s %s: no TPV bank account", r.Request, p)
	for i, a := range accounts {
		Expect(a["bank_account_number"]).To(orderNonEmptyString(), "%s %s: account %d has no bank_account_number", r.Request, p, i)
		Expect(a["bank_ifsc"]).To(orderNonEmptyString(), "%s %s: account %d has no bank_ifsc", r.Request, p, i)
	}
}

// orderExpectFullGatewayResponse asserts what options.add_full_gateway_response=true adds: "the
// complete response as received from the payment gateway", in
// payment_gateway_response.gateway_response (of the order, and of each txn of a split order).
func orderExpectFullGatewayResponse(r *Response, o map[string]any) {
	GinkgoHelper()
	var pgrs []string
	if orderAt(o, "/payment_gateway_response") != nil {
		pgrs = append(pgrs, "/payment_gateway_response")
	}
	list, _ := orderAt(o, "/txn_list").([]any)
	for i := range list {
		p := "/txn_list/" + strconv.Itoa(i) + "/payment_gateway_response"
		if orderAt(o, p) != nil {
			pgrs = append(pgrs, p)
		}
	}
	Expect(pgrs).NotTo(BeEmpty(), "%s: the order has no payment_gateway_response; the fixture must name a paid order", r.Request)
	for _, p := range pgrs {
		orderExpectAt(r, o, p+"/gateway_response", And(BeAssignableToTypeOf(map[string]any{}), Not(BeEmpty())),
			"the full gateway response asked for with options.add_full_gateway_response=true")
	}
}

// expectAt asserts the value at pointer in a decoded body; the failure names the request,
// the pointer and what the value stands for.
func orderExpectAt(r *Response, doc any, pointer string, m types.GomegaMatcher, what string) {
	GinkgoHelper()
	v := orderAt(doc, pointer)
	Expect(v).To(m, "%s %s: %s", r.Request, pointer, what)
}

func orderNonEmptyString() types.GomegaMatcher {
	return And(BeAssignableToTypeOf(""), Not(BeEmpty()))
}

// at returns the value at an RFC 6901 pointer in a decoded JSON document, nil when absent.
func orderAt(doc any, pointer string) any {
	if pointer == "" {
		return doc
	}
	cur := doc
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}
