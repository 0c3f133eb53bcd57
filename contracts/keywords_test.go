package contracts_test

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
)

// specsWith is the embedded specs plus one more file, for schemas no shipped spec has.
func specsWith(tb testing.TB, name, data string) fstest.MapFS {
	tb.Helper()
	fsys := fstest.MapFS{}
	if err := fs.WalkDir(specs.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(specs.FS(), p)
		fsys[p] = &fstest.MapFile{Data: b}
		return err
	}); err != nil {
		tb.Fatal(err)
	}
	fsys[name] = &fstest.MapFile{Data: []byte(data)}
	return fsys
}

// keywordSpec holds one component schema per keyword case; each case names a payload that must
// pass and one that must fail with the rule.
const keywordSpec = `openapi: 3.1.0
info: {title: keyword cases, version: "1"}
paths: {}
components:
  schemas:
    Minimum:
      type: number
      minimum: 0
    ExclusiveMinimum:
      type: number
      exclusiveMinimum: 0
    Maximum:
      type: integer
      maximum: 12
    ExclusiveMaximum:
      type: number
      exclusiveMaximum: 100
    MultipleOf:
      type: number
      multipleOf: 0.01
    MinLength:
      type: string
      minLength: 2
    MaxLength:
      type: string
      maxLength: 3
    MinItems:
      type: array
      items: {type: string}
      minItems: 1
    MaxItems:
      type: array
      items: {type: string}
      maxItems: 2
    UniqueItems:
      type: array
      items: {}
      uniqueItems: true
    MinProperties:
      type: object
      additionalProperties: true
      minProperties: 1
    MaxProperties:
      type: object
      additionalProperties: true
      maxProperties: 1
    Const:
      const: VARIABLE
    Base:
      type: object
      required: [id]
      properties:
        id: {type: string, x-source: "Juspay docs https://juspay.io/x § test"}
    AllOf:
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          required: [amount]
          properties:
            amount: {type: number, minimum: 0, x-source: "Juspay docs https://juspay.io/x § test"}
    AnyOf:
      anyOf:
        - {type: string, pattern: '^[0-9]{6}$'}
        - {type: integer}
    OneOf:
      oneOf:
        - {type: number, minimum: 0}
        - {type: number, maximum: 10}
    Not:
      type: object
      properties:
        a: {type: string, x-source: "Juspay docs https://juspay.io/x § test"}
        b: {type: string, x-source: "Juspay docs https://juspay.io/x § test"}
      not:
        required: [a, b]
    RefSibling:
      type: object
      properties:
        amount:
          $ref: '#/components/schemas/Minimum'
          maximum: 100
          x-source: "Juspay docs https://juspay.io/x § test"
`

