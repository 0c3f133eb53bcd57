package contracts_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
)

// Bad input gets a finding, never a panic or an error.
func TestBadInputIsAFinding(t *testing.T) {
	set := mustSet(t)
	upi := mustExample(t, "order-status-upi.json")
	cases := []struct {
		name    string
		payload []byte
		rule    contracts.Rule
		pointer string
	}{
		{"empty", []byte(""), contracts.RuleJSON, ""},
		{"truncated", upi[:len(upi)/2], contracts.RuleJSON, ""},
		{"trailing garbage", append(append([]byte{}, upi...), []byte(" {}")...), contracts.RuleJSON, ""},
		{"comment", []byte(`{"a": 1 // no
}`), contracts.RuleJSON, ""},
		{"smart quotes", []byte(`{"id": "x”}`), contracts.RuleJSON, ""},
		{"trailing comma", []byte(`{"a": 1,}`), contracts.RuleJSON, ""},
		{"invalid utf-8", []byte("{\"order_id\": \"\xff\xfe\"}"), contracts.RuleJSON, ""},
		{"control character", []byte("{\"a\": \"x\ny\"}"), contracts.RuleJSON, ""},
		{"bad escape", []byte(`{"a": "\q"}`), contracts.RuleJSON, ""},
		{"deep nesting", []byte(strings.Repeat("[", 100000)), contracts.RuleDepth, ""},
		{"deep objects", []byte(strings.Repeat(`{"a":`, 70) + "1" + strings.Repeat("}", 70)), contracts.RuleDepth, ""},
		{"huge", bytes.Repeat([]byte(" "), contracts.MaxPayloadBytes+1), contracts.RuleSize, ""},
		{"duplicate key", []byte(`{"order_id":"a","order_id":"b","amount":1}`), contracts.RuleDuplicateKey, "/order_id"},
		{"duplicate key in a large object", manyKeys(1000, "k500"), contracts.RuleDuplicateKey, "/k500"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := set.Validate(contracts.KindOrderStatus, tc.payload, contracts.Options{Profile: contracts.ProfileCompat})
			if err != nil {
				t.Fatalf("error instead of a finding: %v", err)
			}
			if res.Valid {
				t.Fatal("bad input judged valid")
			}
			if len(findingsAt(res, tc.rule, tc.pointer)) == 0 {
				t.Fatalf("want %s at %q:%s", tc.rule, tc.pointer, dump(res))
			}
		})
	}
}

// The json finding says where the document breaks: the first byte that cannot continue a JSON
// text (as encoding/json's SyntaxError has it), or the end of a truncated one.
func TestJSONFindingHasTheOffset(t *testing.T) {
	for _, tc := range []struct {
		payload string
		off     int
	}{
		{`{"a": tru}`, 9},
		{`{"a": 1,}`, 7},
		{`[1, 2`, 5},
		{`{"a": "x\x"}`, 8},
		{"{\"a\": \"x\xffy\"}", 8},
		{"{\"a\": 1}  x", 10},
		{strings.Repeat("[", 65), 64},
	} {
		res, _ := mustSet(t).Validate(contracts.KindOrderStatus, []byte(tc.payload), contracts.Options{})
		want := fmt.Sprintf("byte %d", tc.off)
		if len(res.Findings) != 1 || res.Findings[0].Actual != want || !strings.Contains(res.Findings[0].Message, "at "+want) {
			t.Errorf("%q: want one finding at %s: %+v", tc.payload, want, res.Findings)
		}
	}
}

// Escapes decode as JSON says, so values compare as written.
func TestEscapesDecode(t *testing.T) {
	set := mustSet(t)
	payload := mutate(t, mustExample(t, "order-status-upi.json"), "set", "/status", "CHARGED")
	payload = bytes.Replace(payload, []byte(`"status":"CHARGED"`), []byte(`"status":"\u0043HARGED"`), 1)
	res, _ := set.Validate(contracts.KindOrderStatus, payload, contracts.Options{Profile: contracts.ProfileStrict})
	if !res.Valid {
		t.Fatalf("\\u0043HARGED is CHARGED:%s", dump(res))
	}
}

// manyKeys builds an object with n distinct keys k0..k(n-1), then dup once more if set.
func manyKeys(n int, dup string) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `"k%d":%d,`, i, i)
	}
	if dup != "" {
		fmt.Fprintf(&b, `%q:0,`, dup)
	}
	b.WriteString(`"order_id":"x"}`)
	return b.Bytes()
}

// An object with hundreds of thousands of keys (an 8 MiB payload is all keys) costs time in
// proportion to its size, not its square. A benchmark measures it; the test only proves the
// large object is read and judged.
func TestManyKeysAreRead(t *testing.T) {
	res, err := mustSet(t).Validate(contracts.KindOrderStatus, manyKeys(200000, ""), contracts.Options{Profile: contracts.ProfileCompat})
	if err != nil {
		t.Fatal(err)
	}
	// The list stops at MaxFindings; the last finding counts the rest.
	last := res.Findings[len(res.Findings)-1]
	var total int
	fmt.Sscanf(last.Actual, "%d findings", &total)
	if len(findingsAt(res, contracts.RuleUndeclared, "/k0")) != 1 || last.Rule != contracts.RuleFindingsLimit || total < 200000 || len(findingsAt(res, contracts.RuleDuplicateKey, "/k5")) != 0 {
		t.Fatalf("want undeclared k0, a findings-limit finding counting the 200000 undeclared keys and no duplicate: %d findings, last %+v", len(res.Findings), last)
	}
}
