package specdiff

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	highbase "github.com/pb33f/libopenapi/datamodel/high/base"
	whatchanged "github.com/pb33f/libopenapi/what-changed"
	"github.com/pb33f/libopenapi/what-changed/model"
)

// Change is one difference between two spec versions, judged for one direction.
type Change struct {
	Kind      string `json:"kind"`
	Schema    string `json:"schema,omitempty"`   // component schema name
	File      string `json:"file,omitempty"`     // spec file holding it
	Property  string `json:"property,omitempty"` // dotted path inside the schema; "" for the schema itself
	Location  string `json:"location"`
	Direction string `json:"direction"`
	Breaking  bool   `json:"breaking"`
	Message   string `json:"message"`
	OldLine   int    `json:"old_line,omitempty"`
	NewLine   int    `json:"new_line,omitempty"`
}

// The change kinds.
const (
	FieldRemoved      = "field-removed"
	FieldAdded        = "field-added"
	MadeOptional      = "made-optional"
	RequiredAdded     = "required-added"
	EnumNarrowed      = "enum-narrowed"
	EnumWidened       = "enum-widened"
	TypeNarrowed      = "type-narrowed"
	TypeWidened       = "type-widened"
	RefChanged        = "ref-changed"
	SchemaRemoved     = "schema-removed"
	ConstraintChanged = "constraint-changed"
	PathRemoved       = "path-removed"
	OperationRemoved  = "operation-removed"
	WebhookRemoved    = "webhook-removed"
	ParameterChanged  = "parameter-changed"
)

// Kinds lists every change kind, for documentation checks.
func Kinds() []string {
	return []string{FieldRemoved, FieldAdded, MadeOptional, RequiredAdded, EnumNarrowed, EnumWidened, TypeNarrowed,
		TypeWidened, RefChanged, SchemaRemoved, ConstraintChanged, PathRemoved, OperationRemoved, WebhookRemoved, ParameterChanged}
}

// readersBreak and sendersBreak say which side of the wire each kind of change breaks.
var (
	readersBreak = []string{FieldRemoved, MadeOptional, EnumNarrowed, TypeNarrowed, TypeWidened, RefChanged, SchemaRemoved, ConstraintChanged, PathRemoved, OperationRemoved, WebhookRemoved}
	sendersBreak = []string{RequiredAdded, EnumNarrowed, TypeNarrowed, RefChanged, SchemaRemoved, ConstraintChanged, PathRemoved, OperationRemoved, ParameterChanged}
)

func breaks(kind, direction string) bool {
	if direction == Request {
		return slices.Contains(sendersBreak, kind)
	}
	return slices.Contains(readersBreak, kind)
}

