package contracts

import (
	"sort"
	"strings"
)

// Rule identifies what a finding checks. Rule ids are an interface: never rename one.
type Rule string

// The rules. Quirk rules are warnings the compat profile raises for variants Juspay's own
// samples show; under strict the same payload gets the plain rule as an error.
const (
	RuleJSON         Rule = "json"          // the payload is not valid JSON (with the byte offset)
	RuleSize         Rule = "size"          // the payload exceeds the size limit
	RuleDepth        Rule = "depth"         // the payload nests deeper than the limit
	RuleDuplicateKey Rule = "duplicate-key" // an object repeats a key
	// RuleLoneSurrogate: a string escapes half a UTF-16 surrogate pair (valid JSON, no text).
	RuleLoneSurrogate Rule = "lone-surrogate"
	RuleRequired      Rule = "required"
	RuleType          Rule = "type"
	RuleEnum          Rule = "enum"
	RuleConst         Rule = "const"
	RuleFormat        Rule = "format"
	RulePattern       Rule = "pattern"
	RuleMaxLength     Rule = "max-length"
	RuleUndeclared    Rule = "undeclared" // a field the spec does not declare
	RuleMinLength     Rule = "min-length"
	RuleMinimum       Rule = "minimum" // below minimum, or not above exclusiveMinimum
	RuleMaximum       Rule = "maximum" // above maximum, or not below exclusiveMaximum
	RuleMultipleOf    Rule = "multiple-of"
	RuleMinItems      Rule = "min-items"
	RuleMaxItems      Rule = "max-items"
	RuleUniqueItems   Rule = "unique-items"
	RuleMinProperties Rule = "min-properties"
	RuleMaxProperties Rule = "max-properties"
	RuleOneOf         Rule = "one-of"   // a value matching more than one oneOf alternative
	RuleNot           Rule = "not"      // a value matching a schema under not
	RuleRedacted      Rule = "redacted" // a value masked as in Juspay's published samples

	RuleStatusID         Rule = "invariant.status-id"
	RuleEventContent     Rule = "invariant.event-content"
	RuleRefundAmounts    Rule = "invariant.refund-amounts"
	RuleTxnAmountBreakup Rule = "invariant.txn-amount-breakup"
	RuleSplitRefund      Rule = "invariant.split-refund"
	RuleOrderBreakup     Rule = "invariant.order-breakup"
	RuleBenefitAmount    Rule = "invariant.benefit-amount"
	RuleTwidReward       Rule = "invariant.twid-reward"
	RuleMandateFields    Rule = "invariant.mandate-fields"
	RuleCustomerIdentity Rule = "invariant.customer-identity"
	RuleOrderTxnStatus   Rule = "invariant.order-txn-status"

	RuleCardNumber Rule = "pci.card-number" // a full card number (13-19 digits passing Luhn)
	RuleCVV        Rule = "pci.cvv"         // a CVV field

	RuleQuirkNumericString Rule = "quirk.numeric-string"
	RuleQuirkBooleanString Rule = "quirk.boolean-string"
	RuleQuirkJSONString    Rule = "quirk.json-string"
	RuleQuirkEnumAlias     Rule = "quirk.enum-alias"
	RuleQuirkFieldAlias    Rule = "quirk.field-alias"
	RuleQuirkNullString    Rule = "quirk.null-string" // the string "null" for a value not there
	RuleQuirkJSONNumber    Rule = "quirk.json-number"
	RuleQuirkNull          Rule = "quirk.null"
)

// Severity says whether a finding fails the payload.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding is one departure of a payload from its contract. Field names are an interface
// (jpcheck validate --format json prints them as they are).
type Finding struct {
	// Pointer is the RFC 6901 pointer of the offending value from the payload root.
	Pointer  string   `json:"pointer"`
	Rule     Rule     `json:"rule"`
	Severity Severity `json:"severity"`
	// Message is one line for people.
	Message  string `json:"message"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	// Spec points into the spec files at the schema that made the check.
	Spec string `json:"spec"`
	// Source names the document and section the rule comes from.
	Source string `json:"source"`
}

// Result is the outcome of validating one payload.
type Result struct {
	Kind     Kind      `json:"kind"`
	Valid    bool      `json:"valid"`
	Findings []Finding `json:"findings"`
}

// Errors counts the error findings.
func (r Result) Errors() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == SeverityError {
			n++
		}
	}
	return n
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if c := comparePointers(fs[i].Pointer, fs[j].Pointer); c != 0 {
			return c < 0
		}
		return fs[i].Rule < fs[j].Rule
	})
}

// comparePointers orders pointers segment by segment, numbers numerically, so /refunds/2 comes
// before /refunds/10 and output reads in payload order.
func comparePointers(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		ai, aok := atoiOK(as[i])
		bi, bok := atoiOK(bs[i])
		if aok && bok {
			if ai < bi {
				return -1
			}
			return 1
		}
		if as[i] < bs[i] {
			return -1
		}
		return 1
	}
	return len(as) - len(bs)
}

func atoiOK(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// escapePointer escapes one reference token per RFC 6901.
func escapePointer(tok string) string {
	if !strings.ContainsAny(tok, "~/") {
		return tok
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(tok)
}
