package reports

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/onsi/ginkgo/v2/types"
)

// Customer data and credentials as a target's answers put them in a run: in a Gomega failure
// quoting a body, in findings at customer fields, in a request's query.
const (
	testEmail   = "jane.doe@example.com"
	testPhone   = "9876543210"
	testVPA     = "janedoe@okaxis"
	testPAN     = "4111111111111111"
	testName    = "Jane Q Doe"
	cardISIN    = "411111"
	lastFour    = "1111"
	secretKey   = "sk_live_6f1e2d3c4b5a"
	hookPass    = "hunter2-webhook"
	basicHeader = "Authorization: Basic "
)

func piiRun() *Run {
	basic := base64.StdEncoding.EncodeToString([]byte(secretKey + ":"))
	return &Run{
		Version: Version, Target: "http://merchant:" + hookPass + "@127.0.0.1:8080", Profile: "strict",
		StartedAt: time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC), DurationMS: 100,
		Specs: []Spec{
			{Name: "order status card returns the customer", Labels: []string{"order-status"}, State: StateFailed,
				Message: `Expected <map[string]interface {} | len:3>: {"customer_email": <string>"` + testEmail + `", "customer_phone": "` + testPhone + `", "card": {"card_isin": "` + cardISIN + `", "last_four_digits": "` + lastFour + `", "name_on_card": "` + testName + `"}}`},
			{Name: "webhooks carry auth", Labels: []string{"webhooks"}, State: StateFailed,
				Message: "webhook arrived with " + basicHeader + basic + " but the receiver wants another password=" + hookPass},
		},
		Findings: []Finding{
			{Spec: "order status card returns the customer", Pointer: "/customer_email", Rule: "format", Severity: contracts.SeverityError,
				Message: "customer_email " + testEmail + " is not an email", Request: "GET /orders/o1?customer_phone=" + testPhone + "&options.add_full_gateway_response=true",
				Expected: "an email", Actual: testEmail},
			{Spec: "order status card returns the customer", Pointer: "/payment_source", Rule: "type", Severity: contracts.SeverityError,
				Message: "payer_vpa " + testVPA + " given where a card was expected; card_number " + testPAN, Request: "GET /orders/o1",
				Expected: "card", Actual: `{"payer_vpa":"` + testVPA + `"}`},
			{Spec: "order status card returns the customer", Pointer: "/card/name_on_card", Rule: "type", Severity: contracts.SeverityWarning,
				Message: "name_on_card is not a string", Request: "GET /orders/o1", Actual: testName},
			{Spec: "webhooks carry auth", Pointer: "", Rule: "auth", Severity: contracts.SeverityError,
				Message: `header {\"authorization\":\"Basic ` + basic + `\", \"x-api-key\": \"` + secretKey + `\"}`, Request: "webhook ORDER_SUCCEEDED evt_1 #1"},
		},
		Errata: []Erratum{{Kind: "quirk", Document: "order-status", Section: "s", Message: "sample has upi_vpa=" + testVPA}},
		// Ginkgo's report, from which JUnit takes the failure messages of failed specs.
		Report: types.Report{SuiteDescription: SuiteName, SpecReports: types.SpecReports{{
			LeafNodeType: types.NodeTypeIt, LeafNodeText: "order status card returns the customer", State: types.SpecStateFailed,
			Failure: types.Failure{Message: `customer_email ` + testEmail + ` and name_on_card "` + testName + `" with x-api-key: ` + secretKey},
		}, {
			LeafNodeType: types.NodeTypeIt, LeafNodeText: "webhooks carry auth", State: types.SpecStateFailed,
			Failure: types.Failure{Message: "card " + testPAN + " via " + testVPA + ", customer_phone " + testPhone},
		}}},
	}
}

func TestMaskValue(t *testing.T) {
	for _, tc := range []struct {
		kind piiKind
		in   string
		want string
	}{
		{piiEmail, testEmail, "j***@example.com"},
		{piiEmail, "x@y.in", "x***@y.in"},
		{piiEmail, "not-an-address", "****"},
		{piiPhone, testPhone, "98******10"},
		{piiPhone, "+919876543210", "+9*********10"},
		{piiPhone, "12345", "*****"},
		{piiVPA, testVPA, "j***@okaxis"},
		{piiCardNumber, testPAN, "************1111"},
		{piiCardNumber, "4111-XXXX", "*****XXXX"},
		{piiCard, testName, "****"},
		{piiCard, "12", "****"},
		{piiEmail, "", ""},
	} {
		got := maskValue(tc.kind, tc.in)
		if got != tc.want {
			t.Errorf("maskValue(%d, %q) = %q, want %q", tc.kind, tc.in, got, tc.want)
		}
		if again := maskValue(tc.kind, got); again != got {
			t.Errorf("masking %q again gives %q: masking must be idempotent", got, again)
		}
	}
}