func TestSchemaKeywordsAreEnforced(t *testing.T) {
	set, err := contracts.Load(specsWith(t, "keywords.yaml", keywordSpec))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		schema, pass, fail string
		rule               contracts.Rule
		at                 string
	}{
		{"Minimum", `0`, `-0.01`, contracts.RuleMinimum, ""},
		{"Minimum", `1e2`, `-1e-400`, contracts.RuleMinimum, ""},
		{"ExclusiveMinimum", `0.01`, `0`, contracts.RuleMinimum, ""},
		{"Maximum", `12`, `13`, contracts.RuleMaximum, ""},
		{"ExclusiveMaximum", `99.99`, `100`, contracts.RuleMaximum, ""},
		{"MultipleOf", `10.25`, `10.255`, contracts.RuleMultipleOf, ""},
		{"MinLength", `"ab"`, `"a"`, contracts.RuleMinLength, ""},
		{"MaxLength", `"abc"`, `"abcd"`, contracts.RuleMaxLength, ""},
		{"MinItems", `["a"]`, `[]`, contracts.RuleMinItems, ""},
		{"MaxItems", `["a","b"]`, `["a","b","c"]`, contracts.RuleMaxItems, ""},
		{"UniqueItems", `[1,"1",{"a":1,"b":2},[1]]`, `[{"a":1,"b":2},{"b":2,"a":1.0}]`, contracts.RuleUniqueItems, "/1"},
		{"MinProperties", `{"a":1}`, `{}`, contracts.RuleMinProperties, ""},
		{"MaxProperties", `{"a":1}`, `{"a":1,"b":2}`, contracts.RuleMaxProperties, ""},
		{"Const", `"VARIABLE"`, `"FIXED"`, contracts.RuleConst, ""},
		// allOf: every branch applies, and a member one branch declares is declared for all.
		{"AllOf", `{"id":"x","amount":5}`, `{"id":"x"}`, contracts.RuleRequired, "/amount"},
		{"AllOf", `{"id":"x","amount":5}`, `{"id":"x","amount":-5}`, contracts.RuleMinimum, "/amount"},
		{"AllOf", `{"id":"x","amount":5}`, `{"amount":5}`, contracts.RuleRequired, "/id"},
		// anyOf: one alternative is enough; none is an error of the closest.
		{"AnyOf", `"411111"`, `"4111"`, contracts.RulePattern, ""},
		{"AnyOf", `7`, `7.5`, contracts.RuleType, ""},
		// oneOf: exactly one. 5 meets both alternatives.
		{"OneOf", `-5`, `5`, contracts.RuleOneOf, ""},
		{"Not", `{"a":"x"}`, `{"a":"x","b":"y"}`, contracts.RuleNot, ""},
		{"RefSibling", `{"amount":100}`, `{"amount":101}`, contracts.RuleMaximum, "/amount"},
		{"RefSibling", `{"amount":100}`, `{"amount":-1}`, contracts.RuleMinimum, "/amount"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s %s", tc.schema, tc.fail), func(t *testing.T) {
			for _, p := range []contracts.Profile{contracts.ProfileCompat, contracts.ProfileStrict} {
				res, err := set.ValidateComponent("keywords.yaml", tc.schema, []byte(tc.pass), contracts.Options{Profile: p, Request: true})
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Findings) != 0 {
					t.Errorf("%s under %s: want no finding%s", tc.pass, p, dump(res))
				}
				res, err = set.ValidateComponent("keywords.yaml", tc.schema, []byte(tc.fail), contracts.Options{Profile: p, Request: true})
				if err != nil {
					t.Fatal(err)
				}
				if f := findingsAt(res, tc.rule, tc.at); len(f) == 0 || f[0].Severity != contracts.SeverityError || res.Valid {
					t.Errorf("%s under %s: want an error %s at %q%s", tc.fail, p, tc.rule, tc.at, dump(res))
				}
			}
		})
	}
}

// A keyword the validator does not implement fails lint with its file#pointer, wherever the
// schema is: a component, a nested property, an allOf branch, a path's response.
func TestLintNamesUnimplementedKeywords(t *testing.T) {
	spec := `openapi: 3.1.0
info: {title: lint cases, version: "1"}
paths:
  /x:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                dependentRequired: {a: [b]}
components:
  schemas:
    Top:
      type: object
      if: {required: [a]}
      then: {required: [b]}
      properties:
        a:
          type: string
          x-source: "Juspay docs https://juspay.io/x § test"
          contentEncoding: base64
        b:
          allOf:
            - {type: string, unevaluatedProperties: false}
          x-source: "Juspay docs https://juspay.io/x § test"
`
	problems := strings.Join(contracts.Lint(specsWith(t, "lintcases.yaml", spec)), "\n")
	for _, want := range []string{
		`lintcases.yaml#/components/schemas/Top/if: schema keyword "if"`,
		`lintcases.yaml#/components/schemas/Top/then: schema keyword "then"`,
		`lintcases.yaml#/components/schemas/Top/properties/a/contentEncoding`,
		`lintcases.yaml#/components/schemas/Top/properties/b/allOf/0/unevaluatedProperties`,
		`lintcases.yaml#/paths/~1x/get/responses/200/content/application~1json/schema/dependentRequired`,
	} {
		if !strings.Contains(problems, want) {
			t.Errorf("lint does not report %s; got:\n%s", want, problems)
		}
	}
	if strings.Contains(problems, "x-source") || strings.Contains(problems, `"type"`) {
		t.Errorf("lint reports a known keyword:\n%s", problems)
	}
}
