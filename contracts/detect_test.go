package contracts_test

import (
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
)

// The mandate APIs' answers are told apart from order status (a mandate carries order_id and
// customer_id too) and from each other by their shapes.
func TestAutoDetectsMandateShapes(t *testing.T) {
	set := mustSet(t)
	for _, tc := range []struct {
		want    contracts.Kind
		payload string
	}{
		{contracts.KindMandate, `{"order_id":"o1","customer_id":"c1","mandate_id":"m1","status":"ACTIVE","mandate_type":"EMANDATE","max_amount":20,"currency":"INR","payment_info":{"payment_method_type":"UPI","payment_method":"PAY"}}`},
		{contracts.KindMandateList, `{"total":0,"offset":0,"object":"list","list":[],"count":0}`},
		{contracts.KindMandateCommand, `{"mandate_status":"REVOKED","mandate_id":"m1"}`},
		{contracts.KindNotification, `{"object":"notification","id":"1","status":"SUCCESS"}`},
		{contracts.KindOrderStatus, `{"order_id":"o1","customer_id":"c1","amount":1,"status":"NEW"}`},
	} {
		res, err := set.Validate(contracts.KindAuto, []byte(tc.payload), contracts.Options{Profile: contracts.ProfileStrict})
		if err != nil {
			t.Fatal(err)
		}
		if res.Kind != tc.want {
			t.Errorf("%s: detected %s, want %s", tc.payload, res.Kind, tc.want)
		}
	}
}