// Compare lists the changes from old to new, breaking ones first, then by location.
func Compare(old, new *Specs) []Change {
	uses := old.usages()
	for k, ds := range new.usages() {
		for d := range ds {
			if uses[k] == nil {
				uses[k] = map[string]bool{}
			}
			uses[k][d] = true
		}
	}
	var out []Change
	for _, name := range old.names {
		of, nf := old.files[name], new.files[name]
		if nf == nil {
			if cs := of.model.Components; cs != nil && cs.Schemas != nil {
				for s := range cs.Schemas.KeysFromOldest() {
					out = append(out, judge(uses, raw{kind: SchemaRemoved, file: name, schema: s, msg: "file " + name + " removed"})...)
				}
			}
			continue
		}
		dc := whatchanged.CompareOpenAPIDocuments(of.model.GoLow(), nf.model.GoLow())
		if dc == nil {
			continue
		}
		out = append(out, componentChanges(uses, name, of, nf, dc)...)
		if name == rootFile {
			out = append(out, pathChanges(dc)...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Breaking != out[j].Breaking {
			return out[i].Breaking
		}
		if out[i].Location != out[j].Location {
			return out[i].Location < out[j].Location
		}
		return out[i].Direction < out[j].Direction
	})
	return out
}

// raw is a classified change before it is judged per direction.
type raw struct {
	kind, file, schema, prop, msg string
	oldLine, newLine              int
}

func judge(uses usage, r raw) []Change {
	loc := r.schema
	if r.prop != "" {
		loc += "." + r.prop
	}
	var cs []Change
	for _, d := range uses.directions(r.file + "#" + r.schema) {
		cs = append(cs, Change{Kind: r.kind, Schema: r.schema, File: r.file, Property: r.prop, Location: loc,
			Direction: d, Breaking: breaks(r.kind, d), Message: r.msg, OldLine: r.oldLine, NewLine: r.newLine})
	}
	return cs
}

func componentChanges(uses usage, file string, of, nf *specFile, dc *model.DocumentChanges) []Change {
	cc := dc.ComponentsChanges
	if cc == nil {
		return nil
	}
	var out []Change
	if cc.PropertyChanges != nil {
		for _, ch := range cc.Changes {
			if ch.ChangeType == model.ObjectRemoved && hasSchema(of, ch.Original) && !hasSchema(nf, ch.Original) {
				out = append(out, judge(uses, raw{kind: SchemaRemoved, file: file, schema: ch.Original,
					msg: "schema " + ch.Original + " removed", oldLine: line(ch, true)})...)
			}
		}
	}
	names := make([]string, 0, len(cc.SchemaChanges))
	for n := range cc.SchemaChanges {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		lp, rp := schemaProxy(of, n), schemaProxy(nf, n)
		if lp == nil || rp == nil {
			continue
		}
		w := walker{file: file, schema: n}
		// An alias ($ref to a component elsewhere) is judged where its target is declared.
		if lp.IsReference() || rp.IsReference() {
			w.inline(cc.SchemaChanges[n], lp, rp, "")
		} else {
			w.walk(cc.SchemaChanges[n], lp, rp, "")
		}
		for _, r := range w.out {
			out = append(out, judge(uses, r)...)
		}
	}
	return out
}

func hasSchema(f *specFile, name string) bool { return schemaProxy(f, name) != nil }

func schemaProxy(f *specFile, name string) *highbase.SchemaProxy {
	if f.model.Components == nil || f.model.Components.Schemas == nil {
		return nil
	}
	return f.model.Components.Schemas.GetOrZero(name)
}

// walker descends one component's SchemaChanges beside the two schemas, stopping at $refs:
// the component a $ref names is compared on its own, so its changes are reported once, there.
type walker struct {
	file, schema string
	out          []raw
}

func (w *walker) walk(sc *model.SchemaChanges, lp, rp *highbase.SchemaProxy, prefix string) {
	if sc == nil || lp == nil || rp == nil {
		return
	}
	ls, rs := lp.Schema(), rp.Schema()
	if sc.PropertyChanges != nil {
		for _, ch := range sc.Changes {
			w.classify(ch, ls, rs, prefix)
		}
	}
	if ls == nil || rs == nil {
		return
	}
	for prop, sub := range sc.SchemaPropertyChanges {
		if ls.Properties == nil || rs.Properties == nil {
			break
		}
		w.inline(sub, ls.Properties.GetOrZero(prop), rs.Properties.GetOrZero(prop), join(prefix, prop))
	}
	if sc.ItemsChanges != nil && ls.Items != nil && rs.Items != nil {
		w.inline(sc.ItemsChanges, ls.Items.A, rs.Items.A, prefix)
	}
	for _, pair := range []struct {
		changes []*model.SchemaChanges
		l, r    []*highbase.SchemaProxy
	}{{sc.AllOfChanges, ls.AllOf, rs.AllOf}, {sc.OneOfChanges, ls.OneOf, rs.OneOf}, {sc.AnyOfChanges, ls.AnyOf, rs.AnyOf}} {
		for i, sub := range pair.changes {
			if i < len(pair.l) && i < len(pair.r) {
				w.inline(sub, pair.l[i], pair.r[i], prefix)
			}
		}
	}
}

// inline walks a nested schema unless it is a $ref, of which only a retarget is reported.
func (w *walker) inline(sc *model.SchemaChanges, lp, rp *highbase.SchemaProxy, prop string) {
	if sc == nil || lp == nil || rp == nil {
		return
	}
	if lp.IsReference() || rp.IsReference() {
		if lp.GetReference() != rp.GetReference() {
			w.add(RefChanged, prop, fmt.Sprintf("now refers to %s instead of %s", orInline(rp), orInline(lp)), 0, 0)
		}
		return
	}
	w.walk(sc, lp, rp, prop)
}

func orInline(p *highbase.SchemaProxy) string {
	if p.IsReference() {
		return p.GetReference()
	}
	return "an inline schema"
}

func (w *walker) add(kind, prop, msg string, oldLine, newLine int) {
	w.out = append(w.out, raw{kind: kind, file: w.file, schema: w.schema, prop: prop, msg: msg, oldLine: oldLine, newLine: newLine})
}

func (w *walker) classify(ch *model.Change, ls, rs *highbase.Schema, prefix string) {
	ol, nl := line(ch, true), line(ch, false)
	switch {
	case ch.Property == "properties" && ch.ChangeType == model.ObjectRemoved:
		w.add(FieldRemoved, join(prefix, ch.Original), "property "+ch.Original+" removed", ol, nl)
	case ch.Property == "properties" && ch.ChangeType == model.ObjectAdded:
		w.add(FieldAdded, join(prefix, ch.New), "property "+ch.New+" added", ol, nl)
	case ch.Property == "required" && ch.ChangeType == model.PropertyRemoved:
		w.add(MadeOptional, join(prefix, ch.Original), ch.Original+" no longer required", ol, nl)
	case ch.Property == "required" && ch.ChangeType == model.PropertyAdded:
		w.add(RequiredAdded, join(prefix, ch.New), ch.New+" now required", ol, nl)
	case ch.Property == "enum" && ch.ChangeType == model.PropertyRemoved:
		w.add(EnumNarrowed, prefix, fmt.Sprintf("enum value %q removed", ch.Original), ol, nl)
	case ch.Property == "enum" && ch.ChangeType == model.PropertyAdded:
		w.add(EnumWidened, prefix, fmt.Sprintf("enum value %q added", ch.New), ol, nl)
	case ch.Property == "type":
		var lt, rt []string
		if ls != nil {
			lt = ls.Type
		}
		if rs != nil {
			rt = rs.Type
		}
		gone, added := minus(lt, rt), minus(rt, lt)
		msg := fmt.Sprintf("type %s → %s", typeString(lt), typeString(rt))
		switch {
		case len(gone) > 0 && len(lt) > 0:
			w.add(TypeNarrowed, prefix, msg, ol, nl)
		case len(added) > 0 || len(lt) == 0:
			w.add(TypeWidened, prefix, msg, ol, nl)
		}
	case ch.Property == "$ref":
		w.add(RefChanged, prefix, fmt.Sprintf("$ref %s → %s", ch.Original, ch.New), ol, nl)
	case ch.Breaking:
		w.add(ConstraintChanged, prefix, fmt.Sprintf("%s %q → %q", ch.Property, ch.Original, ch.New), ol, nl)
	}
}

func pathChanges(dc *model.DocumentChanges) []Change {
	var out []Change
	add := func(kind, loc, dir, msg string, ch *model.Change) {
		out = append(out, Change{Kind: kind, Location: loc, Direction: dir, Breaking: breaks(kind, dir), Message: msg,
			OldLine: line(ch, true), NewLine: line(ch, false)})
	}
	if dc.PropertyChanges != nil {
		for _, ch := range dc.Changes {
			if ch.Property == "webhooks" && ch.ChangeType == model.ObjectRemoved {
				add(WebhookRemoved, "webhook "+ch.Original, Webhook, "webhook "+ch.Original+" removed", ch)
			}
		}
	}
	if pc := dc.PathsChanges; pc != nil {
		if pc.PropertyChanges != nil {
			for _, ch := range pc.Changes {
				if ch.ChangeType == model.ObjectRemoved {
					add(PathRemoved, ch.Property, Response, "path "+ch.Property+" removed", ch)
				}
			}
		}
		for p, pic := range pc.PathItemsChanges {
			if pic == nil || pic.PropertyChanges == nil {
				continue
			}
			for _, ch := range pic.Changes {
				if ch.ChangeType == model.PropertyRemoved && isMethod(ch.Property) {
					loc := strings.ToUpper(ch.Property) + " " + p
					add(OperationRemoved, loc, Response, loc+" removed", ch)
				}
			}
			for m, oc := range map[string]*model.OperationChanges{"get": pic.GetChanges, "post": pic.PostChanges, "put": pic.PutChanges, "delete": pic.DeleteChanges, "patch": pic.PatchChanges} {
				if oc == nil {
					continue
				}
				for _, parc := range oc.ParameterChanges {
					for _, ch := range parc.GetAllChanges() {
						if ch.Breaking {
							loc := strings.ToUpper(m) + " " + p
							add(ParameterChanged, loc, Request, fmt.Sprintf("parameter %s: %s %q → %q", parc.Name, ch.Property, ch.Original, ch.New), ch)
						}
					}
				}
			}
		}
	}
	return out
}

func isMethod(s string) bool {
	return slices.Contains([]string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}, s)
}

func line(ch *model.Change, original bool) int {
	if ch == nil || ch.Context == nil {
		return 0
	}
	if original && ch.Context.OriginalLine != nil {
		return *ch.Context.OriginalLine
	}
	if !original && ch.Context.NewLine != nil {
		return *ch.Context.NewLine
	}
	return 0
}

func join(prefix, prop string) string {
	if prefix == "" {
		return prop
	}
	return prefix + "." + prop
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func typeString(t []string) string {
	switch len(t) {
	case 0:
		return "(any)"
	case 1:
		return t[0]
	}
	return "[" + strings.Join(t, ", ") + "]"
}
