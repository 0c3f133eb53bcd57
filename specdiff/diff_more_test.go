package specdiff

import "testing"

func TestTypeChanges(t *testing.T) {
	cs := compare(t, Edit{"order-status.yaml", orderAnchor, "        status_id:\n          type: integer\n", "        status_id:\n          type: string\n"},
		Edit{"order-status.yaml", orderAnchor, "        amount:\n          minimum: 0\n          type: number\n", "        amount:\n          minimum: 0\n          type: [number, 'null']\n"})
	mustFind(t, cs, TypeNarrowed, "Order.status_id", Response, true)
	// null where a reader expected a number breaks it, though a sender could still send one.
	mustFind(t, cs, TypeWidened, "Order.amount", Response, true)
	cs = compare(t, Edit{"rewards.yaml", "\n    OrderRefundRequest:\n", "        amount:\n          type: string\n", "        amount:\n          type: [string, number]\n"})
	mustFind(t, cs, TypeWidened, "OrderRefundRequest.amount", Request, false)
}

func TestRefRetargeted(t *testing.T) {
	cs := compare(t, Edit{"order-status.yaml", orderAnchor, "          $ref: '#/components/schemas/PaymentLinks'\n", "          $ref: '#/components/schemas/Refund'\n"})
	c := mustFind(t, cs, RefChanged, "Order.payment_links", Response, true)
	if !c.Breaks(Consumer{Uses: []FieldUse{{"Order", "payment_links", ""}}}) {
		t.Error("a reader of payment_links is not broken")
	}
}

func TestRemovals(t *testing.T) {
	cs := compare(t,
		Edit{"openapi.yaml", "", "  /orders/{order_id}/refunds:\n    $ref: './rewards.yaml#/paths/~1orders~1{order_id}~1refunds'\n", ""},
		Edit{"openapi.yaml", "\nwebhooks:\n", "  ORDER_REFUND_FAILED:\n", "  X_ORDER_REFUND_FAILED:\n"})
	mustFind(t, cs, PathRemoved, "/orders/{order_id}/refunds", Response, true)
	mustFind(t, cs, WebhookRemoved, "webhook ORDER_REFUND_FAILED", Webhook, true)
}

// A change inside an inline object is matched against the GraphQL type contracts names for
// it, <Owner>_<property>.
func TestInlineObjectChange(t *testing.T) {
	cs := compare(t, Edit{"webhooks.yaml", "\n    OrderSucceededWebhook:\n", "          required:\n          - order\n", ""})
	c := mustFind(t, cs, MadeOptional, "OrderSucceededWebhook.content.order", Webhook, true)
	sub := Consumer{Uses: []FieldUse{{"OrderSucceededWebhook_content", "order", "webhook_order_succeeded"}}}
	if !c.Breaks(sub) {
		t.Error("a subscriber reading content.order is not broken")
	}
	reader := Consumer{Uses: []FieldUse{{"OrderSucceededWebhook_content", "order", "order"}}}
	if c.Breaks(reader) {
		t.Error("a webhook change broke a selection from a response root")
	}
	if c.Breaks(Consumer{Uses: []FieldUse{{"OrderSucceededWebhook", "content", ""}}}) {
		t.Error("a change to content.order broke a consumer selecting content but not order")
	}
}
