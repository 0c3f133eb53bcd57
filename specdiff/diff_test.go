package specdiff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/specs"
)

// Edit changes one spec file of an exported tree: old (unique after anchor) becomes new.
type Edit struct{ File, Anchor, Old, New string }

// specTree exports the embedded specs into a temporary directory and applies edits, so each
// test's NEW tree is the shipped specs plus one visible change.
func specTree(t *testing.T, edits ...Edit) string {
	t.Helper()
	dir := t.TempDir()
	if err := specs.Export(dir); err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		p := filepath.Join(dir, e.File)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		at := strings.Index(text, e.Anchor)
		if at < 0 {
			t.Fatalf("%s: anchor %q not found", e.File, e.Anchor)
		}
		i := strings.Index(text[at:], e.Old)
		if i < 0 {
			t.Fatalf("%s: %q not found after %q", e.File, e.Old, e.Anchor)
		}
		i += at
		text = text[:i] + e.New + text[i+len(e.Old):]
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func compare(t *testing.T, edits ...Edit) []Change {
	t.Helper()
	old, err := Open(Embedded)
	if err != nil {
		t.Fatal(err)
	}
	nw, err := Open(specTree(t, edits...))
	if err != nil {
		t.Fatal(err)
	}
	return Compare(old, nw)
}

func find(cs []Change, kind, loc, dir string) *Change {
	for i := range cs {
		if cs[i].Kind == kind && cs[i].Location == loc && cs[i].Direction == dir {
			return &cs[i]
		}
	}
	return nil
}

func mustFind(t *testing.T, cs []Change, kind, loc, dir string, breaking bool) Change {
	t.Helper()
	c := find(cs, kind, loc, dir)
	if c == nil {
		t.Fatalf("no %s change at %s (%s); got %+v", kind, loc, dir, cs)
	}
	if c.Breaking != breaking {
		t.Errorf("%s at %s (%s): breaking = %v, want %v", kind, loc, dir, c.Breaking, breaking)
	}
	return *c
}

const orderAnchor = "\n    Order:\n"

func TestIdenticalSpecsHaveNoChanges(t *testing.T) {
	if cs := compare(t); len(cs) != 0 {
		t.Fatalf("identical specs: %d changes: %+v", len(cs), cs)
	}
}

func TestResponseFieldRemovedBreaksItsReaders(t *testing.T) {
	// udf1 is optional (the documents do not make it mandatory): renamed away, it is removed.
	cs := compare(t, Edit{"order-status.yaml", orderAnchor, "        udf1:\n", "        udf1_renamed:\n"})
	removed := mustFind(t, cs, FieldRemoved, "Order.udf1", Response, true)
	mustFind(t, cs, FieldRemoved, "Order.udf1", Webhook, true) // Order is content.order of webhooks
	if removed.OldLine == 0 {
		t.Errorf("no old line on %+v", removed)
	}
	a := Consumer{Name: "A", Uses: []FieldUse{{"Order", "udf1", ""}, {"Order", "order_id", ""}}}
	b := Consumer{Name: "B", Uses: []FieldUse{{"Order", "status", ""}, {"Txn", "udf1", ""}}}
	if !removed.Breaks(a) {
		t.Errorf("removing Order.udf1 does not break A, which selects it")
	}
	for _, c := range cs {
		if c.Breaks(b) {
			t.Errorf("%s %s breaks B, which does not select it", c.Kind, c.Location)
		}
	}
}

func TestWebhookFieldMadeOptionalBreaksSubscribers(t *testing.T) {
	cs := compare(t, Edit{"webhooks.yaml", "\n    OrderSucceededWebhook:\n", "      - date_created\n", ""})
	c := mustFind(t, cs, MadeOptional, "OrderSucceededWebhook.date_created", Webhook, true)
	if !c.Breaks(Consumer{Uses: []FieldUse{{"OrderSucceededWebhook", "date_created", ""}}}) {
		t.Error("a subscriber reading date_created is not broken")
	}
	if find(cs, MadeOptional, "OrderSucceededWebhook.date_created", Request) != nil {
		t.Error("a webhook payload was judged as a request body")
	}
}

func TestRequestPolarity(t *testing.T) {
	cs := compare(t,
		Edit{"rewards.yaml", "\n    TxnRefundRequest:\n", "required: [unique_request_id, amount]", "required: [unique_request_id, amount, reason]"},
		Edit{"rewards.yaml", "\n    OrderRefundRequest:\n", "        direct_refund_response:\n", "        x_gone:\n"})
	mustFind(t, cs, RequiredAdded, "TxnRefundRequest.reason", Request, true)
	mustFind(t, cs, FieldRemoved, "OrderRefundRequest.direct_refund_response", Request, false)
	mustFind(t, cs, FieldAdded, "OrderRefundRequest.x_gone", Request, false)
}

func TestResponseEnumNarrowedBreaks(t *testing.T) {
	cs := compare(t, Edit{"order-status.yaml", orderAnchor, "          - PENDING_VBV\n", ""})
	c := mustFind(t, cs, EnumNarrowed, "Order.status", Response, true)
	if !strings.Contains(c.Message, "PENDING_VBV") {
		t.Errorf("message %q does not name the value", c.Message)
	}
	if !c.Breaks(Consumer{Uses: []FieldUse{{"Order", "status", ""}}}) {
		t.Error("a reader of Order.status is not broken")
	}
	cs = compare(t, Edit{"order-status.yaml", orderAnchor, "          - PENDING_VBV\n", "          - PENDING_VBV\n          - BRAND_NEW\n"})
	mustFind(t, cs, EnumWidened, "Order.status", Response, false)
}

func TestOpenRejectsBadInput(t *testing.T) {
	if _, err := Open(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing directory accepted")
	}
	if _, err := Open(t.TempDir()); err == nil || !strings.Contains(err.Error(), "openapi.yaml") {
		t.Errorf("empty directory: %v", err)
	}
	dir := specTree(t, Edit{"openapi.yaml", "", "openapi: 3.1.0\n", "openapi: 3.1.0\npaths: [\n"})
	if _, err := Open(dir); err == nil {
		t.Error("broken YAML accepted")
	}
}
