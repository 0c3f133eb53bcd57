package specs_test

import (
	"io/fs"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/jpcheck/jpcheck/specs"
)

func loadSpec(t *testing.T, name string) map[string]any {
	t.Helper()
	raw, err := fs.ReadFile(specs.FS(), name)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return doc
}

func obj(v any, keys ...string) map[string]any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	m, _ := v.(map[string]any)
	return m
}

// Every security scheme names its source, and every security requirement of every operation
// names a scheme the root declares: a requirement that resolves nowhere would leave a client
// generated from the specs without a way to authenticate.
func TestSecuritySchemes(t *testing.T) {
	root := loadSpec(t, specs.Root)
	declared := obj(root, "components", "securitySchemes")
	entries, err := fs.Glob(specs.FS(), "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range entries {
		doc := loadSpec(t, name)
		for scheme, def := range obj(doc, "components", "securitySchemes") {
			if src, _ := obj(def)["x-source"].(string); src == "" {
				t.Errorf("%s: security scheme %s has no x-source", name, scheme)
			}
			if name != specs.Root && declared[scheme] == nil {
				t.Errorf("%s: security scheme %s is not declared in %s", name, scheme, specs.Root)
			}
		}
		for path, item := range obj(doc, "paths") {
			for method, op := range obj(item) {
				reqs, _ := obj(op)["security"].([]any)
				for _, r := range reqs {
					for scheme := range obj(r) {
						if declared[scheme] == nil {
							t.Errorf("%s: %s %s requires %s, which %s does not declare", name, method, path, scheme, specs.Root)
						}
					}
				}
			}
		}
	}
}

// twid-v2 § 4.2: the transaction API takes an API key, a Client Auth Token or a Signature; the
// three are alternatives (one requirement object each), not one requirement naming all three.
func TestTxnSecurityAlternatives(t *testing.T) {
	op := obj(loadSpec(t, "rewards.yaml"), "paths", "/txns", "post")
	reqs, _ := op["security"].([]any)
	var got []string
	for _, r := range reqs {
		m := obj(r)
		if len(m) != 1 {
			t.Errorf("a requirement names %d schemes; each alternative names one", len(m))
		}
		for k := range m {
			got = append(got, k)
		}
	}
	sort.Strings(got)
	if strings.Join(got, ",") != "basicAuth,clientAuthToken,signature" {
		t.Errorf("POST /txns security alternatives: %v", got)
	}
}

// twid-v2 § 4.3 requests GET /ecr/orders/{orderId}?options.add_full_gateway_response=true: the
// root registers the path, with the query option, and it answers the order-status Order.
func TestEcrOrderStatusPath(t *testing.T) {
	root := loadSpec(t, specs.Root)
	if ref, _ := obj(root, "paths", "/ecr/orders/{orderId}")["$ref"].(string); ref != "./rewards.yaml#/paths/~1ecr~1orders~1{orderId}" {
		t.Fatalf("root path /ecr/orders/{orderId}: $ref %q", ref)
	}
	op := obj(loadSpec(t, "rewards.yaml"), "paths", "/ecr/orders/{orderId}", "get")
	if op == nil {
		t.Fatal("rewards.yaml has no GET /ecr/orders/{orderId}")
	}
	query := false
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		if m := obj(p); m["name"] == "options.add_full_gateway_response" && m["in"] == "query" {
			query = true
		}
	}
	if !query {
		t.Error("GET /ecr/orders/{orderId} lacks the options.add_full_gateway_response query parameter")
	}
	schema := obj(op, "responses", "200", "content", "application/json", "schema")
	if schema["$ref"] != "./order-status.yaml#/components/schemas/Order" {
		t.Errorf("GET /ecr/orders/{orderId} 200 schema: %v", schema)
	}
}
