package contracts_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi/datamodel"
)

// benchPayload is a documented order-status sample that is clean under strict, so both
// validators take their success path.
const benchPayload = "order-status-upi.json"

// BenchmarkValidateOrderStatus validates one order-status response with every rule on
// (types, enums, formats, lengths, undeclared fields, invariants, PCI, coverage).
func BenchmarkValidateOrderStatus(b *testing.B) {
	set := mustSet(b)
	payload := mustExample(b, benchPayload)
	cov := contracts.NewCoverage()
	res, err := set.Validate(contracts.KindOrderStatus, payload, contracts.Options{Profile: contracts.ProfileStrict, Coverage: cov})
	if err != nil || !res.Valid {
		b.Fatalf("the benchmark payload must be valid: %v %+v", err, res.Findings)
	}
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := set.Validate(contracts.KindOrderStatus, payload, contracts.Options{Profile: contracts.ProfileStrict, Coverage: cov}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLibopenapiValidatorOrderStatus is the baseline: libopenapi-validator's response
// validation of the same payload against the same specs (GET /orders/{order_id}, 200).
func BenchmarkLibopenapiValidatorOrderStatus(b *testing.B) {
	v, req := baselineValidator(b)
	payload := mustExample(b, benchPayload)
	newResp := func() *http.Response {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(payload)), Request: req}
	}
	if ok, verrs := v.ValidateHttpResponse(req, newResp()); !ok {
		for _, e := range verrs {
			b.Logf("baseline finding: %s: %s", e.Message, e.Reason)
		}
		b.Fatal("the baseline must accept the payload, or it measures its error path")
	}
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if ok, _ := v.ValidateHttpResponse(req, newResp()); !ok {
			b.Fatal("the baseline rejected the payload")
		}
	}
}

// BenchmarkOrderStatusSpeedup runs jpcheck and the baseline on the same payload, alternating
// call by call so a noisy machine slows both alike, and reports each one's time per payload and
// the ratio (speedup, the goal is 4): make bench prints it.
func BenchmarkOrderStatusSpeedup(b *testing.B) {
	set := mustSet(b)
	payload := mustExample(b, benchPayload)
	v, req := baselineValidator(b)
	newResp := func() *http.Response {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(payload)), Request: req}
	}
	opts := contracts.Options{Profile: contracts.ProfileStrict, Coverage: contracts.NewCoverage()}
	var ours, theirs time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		res, err := set.Validate(contracts.KindOrderStatus, payload, opts)
		t1 := time.Now()
		ok, _ := v.ValidateHttpResponse(req, newResp())
		t2 := time.Now()
		if err != nil || !res.Valid || !ok {
			b.Fatalf("both must accept the payload: jpcheck %v %v, baseline %t", err, res.Valid, ok)
		}
		ours += t1.Sub(t0)
		theirs += t2.Sub(t1)
	}
	b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "jpcheck-ns/op")
	b.ReportMetric(float64(theirs.Nanoseconds())/float64(b.N), "baseline-ns/op")
	b.ReportMetric(float64(theirs)/float64(max(ours, 1)), "speedup")
}

func baselineValidator(b *testing.B) (validator.Validator, *http.Request) {
	root, err := specs.FS().(interface{ ReadFile(string) ([]byte, error) }).ReadFile(specs.Root)
	if err != nil {
		b.Fatal(err)
	}
	doc, err := libopenapi.NewDocumentWithConfiguration(root, &datamodel.DocumentConfiguration{
		BasePath: ".", SpecFilePath: specs.Root, LocalFS: specs.FS(), AllowFileReferences: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		b.Fatalf("libopenapi-validator: %v", errs)
	}
	req, _ := http.NewRequest(http.MethodGet, "https://api.juspay.in/orders/JPAYNEW034", nil)
	req.Header.Set("x-merchantid", "merchantId")
	return v, req
}

// BenchmarkLoad is start-up: read, resolve (libopenapi) and compile the embedded specs.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := contracts.Load(specs.FS()); err != nil {
			b.Fatal(err)
		}
	}
}
