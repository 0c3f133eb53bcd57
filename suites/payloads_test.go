package suites

import (
	"fmt"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
)

// The recorder keeps the payloads the specs checked for consumer contracts, bounded per kind
// and per webhook event, each with its event name and a copy of its body.
func TestRecorderKeepsBoundedPayloads(t *testing.T) {
	r := newRecorder()
	body := []byte(`{"order_id":"o1"}`)
	for i := 0; i < maxPayloadsPerKind+10; i++ {
		r.keepPayload(contracts.KindOrderStatus, fmt.Sprintf("GET /orders/o%d", i), body)
	}
	body[2] = 'X' // the recorder copied the body
	for _, ev := range []string{"ORDER_SUCCEEDED", "MANDATE_REVOKED"} {
		for i := 0; i < maxPayloadsPerKind+1; i++ {
			r.keepPayload(contracts.KindWebhook, "webhook "+ev, []byte(`{"event_name":"`+ev+`"}`))
		}
	}
	r.keepPayload(contracts.KindRefund, "POST /refunds", make([]byte, maxPayloadBytes+1))
	ps := r.recordedPayloads()
	count := map[string]int{}
	for _, p := range ps {
		count[string(p.Kind)+" "+p.Event]++
	}
	want := map[string]int{"order-status ": maxPayloadsPerKind, "webhook ORDER_SUCCEEDED": maxPayloadsPerKind, "webhook MANDATE_REVOKED": maxPayloadsPerKind}
	if fmt.Sprint(count) != fmt.Sprint(want) {
		t.Errorf("kept %v, want %v", count, want)
	}
	if ps[0].Request != "GET /orders/o0" || string(ps[0].Body) != `{"order_id":"o1"}` {
		t.Errorf("first payload: %+v", ps[0])
	}
}
