package contracts_test

import (
	"fmt"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
)

// Load the embedded specs once, then validate payloads: every finding comes back, with its
// RFC 6901 pointer.
func ExampleSet_Validate() {
	set, err := contracts.Load(specs.FS())
	if err != nil {
		panic(err)
	}
	payload := []byte(`{"order_id": "JP1636474794", "status": "CHARGED", "status_id": 27, "amount": "ninety"}`)
	res, err := set.Validate(contracts.KindOrderStatus, payload, contracts.Options{Profile: contracts.ProfileStrict})
	if err != nil {
		panic(err)
	}
	fmt.Println("valid:", res.Valid)
	for _, f := range res.Findings {
		if f.Rule != contracts.RuleRequired {
			fmt.Println(f.Pointer, f.Rule, f.Message)
		}
	}
	// Output:
	// valid: false
	// /amount type expected number, got string "ninety"
	// /status_id invariant.status-id status_id 27 does not match status CHARGED (CHARGED is 21)
}