func TestMaskPII(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"json field", `{"customer_email":"` + testEmail + `","amount":10}`, `{"customer_email":"j***@example.com","amount":10}`},
		{"spaced json", `"customer_phone": "` + testPhone + `"`, `"customer_phone": "98******10"`},
		{"number value", `"mobile_number": 9876543210,`, `"mobile_number": 98******10,`},
		{"escaped json", `{\"payer_vpa\":\"` + testVPA + `\"}`, `{\"payer_vpa\":\"j***@okaxis\"}`},
		{"gomega dump", `"name_on_card": <string>"` + testName + `"`, `"name_on_card": <string>"****"`},
		{"query", "GET /orders?customer_phone=" + testPhone + "&x=1", "GET /orders?customer_phone=98******10&x=1"},
		{"form encoded email", "customer_email=jane%40example.com", "customer_email=j***%40example.com"},
		{"free email", "sent to " + testEmail + ".", "sent to j***@example.com."},
		{"free vpa", "collect from " + testVPA + " failed", "collect from j***@okaxis failed"},
		{"upi handle", "9876543210@upi", "9***@upi"},
		{"free card number", "card " + testPAN + " declined", "card ************1111 declined"},
		{"free mobile", "customer_phone " + testPhone + " is not valid", "customer_phone 98******10 is not valid"},
		{"free mobile +91", "call +91 9876543210", "call +9**********10"},
		{"epoch seconds stay", "at 1700000000 s", "at 1700000000 s"},
		{"expiry", `"card_exp_month": "04", "card_exp_year": "2030"`, `"card_exp_month": "****", "card_exp_year": "****"`},
		{"isin and last four stay", `"card_isin": "411111", "last_four_digits": "1111"`, `"card_isin": "411111", "last_four_digits": "1111"`},
		{"null stays", `"customer_email": null`, `"customer_email": null`},
		{"order ids stay", "GET /orders/JPAYNEW032", "GET /orders/JPAYNEW032"},
		{"timestamps stay", "at 1700000000123 ms", "at 1700000000123 ms"},
		{"non-luhn digits stay", "txn 4111111111111112 ok", "txn 4111111111111112 ok"},
		{"pointer names stay", "/customer_email is required", "/customer_email is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := maskPII(tc.in)
			if got != tc.want {
				t.Errorf("maskPII(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if again := maskPII(got); again != got {
				t.Errorf("masking again changed %q to %q", got, again)
			}
		})
	}
}

