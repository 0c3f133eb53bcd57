package contracts_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
)

var updateGraphQL = flag.Bool("update", false, "rewrite testdata/schema.graphql from the specs")

func TestGraphQLSchema(t *testing.T) {
	set, err := contracts.Load(specs.FS())
	if err != nil {
		t.Fatal(err)
	}
	sdl, err := set.GraphQLSchema()
	if err != nil {
		t.Fatal(err)
	}
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: "jpcheck.graphql", Input: sdl})
	if err != nil {
		t.Fatalf("gqlparser: %v", err)
	}
	// The named types jpcheck diff and the example consumers rely on.
	for typ, kind := range map[string]ast.DefinitionKind{
		"Order": ast.Object, "TxnDetail": ast.Object, "Refund": ast.Object, "Offer": ast.Object,
		"OrderMandate": ast.Object, "WebhookMandate": ast.Object, "OrderSucceededWebhook": ast.Object,
		"MandateActivatedWebhook": ast.Object, "RefundResponse": ast.Object, "JSON": ast.Scalar,
		"WebhookEnvelope_event_name": ast.Enum,
	} {
		d := schema.Types[typ]
		if d == nil || d.Kind != kind {
			t.Errorf("type %s: got %v, want a %s", typ, d, kind)
		}
	}
	roots := map[string]string{"order": "Order", "offer": "Offer", "refund": "RefundResponse", "txn": "TxnResponse",
		"list_offers": "ListOffersResponse", "webhook_order_succeeded": "OrderSucceededWebhook", "webhook_mandate_revoked": "MandateRevokedWebhook"}
	for f, typ := range roots {
		fd := schema.Query.Fields.ForName(f)
		if fd == nil || fd.Type.Name() != typ {
			t.Errorf("Query.%s: got %v, want %s", f, fd, typ)
		}
	}
	for _, ev := range set.Events() {
		if schema.Query.Fields.ForName(contracts.GraphQLWebhookField(ev)) == nil {
			t.Errorf("no Query field for webhook %s", ev)
		}
	}
	order := schema.Types["Order"]
	if f := order.Fields.ForName("order_id"); f == nil || !f.Type.NonNull || f.Type.Name() != "String" {
		t.Errorf("Order.order_id: got %v, want String!", f)
	}
	if f := order.Fields.ForName("txn_detail"); f == nil || f.Type.Name() != "TxnDetail" {
		t.Errorf("Order.txn_detail: got %v, want TxnDetail", f)
	}
	if f := order.Fields.ForName("refunds"); f == nil || f.Type.Elem == nil || f.Type.Name() != "Refund" {
		t.Errorf("Order.refunds: got %v, want [Refund]", f)
	}

	golden := filepath.Join("testdata", "schema.graphql")
	if *updateGraphQL {
		if err := os.WriteFile(golden, []byte(sdl), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./contracts -run TestGraphQLSchema -update)", err)
	}
	if string(want) != sdl {
		t.Errorf("derived schema differs from %s (run go test ./contracts -run TestGraphQLSchema -update and review the diff)", golden)
	}
}

func TestGraphQLName(t *testing.T) {
	for in, want := range map[string]string{"order_id": "order_id", "x-merchant-id": "x_merchant_id", "3ds": "_3ds", "": "_", "a.b c": "a_b_c"} {
		if got := contracts.GraphQLName(in); got != want {
			t.Errorf("GraphQLName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := contracts.GraphQLRootField(contracts.KindOrderStatus); got != "order" {
		t.Errorf("root of order-status: %q", got)
	}
	if got := contracts.GraphQLRootField(contracts.KindListOffers); got != "list_offers" {
		t.Errorf("root of list-offers: %q", got)
	}
	if !strings.HasPrefix(contracts.GraphQLWebhookField("ORDER_SUCCEEDED"), "webhook_order_succeeded") {
		t.Error("webhook field")
	}
}
