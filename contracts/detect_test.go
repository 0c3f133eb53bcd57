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

// Shapes of Juspay's official samples that are not answers of a contract jpcheck carries must
// not be claimed by auto-detection (they would fail a correct service): wallet and outage lists,
// the Session API's answer, Hypercheckout SDK calls, order create requests.
func TestAutoDetectLeavesOtherAPIsAlone(t *testing.T) {
	set := mustSet(t)
	for _, payload := range []string{
		`{"object":"list","list":[{"object":"wallet_account","wallet":"PAYTM","linked":true}],"count":1}`,
		`{"status":"NEW","id":"ordeh_1","order_id":"o1","payment_links":{"web":"https://x.in/p"},"sdk_payload":{"payload":{"action":"paymentPage"}}}`,
		`{"requestId":"r1","service":"in.juspay.hyperapi","payload":{"action":"cardInfo","object":"cardbin"},"error":false,"errorCode":"","errorMessage":""}`,
		`{"requestId":"r1","service":"in.juspay.hyperapi","payload":{"action":"eligibility","wallets":[{"walletName":"PAYTM"}]}}`,
		`{"order_id":"o1","amount":"1.0","customer_id":"c1","return_url":"https://shop.in"}`,
	} {
		res, err := set.Validate(contracts.KindAuto, []byte(payload), contracts.Options{Profile: contracts.ProfileCompat})
		if err != nil {
			t.Fatal(err)
		}
		if res.Kind != contracts.KindAuto {
			t.Errorf("%s: detected %s, want no kind", payload, res.Kind)
		}
	}
	// and the shapes that are its kinds still are.
	res, _ := set.Validate(contracts.KindAuto, []byte(`{"object":"list","list":[{"mandate_id":"m1"}],"count":1}`), contracts.Options{})
	if res.Kind != contracts.KindMandateList {
		t.Errorf("a list of mandates detected as %s", res.Kind)
	}
}