func TestScrubSecret(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte(secretKey + ":"))
	userPass := base64.StdEncoding.EncodeToString([]byte("merchant:" + hookPass))
	for _, tc := range []struct {
		name, in, want string
	}{
		{"header", basicHeader + basic, "Authorization: " + Redacted},
		{"header lower case", "authorization: Bearer abc.def.ghi", "authorization: " + Redacted},
		{"json header", `{"Authorization":"Basic ` + basic + `"}`, `{"Authorization":"` + Redacted + `"}`},
		{"scheme alone", "sent Basic " + userPass + " twice", "sent Basic " + Redacted + " twice"},
		{"base64 of key:", "token " + basic + " seen", "token " + Redacted + " seen"},
		{"api key field", `"x-api-key": "` + secretKey + `"`, `"x-api-key": "` + Redacted + `"`},
		{"api_key query", "GET /x?api_key=" + secretKey + "&a=1", "GET /x?api_key=" + Redacted + "&a=1"},
		{"password", "webhook_password=" + hookPass, "webhook_password=" + Redacted},
		{"url userinfo", "http://merchant:" + hookPass + "@host/x", "http://" + Redacted + "@host/x"},
		{"ordinary text stays", "GET /orders/JPAYNEW032 answered 200", "GET /orders/JPAYNEW032 answered 200"},
		{"auth words stay", "the Authorization header is missing", "the Authorization header is missing"},
		{"ids stay", "order_id ordeR123 and txn abcdEFGH12345678", "order_id ordeR123 and txn abcdEFGH12345678"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := scrubSecret(tc.in); got != tc.want {
				t.Errorf("scrubSecret(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// Secrets never reach any output, redacted or not; customer data is masked in everything shown
// (text, JSON on stdout, JUnit, HTML, Markdown) unless NoRedact, and kept in the raw JSON
// (run.json, the data a report is rebuilt from).
func TestNoSecretInAnyOutput(t *testing.T) {
	r := piiRun()
	basic := base64.StdEncoding.EncodeToString([]byte(secretKey + ":"))
	secrets := []string{secretKey, hookPass, basic}
	pii := []string{testEmail, testPhone, testVPA, testPAN, testName}
	junit := func(r *Run) func(*bytes.Buffer) error {
		return func(b *bytes.Buffer) error {
			path := filepath.Join(t.TempDir(), JUnitFile)
			if err := WriteJUnit(path, r); err != nil {
				return err
			}
			data, err := os.ReadFile(path)
			b.Write(data)
			return err
		}
	}
	render := map[string]func(*bytes.Buffer) error{
		"json raw":              func(b *bytes.Buffer) error { return WriteJSON(b, r) },
		"text raw":              func(b *bytes.Buffer) error { return WriteText(b, r) },
		"junit raw":             junit(r),
		"json shown":            func(b *bytes.Buffer) error { return WriteJSON(b, Options{}.Shown(r)) },
		"text shown":            func(b *bytes.Buffer) error { return WriteText(b, Options{}.Shown(r)) },
		"junit shown":           junit(Options{}.Shown(r)),
		"junit shown no-redact": junit(Options{NoRedact: true}.Shown(r)),
		"markdown":              func(b *bytes.Buffer) error { return WriteMarkdown(b, r, Options{}) },
		"markdown no-redact":    func(b *bytes.Buffer) error { return WriteMarkdown(b, r, Options{NoRedact: true}) },
		"html shown":            func(b *bytes.Buffer) error { return WriteHTML(b, Options{}.Shown(r)) },
		"html shown no-redact":  func(b *bytes.Buffer) error { return WriteHTML(b, Options{NoRedact: true}.Shown(r)) },
	}
	for name, write := range render {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out := b.String()
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s output holds the secret %q", name, s)
			}
		}
		masked := !strings.Contains(name, "no-redact") && !strings.HasSuffix(name, " raw")
		for _, p := range pii {
			if masked && strings.Contains(out, p) {
				t.Errorf("%s output holds customer data %q", name, p)
			}
		}
		if masked && strings.HasPrefix(name, "html") && (!strings.Contains(out, cardISIN) || !strings.Contains(out, lastFour)) {
			t.Errorf("%s output masks card_isin or last_four_digits, which are safe to show", name)
		}
		if (strings.Contains(name, "no-redact") || strings.HasSuffix(name, " raw")) && !strings.Contains(out, testPhone) {
			t.Errorf("%s output masks customer data", name)
		}
	}
}

// A finding at a customer field has its actual value masked whatever it looks like, there and
// in its message; the expected value is the rule's, unless it came from a related payload's
// customer field.
func TestRedactFindingAtCustomerField(t *testing.T) {
	r := &Run{Findings: []Finding{
		{Pointer: "/card/name_on_card", Expected: "a string", Actual: "Jo Li", Message: "name_on_card Jo Li is not a string"},
		{Pointer: "/customer_phone", Expected: "10 digits", Actual: "98765", Message: "customer_phone 98765 is not 10 digits"},
		{Pointer: "/card/card_isin", Actual: "411111"},
		{Pointer: "/content/order/customer_email", RelatedPointer: "/customer_email", Expected: "ab@x.in", Actual: "cd@y.in",
			Message: "webhook says cd@y.in, order status says ab@x.in"},
	}}
	got := Redact(r).Findings
	want := []Finding{
		{Pointer: "/card/name_on_card", Expected: "a string", Actual: "****", Message: "name_on_card **** is not a string"},
		{Pointer: "/customer_phone", Expected: "10 digits", Actual: "*****", Message: "customer_phone ***** is not 10 digits"},
		{Pointer: "/card/card_isin", Actual: "411111"},
		{Pointer: "/content/order/customer_email", RelatedPointer: "/customer_email", Expected: "a***@x.in", Actual: "c***@y.in",
			Message: "webhook says c***@y.in, order status says a***@x.in"},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("finding %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if r.Findings[0].Actual != "Jo Li" {
		t.Error("Redact changed its input")
	}
}

func TestForget(t *testing.T) {
	r := &Run{Target: "http://t", Specs: []Spec{{Name: "s", Message: "the target echoed key " + secretKey + " back"}},
		Findings: []Finding{{Message: "m", Actual: secretKey, Request: "GET /x"}}}
	r.Forget(secretKey, "", "ab")
	if strings.Contains(r.Specs[0].Message, secretKey) || r.Findings[0].Actual != Redacted {
		t.Errorf("Forget left the key: %+v", r)
	}
	if r.Findings[0].Request != "GET /x" {
		t.Error("a value shorter than 4 characters must not be forgotten: it would blank unrelated text")
	}
}
