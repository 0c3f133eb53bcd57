package contracts

import (
	"sort"
	"sync"
)

// Coverage records, per object schema, which declared fields payloads carried and how often
// they failed: the difference between "the implementation passed" and "the implementation
// passed on the fields we actually saw".
type Coverage struct {
	mu      sync.Mutex
	schemas map[*schema]*SchemaCoverage
}

// SchemaCoverage is one object schema's fields.
type SchemaCoverage struct {
	Schema string          `json:"schema"`
	Spec   string          `json:"spec"`
	Fields []FieldCoverage `json:"fields"`
}

// FieldCoverage counts one declared field: payloads that carried it (Seen), that had it
// checked against its schema (Checked) and that had an error at or under it (Failed).
type FieldCoverage struct {
	Field   string `json:"field"`
	Source  string `json:"source"`
	Seen    int    `json:"seen"`
	Checked int    `json:"checked"`
	Failed  int    `json:"failed"`
}

// NewCoverage starts empty coverage. It is safe to share between goroutines only through
// Merge: give each validating goroutine its own and merge them.
func NewCoverage() *Coverage { return &Coverage{schemas: map[*schema]*SchemaCoverage{}} }

func (c *Coverage) schema(s *schema) *SchemaCoverage {
	sc, ok := c.schemas[s]
	if !ok {
		sc = &SchemaCoverage{Schema: s.name, Spec: s.spec, Fields: make([]FieldCoverage, len(s.propList))}
		if sc.Schema == "" {
			sc.Schema = s.spec
		}
		for i, p := range s.propList {
			sc.Fields[i] = FieldCoverage{Field: p.name, Source: p.source}
		}
		c.schemas[s] = sc
	}
	return sc
}

// Merge adds o's counts to c.
func (c *Coverage) Merge(o *Coverage) {
	if o == nil || o == c {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	for s, osc := range o.schemas {
		sc := c.schema(s)
		for i := range osc.Fields {
			sc.Fields[i].Seen += osc.Fields[i].Seen
			sc.Fields[i].Checked += osc.Fields[i].Checked
			sc.Fields[i].Failed += osc.Fields[i].Failed
		}
	}
}

// Schemas returns the coverage of every object schema payloads reached, sorted by name.
func (c *Coverage) Schemas() []SchemaCoverage {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]SchemaCoverage, 0, len(c.schemas))
	for _, sc := range c.schemas {
		cp := *sc
		cp.Fields = append([]FieldCoverage(nil), sc.Fields...)
		out = append(out, cp)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Schema != out[j].Schema {
			return out[i].Schema < out[j].Schema
		}
		return out[i].Spec < out[j].Spec
	})
	return out
}
