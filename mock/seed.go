package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
)

// seed loads every documented sample order under its documented order_id, so fixtures can
// name them. The samples carry Juspay's own quirks and errata; the mock serves them in the
// strict form, mended by the validator's own findings: a quirk finding says what the
// canonical value is, an invariant finding what the consistent one is.
func (s *Server) seed() error {
	exs, err := specs.Examples()
	if err != nil {
		return err
	}
	for _, ex := range exs {
		if ex.Kind != string(contracts.KindOrderStatus) {
			continue
		}
		data, err := specs.ExampleData(ex.File)
		if err != nil {
			return err
		}
		doc, err := s.canonical(contracts.KindOrderStatus, data)
		if err != nil {
			return fmt.Errorf("seed %s: %w", ex.File, err)
		}
		id, _ := doc["order_id"].(string)
		if id == "" {
			continue
		}
		if _, err := s.store.put(id, doc); err != nil {
			return fmt.Errorf("seed %s: %w", ex.File, err)
		}
	}
	return nil
}

// SeededOrders lists the documented order ids the mock starts with.
func (s *Server) SeededOrders() []string {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	ids := make([]string, 0, len(s.store.orders))
	for id := range s.store.orders {
		ids = append(ids, id)
	}
	return ids
}

// canonical returns payload with every quirk replaced by its documented form and every
// invariant finding mended, as a generic JSON document.
func (s *Server) canonical(kind contracts.Kind, payload []byte) (map[string]any, error) {
	doc, err := decode(payload)
	if err != nil {
		return nil, err
	}
	for round := 0; round < 8; round++ {
		b, _ := json.Marshal(doc)
		res, err := s.set.Validate(kind, b, contracts.Options{Profile: contracts.ProfileCompat})
		if err != nil {
			return nil, err
		}
		changed := false
		for _, f := range res.Findings {
			if mend(doc, f) {
				changed = true
				if f.Rule == contracts.RuleQuirkJSONString {
					break // pointers inside the decoded string are valid only from the next round
				}
			}
		}
		if !changed {
			return doc, nil
		}
	}
	return doc, nil
}

func decode(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// standIns are the real values the mock serves for mandatory fields the samples mask.
var standIns = map[string]any{
	"customer_phone":   "9876543210",
	"offer_code":       "CREDCASHBACK",
	"calculation_rule": "ABSOLUTE",
}

// mend applies the fix a finding implies, if it has one.
func mend(doc map[string]any, f contracts.Finding) bool {
	parent, key, ok := resolve(doc, f.Pointer)
	if !ok {
		return false
	}
	cur, _ := get(parent, key)
	switch f.Rule {
	case contracts.RuleQuirkNumericString:
		if s, ok := cur.(string); ok {
			return set(parent, key, json.Number(s))
		}
	case contracts.RuleQuirkBooleanString:
		if s, ok := cur.(string); ok {
			return set(parent, key, s == "true")
		}
	case contracts.RuleQuirkJSONString:
		if s, ok := cur.(string); ok {
			dec := json.NewDecoder(strings.NewReader(s))
			dec.UseNumber()
			var v any
			if dec.Decode(&v) == nil {
				return set(parent, key, v)
			}
		}
	case contracts.RuleQuirkEnumAlias:
		return set(parent, key, f.Expected)
	case contracts.RuleQuirkFieldAlias:
		if m, ok := parent.(map[string]any); ok {
			m[f.Expected] = m[key]
			delete(m, key)
			return true
		}
	case contracts.RuleStatusID:
		if n, err := strconv.Atoi(f.Expected); err == nil {
			return set(parent, key, n)
		}
	case contracts.RuleRefundAmounts:
		// amount_refunded follows the refunds that succeeded.
		if key == "amount_refunded" {
			m, ok := parent.(map[string]any)
			if !ok {
				return false
			}
			if strings.Contains(f.Message, "exceeds the amount paid") {
				// A sample's refunds above what was paid (the Order Status API's Card sample
				// refunds 9200 of 9000): the mock refunds no more than was paid.
				capRefunds(m, f.Expected)
			}
			return set(parent, key, json.Number(f.Expected))
		}
	case contracts.RuleOrderTxnStatus:
		// The order reports its txn_detail (a sample's CHARGED txn under a failed order, or
		// two gateway ids for one txn): the mock serves the transaction's own values.
		switch key {
		case "status":
			return set(parent, key, f.Expected)
		case "gateway_id":
			return set(parent, key, json.Number(f.Expected))
		}
	case contracts.RuleRedacted, contracts.RuleFormat, contracts.RuleQuirkNullString:
		// A value the publisher masked ("FILTERED") or a sample's malformed one (payer_vpa
		// "null"): the mock serves a real one where the field is mandatory, and leaves an
		// optional one out, as a service that does not know it would.
		m, ok := parent.(map[string]any)
		if !ok {
			return false
		}
		if key == "sno" {
			// Breakup components are numbered from 1 in order (invariant.txn-amount-breakup).
			toks := strings.Split(f.Pointer, "/")
			if i, err := strconv.Atoi(toks[len(toks)-2]); err == nil {
				m[key] = i + 1
				return true
			}
		}
		if v, ok := standIns[key]; ok && f.Rule == contracts.RuleRedacted {
			m[key] = v
			return true
		}
		delete(m, key)
		return true
	case contracts.RuleBenefitAmount:
		if m, ok := parent.(map[string]any); ok {
			if info, ok := m["calculation_info"].(map[string]any); ok && info["calculation_rule"] == "ABSOLUTE" {
				info["value"] = m["amount"] // the sample's amount is what was applied
				return true
			}
		}
	}
	return false
}

// resolve walks an RFC 6901 pointer to the container holding its last token.
func resolve(doc any, pointer string) (any, string, bool) {
	if pointer == "" {
		return nil, "", false
	}
	toks := strings.Split(pointer[1:], "/")
	cur := doc
	for i, t := range toks {
		t = strings.NewReplacer("~1", "/", "~0", "~").Replace(t)
		if i == len(toks)-1 {
			return cur, t, true
		}
		next, ok := get(cur, t)
		if !ok {
			return nil, "", false
		}
		cur = next
	}
	return nil, "", false
}

func get(c any, key string) (any, bool) {
	switch c := c.(type) {
	case map[string]any:
		v, ok := c[key]
		return v, ok
	case []any:
		i, err := strconv.Atoi(key)
		if err != nil || i < 0 || i >= len(c) {
			return nil, false
		}
		return c[i], true
	}
	return nil, false
}

func set(c any, key string, v any) bool {
	switch c := c.(type) {
	case map[string]any:
		c[key] = v
		return true
	case []any:
		i, err := strconv.Atoi(key)
		if err != nil || i < 0 || i >= len(c) {
			return false
		}
		c[i] = v
		return true
	}
	return false
}

// capRefunds lowers the SUCCESS refunds of order so that together they do not exceed paid.
func capRefunds(order map[string]any, paid string) {
	left, err := strconv.ParseFloat(paid, 64)
	if err != nil {
		return
	}
	refunds, _ := order["refunds"].([]any)
	for _, r := range refunds {
		rm, ok := r.(map[string]any)
		if !ok || rm["status"] != "SUCCESS" {
			continue
		}
		a, err := strconv.ParseFloat(fmt.Sprint(rm["amount"]), 64)
		if err != nil {
			continue
		}
		if a > left {
			a = left
			rm["amount"] = json.Number(strconv.FormatFloat(a, 'f', -1, 64))
		}
		left -= a
	}
}
