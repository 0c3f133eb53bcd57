package specdiff

import (
	"strings"

	"github.com/jpcheck/jpcheck/contracts"
)

// FieldUse is one field a consumer selects: the GraphQL object type owning it (the component
// schema's name, <Owner>_<property> for an inline object; see contracts.GraphQLSchema) and
// the property's JSON name. Root is the Query field the selection starts from ("order",
// "webhook_order_succeeded"); it tells a webhook subscriber from a response reader. An empty
// Root matches changes of every direction.
type FieldUse struct{ Type, Field, Root string }

// Consumer is what a consumer depends on, as far as breaking changes go.
type Consumer struct {
	Name, File string
	Uses       []FieldUse
}

// Breaks says whether c, a change, breaks the consumer: a breaking change to a field it
// selects, or to a whole schema it reads fields of (removed, retyped).
func (c Change) Breaks(con Consumer) bool {
	if !c.Breaking || c.Schema == "" {
		return false
	}
	owners := c.typeNames()
	var parents []string
	segs := []string{}
	if c.Property != "" {
		segs = strings.Split(c.Property, ".")
	}
	for _, o := range owners {
		name := o
		for _, s := range segs[:max(len(segs)-1, 0)] {
			name += "_" + contracts.GraphQLName(s)
		}
		parents = append(parents, name)
	}
	for _, u := range con.Uses {
		if !reads(u.Root, c.Direction) {
			continue
		}
		for i, p := range parents {
			if len(segs) == 0 {
				// The schema itself changed: every field read from it, or from its inline objects.
				if u.Type == owners[i] || strings.HasPrefix(u.Type, owners[i]+"_") {
					return true
				}
			} else if u.Type == p && u.Field == segs[len(segs)-1] {
				return true
			}
		}
	}
	return false
}

// typeNames are the GraphQL names the changed schema may have: its own, or, when two spec
// files declare a schema of that name, the one qualified by its file. Accepting both may
// over-match a same-named schema of another file, never miss.
func (c Change) typeNames() []string {
	names := []string{contracts.GraphQLName(c.Schema)}
	if c.File != "" {
		names = append(names, contracts.GraphQLName(c.Schema+"_"+strings.TrimSuffix(c.File, ".yaml")))
	}
	return names
}

// reads says whether a selection from root reads payloads of direction: webhook roots read
// webhook payloads, the others responses; no consumer selects from a request body.
func reads(root, direction string) bool {
	if root == "" {
		return true
	}
	webhook := root == "webhook" || strings.HasPrefix(root, "webhook_")
	switch direction {
	case Webhook:
		return webhook
	case Response:
		return !webhook
	}
	return false
}
