package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/load"
	"github.com/pb33f/jsonschema/v6"
)

// docs/report-schema.json is the run JSON's published schema. These tests hold the two
// together: real runs validate, and every field the model can write is in the schema (its
// objects allow no other properties, so a field added to the model without the schema fails
// here).

const schemaPath = "../docs/report-schema.json"

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", schemaPath, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("report-schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("report-schema.json")
	if err != nil {
		t.Fatalf("%s does not compile: %v", schemaPath, err)
	}
	return sch
}

func validateJSON(t *testing.T, sch *jsonschema.Schema, what string, b []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return sch.Validate(inst)
}

// fullLoad is a load run with every optional field set.
func fullLoad(t *testing.T) *load.Result {
	t.Helper()
	r := mustInput(t, loadDir).Load
	l := *r
	l.Mode = "ramp"
	l.Ramp = &load.Ramp{From: 10, To: 50, Step: 10, StepDuration: time.Second}
	l.Generator.Limited, l.Generator.LimitedReason = true, "lag p99 3 ms over the 1 ms limit"
	l.SLO.Reasons = []string{"the generator could not keep its rate"}
	l.SLO.Checks = append([]load.Check(nil), l.SLO.Checks...)
	l.SLO.Checks[len(l.SLO.Checks)-1].Decide = 120000
	l.Validation.Findings = []load.FindingSample{{Pointer: "/status", Rule: "enum", Severity: "error", Message: "m", Count: 3}}
	l.Errors.ByKind = map[string]int64{load.ErrorStatus5xx: 2, load.ErrorTimeout: 1}
	l.Run = &load.RunInfo{ID: "run-1", Shard: load.Shard{Index: 1, Count: 2}, StartAt: l.StartedAt,
		Schedule: load.Schedule{Mode: "ramp", Ramp: l.Ramp, DurationMS: 5000}, SLO: load.DefaultSLO(),
		LagLimitMS: 1, RequireConclusive: true, LagHistogramHDR: l.HistogramHDR}
	l.Window = &load.Window{Runs: 3, Requests: 3 * l.Requests, From: l.StartedAt, To: l.StartedAt.Add(time.Hour), Excluded: 1, SLO: l.SLO}
	return &l
}

// fullRun is a run with every field of the model set: conform specs and findings of every
// shape, errata, environment, history with and without p99, and a load run.
func fullRun(t *testing.T) *Run {
	t.Helper()
	r := describedRun()
	r.Load = fullLoad(t)
	p99 := 4.2
	r.History = []HistoryPoint{
		{StartedAt: r.StartedAt.Add(-48 * time.Hour), Verdict: VerdictPass, Specs: 5, Passed: 5, Target: r.Target},
		{StartedAt: r.StartedAt.Add(-24 * time.Hour), Verdict: VerdictInconclusive, Specs: 5, Passed: 4, Skipped: 1, P99MS: &p99, Target: r.Target,
			Checks: historyChecks(&Run{Load: r.Load}), ErrorRate: &p99},
	}
	return r
}

func TestSchemaValidatesRuns(t *testing.T) {
	sch := compileSchema(t)
	merged, err := Merge(mustInput(t, ordersDir), mustInput(t, webhooksDir), mustInput(t, loadDir))
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]*Run{
		"sample":     sampleRun(),
		"described":  describedRun(),
		"full":       fullRun(t),
		"merged":     merged,
		"empty":      {},
		"load alone": mustInput(t, loadDir),
	} {
		var b bytes.Buffer
		if err := WriteJSON(&b, r); err != nil {
			t.Fatal(err)
		}
		if err := validateJSON(t, sch, name, b.Bytes()); err != nil {
			t.Errorf("%s run does not match %s:\n%v", name, schemaPath, err)
		}
	}
	// run.json as conform wrote it, byte for byte.
	for _, dir := range []string{ordersDir, webhooksDir} {
		b, err := os.ReadFile(filepath.Join(dir, RunFile))
		if err != nil {
			t.Fatal(err)
		}
		if err := validateJSON(t, sch, dir, b); err != nil {
			t.Errorf("%s/run.json does not match %s:\n%v", dir, schemaPath, err)
		}
	}
}

