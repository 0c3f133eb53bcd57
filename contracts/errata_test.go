package contracts_test

import (
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
)

// The errata list: one entry per contradiction (however many schemas reach the field), the
// x-errata of $ref'ed properties and of parameters included, no editorial or redaction notes,
// and the contradictions of the samples that no rule (curated) or only a quirk (null-string)
// reports.
func TestErrataEntries(t *testing.T) {
	list, err := contracts.Errata(mustSet(t))
	if err != nil {
		t.Fatal(err)
	}
	spec := map[string]contracts.ErratumEntry{} // by place
	messages := map[string]int{}
	for _, e := range list {
		if e.Kind != "spec" {
			continue
		}
		messages[e.Message]++
		for _, p := range e.Places {
			spec[p] = e
		}
		for _, editorial := range []string{"This should be", "FILTERED", `Tagged "Optional, Mandatory"`} {
			if strings.Contains(e.Message, editorial) {
				t.Errorf("%v: an editorial or redaction note listed as an erratum: %s", e.Places, e.Message)
			}
		}
	}
	for m, n := range messages {
		if n > 1 {
			t.Errorf("%d entries for one contradiction: %s", n, m)
		}
	}
	gw := spec["webhooks.yaml#/components/schemas/WebhookTxn/properties/gateway_id"]
	if len(gw.Places) != 4 {
		t.Errorf("gateway_id typed String: want one entry naming Order, TxnDetail, TxnListEntry and WebhookTxn, got %v", gw.Places)
	}
	if bf := spec["webhooks.yaml#/components/schemas/WebhookMandate/properties/block_fund"]; len(bf.Places) != 2 {
		t.Errorf("block_funds: want one entry naming OrderMandate and WebhookMandate, got %v", bf.Places)
	}
	for _, place := range []string{
		"order-status.yaml#/components/schemas/Order/properties/authorization",                 // beside a $ref
		"order-status.yaml#/components/parameters/XRoutingIdV4 (header x-routing-id)",          // a shared parameter
		"order-status.yaml#/paths/~1orders~1{order_id}/get/parameters/2 (header x-routing-id)", // an inline parameter
	} {
		if _, ok := spec[place]; !ok {
			t.Errorf("no erratum for %s", place)
		}
	}
	samples := map[string]bool{}
	for _, e := range list {
		if e.Kind == "error" {
			samples[e.Example+" "+e.Pointer+" "+string(e.Rule)] = true
		}
	}
	for _, want := range []string{
		"order-status-card.json /amount_refunded invariant.refund-amounts",
		"webhook-order-failed-mandate.json /content/order/status invariant.order-txn-status",
		"webhook-order-failed-mandate.json /content/order/gateway_id invariant.order-txn-status",
		"order-status-twid-txn-refund-success.json /gateway_id invariant.order-txn-status",
		"order-status-v4-raw-emi.json /payment_method curated",
		"order-status-wallets.json /payer_vpa quirk.null-string",
		"order-status-v4-raw-wallets.json /payer_vpa quirk.null-string",
	} {
		if !samples[want] {
			t.Errorf("sample erratum missing: %s", want)
		}
	}
}