// The schema is strict: an unknown property or a wrong value is invalid, so it describes the
// model rather than anything.
func TestSchemaRejects(t *testing.T) {
	sch := compileSchema(t)
	var b bytes.Buffer
	if err := WriteJSON(&b, fullRun(t)); err != nil {
		t.Fatal(err)
	}
	good := b.String()
	for _, tc := range []struct{ name, from, to string }{
		{"unknown top-level field", `"version": 1,`, `"version": 1, "extra": true,`},
		{"unknown environment field", `"spec_version": "1.0.0",`, `"spec_version": "1.0.0", "host": "x",`},
		{"unknown load field", `"endpoint": "`, `"extra": 1, "endpoint": "`},
		{"verdict", `"verdict": "fail"`, `"verdict": "failed"`},
		{"version", `"version": 1,`, `"version": 2,`},
		{"state", `"state": "passed"`, `"state": "ok"`},
		{"missing errata", `"errata": [`, `"errata_": [`},
	} {
		bad := strings.Replace(good, tc.from, tc.to, 1)
		if bad == good {
			t.Fatalf("%s: %q not in the run JSON", tc.name, tc.from)
		}
		if err := validateJSON(t, sch, tc.name, []byte(bad)); err == nil {
			t.Errorf("%s: the schema accepts it", tc.name)
		}
	}
}

// Every JSON field of the model, down to the load run's, is a property of the schema at the
// same place: adding a field to a struct without documenting it fails here, whatever data
// the other tests use.
func TestSchemaCoversModel(t *testing.T) {
	b, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	defs, _ := root["$defs"].(map[string]any)
	resolve := func(node map[string]any) map[string]any {
		for {
			ref, ok := node["$ref"].(string)
			if !ok {
				return node
			}
			def, ok := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
			if !ok {
				t.Fatalf("unresolved $ref %s", ref)
			}
			node = def
		}
	}
	var walk func(typ reflect.Type, node map[string]any, path string)
	walk = func(typ reflect.Type, node map[string]any, path string) {
		node = resolve(node)
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		switch typ.Kind() {
		case reflect.Slice:
			items, ok := node["items"].(map[string]any)
			if !ok {
				t.Errorf("%s: a list in the model, no items in the schema", path)
				return
			}
			walk(typ.Elem(), items, path+"[]")
			return
		case reflect.Struct:
		default:
			return
		}
		if typ == reflect.TypeFor[time.Time]() {
			return
		}
		if reflect.PointerTo(typ).Implements(reflect.TypeFor[json.Marshaler]()) {
			// The type writes its own JSON: compare the keys it writes, not its Go fields.
			b, err := json.Marshal(reflect.New(typ).Interface())
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			var keys map[string]any
			if err := json.Unmarshal(b, &keys); err != nil {
				return // not an object: nothing to compare by key
			}
			props, _ := node["properties"].(map[string]any)
			for k := range keys {
				if _, ok := props[k]; !ok {
					t.Errorf("%s.%s: written by %s, not in %s", path, k, typ.Name(), schemaPath)
				}
			}
			for k := range props {
				if _, ok := keys[k]; !ok {
					t.Errorf("%s.%s: in %s, not written by %s", path, k, schemaPath, typ.Name())
				}
			}
			return
		}
		if ap, ok := node["additionalProperties"].(bool); !ok || ap {
			t.Errorf("%s: the schema's object allows other properties", path)
		}
		props, _ := node["properties"].(map[string]any)
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			sub, ok := props[name].(map[string]any)
			if !ok {
				t.Errorf("%s.%s: in the model (%s.%s), not in %s", path, name, typ.Name(), f.Name, schemaPath)
				continue
			}
			walk(f.Type, sub, path+"."+name)
		}
		for name := range props {
			if !hasJSONField(typ, name) {
				t.Errorf("%s.%s: in %s, not in the model (%s)", path, name, schemaPath, typ.Name())
			}
		}
	}
	walk(reflect.TypeFor[Run](), root, "run")
}

func hasJSONField(typ reflect.Type, name string) bool {
	for i := range typ.NumField() {
		f := typ.Field(i)
		n, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if n == "" {
			n = f.Name
		}
		if n == name && n != "-" {
			return true
		}
	}
	return false
}
