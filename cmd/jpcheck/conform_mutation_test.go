package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/mock"
	"github.com/jpcheck/jpcheck/suites"
)

// The mutation test: the reference implementation behind a wrapper that breaks one field of
// one payload (faults_test.go), and `jpcheck conform` run against it once per broken field.
// A mutation is killed when conform fails naming the field's pointer with the rule of the
// fault's class; the score is killed/total and must be 100%. Each class is applied to a
// response and to a webhook, at fields the contract constrains under the compat profile,
// the one users run.

// mutationPAN is a Luhn-valid Visa number, not one of the mock's test-mode cards, so it can
// only be in a payload because the wrapper leaked it there.
const mutationPAN = "4012888888881881"

// mutation is one broken field: where the wrapper breaks it, what conform must report, and
// which area's specs carry that payload.
type mutation struct {
	class string
	// A response mutation names the method and path (path.Match pattern) it breaks; a webhook
	// mutation the event_name of the deliveries it breaks.
	method, path string
	event        string
	fault        fault
	// rules are the rule ids that name this fault; any one of them at fault.Pointer kills.
	rules []contracts.Rule
	// area is the --label-filter whose specs check this payload.
	area string
}

func (m mutation) channel() string {
	if m.event != "" {
		return "webhook " + m.event
	}
	return "response " + m.method + " " + m.path
}

func (m mutation) String() string {
	return fmt.Sprintf("%s: %s (%s)", m.channel(), m.fault, m.class)
}

// The fault classes the issue names; each must be killed on a response and on a webhook.
var mutationClasses = []string{"required", "type", "enum", "format", "max-length", "invariant", "pci"}

func mutationJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v) // the table's values are plain strings, numbers and booleans
	return b
}

// mutationMaker makes the mutations of one channel.
type mutationMaker func(class, pointer string, f fault, rules ...contracts.Rule) mutation

// responseMutations breaks the answers to method and path (a path.Match pattern), which the
// specs of area request.
func responseMutations(area, method, path string) mutationMaker {
	return func(class, pointer string, f fault, rules ...contracts.Rule) mutation {
		f.Pointer = pointer
		return mutation{class: class, method: method, path: path, fault: f, rules: rules, area: area}
	}
}

// webhookMutations breaks the deliveries of event, which the webhooks area judges.
func webhookMutations(event string) mutationMaker {
	return func(class, pointer string, f fault, rules ...contracts.Rule) mutation {
		f.Pointer = pointer
		return mutation{class: class, event: event, fault: f, rules: rules, area: suites.LabelWebhooks}
	}
}

func mutSet(v any) fault   { return fault{Op: faultSet, Value: mutationJSON(v)} }
func mutRemove() fault     { return fault{Op: faultRemove} }
func mutLong(n int) string { return strings.Repeat("x", n) }

// mutations is the table. Pointers are from the payload root (the envelope for webhooks);
// every field named is constrained by the specs as the comment says. The order-status and
// webhook rows cover every class on both channels; the rest probe one payload of each other
// area. Webhook mutations spare event_name, id and the order ids, which the receiver matches
// deliveries by. V4 answers are encrypted, so the wrapper cannot break them.
func mutations() []mutation {
	fx := suites.DefaultFixtures()
	order := func(scenario string) string {
		s, _ := fx.Scenario(scenario)
		return "/orders/" + s.OrderID
	}
	var (
		succeeded   = webhookMutations("ORDER_SUCCEEDED")
		charged     = webhookMutations("TXN_CHARGED")
		created     = webhookMutations("TXN_CREATED")
		refunded    = webhookMutations("ORDER_REFUNDED")
		card        = responseMutations(suites.LabelOrderStatus, "GET", order(suites.ScenarioCard))
		offers      = responseMutations(suites.LabelOffers, "POST", "/v1/offers/list")
		eligibility = responseMutations(suites.LabelRewards, "POST", "/customers/*/eligibility")
		methods     = responseMutations(suites.LabelRewards, "GET", "/merchants/*/paymentmethods")
		notFound    = responseMutations(suites.LabelErrors, "GET", order(suites.ScenarioNotFound))
		create      = responseMutations(suites.LabelFlows, "POST", "/orders")
		pay         = responseMutations(suites.LabelFlows, "POST", "/txns")
		refund      = responseMutations(suites.LabelFlows, "POST", "/orders/*/refunds")
		mandateAPI  = responseMutations(suites.LabelFlows, "POST", "/mandates/*")
		mandateList = responseMutations(suites.LabelFlows, "GET", "/customers/*/mandates")
		activated   = webhookMutations("MANDATE_ACTIVATED")
		paused      = webhookMutations("MANDATE_PAUSED")
		notified    = webhookMutations("NOTIFICATION_SUCCEEDED")
		autoRefund  = webhookMutations("AUTO_REFUND_SUCCEEDED")
		refundFail  = webhookMutations("ORDER_REFUND_FAILED")
	)
	const twid = "/payload/wallets/0/paymentMethodsEligibility/0"
	return []mutation{
		// Order.required lists merchant_id; the envelope requires date_created.
		card("required", "/merchant_id", mutRemove(), contracts.RuleRequired),
		succeeded("required", "/content/order/merchant_id", mutRemove(), contracts.RuleRequired),
		created("required", "/date_created", mutRemove(), contracts.RuleRequired),
		// customer_id is string|null, amount a number (its quirk takes numeric strings only),
		// a txn's status_id an integer with no quirk.
		card("type", "/customer_id", mutSet(12345), contracts.RuleType),
		succeeded("type", "/content/order/amount", mutSet(true), contracts.RuleType),
		charged("type", "/content/txn/status_id", mutSet("21"), contracts.RuleType),
		// status is one of the status table's values.
		card("enum", "/status", mutSet("CHARGD"), contracts.RuleEnum, contracts.RuleConst),
		succeeded("enum", "/content/order/status", mutSet("CHARGD"), contracts.RuleEnum, contracts.RuleConst),
		charged("enum", "/content/txn/status", mutSet("CHARGD"), contracts.RuleEnum, contracts.RuleConst),
		// date_created (order and envelope) and a refund's and txn's created are date-time.
		card("format", "/date_created", mutSet("2021-11-09 16:19:55"), contracts.RuleFormat),
		card("format", "/refunds/0/created", mutSet("23/11/2021"), contracts.RuleFormat),
		succeeded("format", "/date_created", mutSet("yesterday"), contracts.RuleFormat),
		charged("format", "/content/txn/created", mutSet("2026-11-23"), contracts.RuleFormat),
		// udf1 has Max Length 255, product_id 64.
		card("max-length", "/udf1", mutSet(mutLong(256)), contracts.RuleMaxLength),
		card("max-length", "/product_id", mutSet(mutLong(65)), contracts.RuleMaxLength),
		succeeded("max-length", "/content/order/udf1", mutSet(mutLong(256)), contracts.RuleMaxLength),
		// status_id must match status; refunded must agree with amount_refunded, which must be
		// the sum of SUCCESS refunds; breakup components are numbered from 1; ORDER_SUCCEEDED
		// must carry a CHARGED order.
		card("invariant", "/status_id", mutSet(26), contracts.RuleStatusID),
		card("invariant", "/refunded", mutSet(false), contracts.RuleRefundAmounts),
		card("invariant", "/txn_detail/txn_amount_breakup/0/sno", mutSet(2), contracts.RuleTxnAmountBreakup),
		succeeded("invariant", "/content/order/status_id", mutSet(26), contracts.RuleStatusID),
		succeeded("invariant", "/content/order/status", mutSet("PENDING_VBV"), contracts.RuleEventContent),
		refunded("invariant", "/content/order/amount_refunded", mutSet(99), contracts.RuleRefundAmounts),
		// A full card number anywhere, plain or grouped.
		card("pci", "/card/name_on_card", mutSet(mutationPAN), contracts.RuleCardNumber),
		card("pci", "/udf3", mutSet("4012 8888 8888 1881"), contracts.RuleCardNumber),
		succeeded("pci", "/content/order/udf2", mutSet(mutationPAN), contracts.RuleCardNumber),
		charged("pci", "/content/txn/card/name_on_card", mutSet(mutationPAN), contracts.RuleCardNumber),

		// Offers: final_order_amount = order_amount − discount_amount; calculation_rule is
		// ABSOLUTE or PERCENTAGE; end_time_utc is a date-time.
		offers("invariant", "/offers/0/order_breakup/final_order_amount", mutSet("900.00"), contracts.RuleOrderBreakup),
		offers("enum", "/offers/0/order_breakup/benefits/0/calculation_rule", mutSet("PERCENT"), contracts.RuleEnum),
		offers("format", "/offers/0/end_time_utc", mutSet("31-12-2099"), contracts.RuleFormat),
		// Twid: a BURN reward carries its value; isEligible is a boolean; a payment method
		// names itself.
		eligibility("invariant", twid+"/redeemableInfo/0/value", mutRemove(), contracts.RuleTwidReward),
		eligibility("type", twid+"/isEligible", mutSet("yes"), contracts.RuleType),
		methods("required", "/payload/paymentMethods/0/payment_method", mutRemove(), contracts.RuleRequired),
		// Errors: NOT_FOUND is status_id 40; error_info carries its code.
		notFound("invariant", "/status_id", mutSet(41), contracts.RuleStatusID),
		notFound("required", "/error_info/code", mutRemove(), contracts.RuleRequired),
		// Flows: order create answers payment_links; a txn's status is in the status table;
		// the refund answer is an order, whose date_created is a date-time.
		create("required", "/payment_links", mutRemove(), contracts.RuleRequired),
		pay("enum", "/status", mutSet("CHARGD"), contracts.RuleEnum),
		refund("format", "/date_created", mutSet("now"), contracts.RuleFormat),
		// Mandates: the mandate APIs name their mandate; a list is an object "list"; the
		// mandate and notification webhooks type their flags, enums and epoch dates; an
		// auto-refunded order's status_id is 36; a refund's created is a date-time.
		mandateAPI("required", "/mandate_id", mutRemove(), contracts.RuleRequired),
		mandateList("enum", "/object", mutSet("lists"), contracts.RuleConst, contracts.RuleEnum),
		activated("type", "/content/mandate/block_fund", mutSet("no"), contracts.RuleType),
		paused("enum", "/content/mandate/frequency", mutSet("HOURLY"), contracts.RuleEnum),
		notified("format", "/content/notification/last_updated", mutSet("yesterday"), contracts.RuleFormat),
		autoRefund("invariant", "/content/order/status_id", mutSet(21), contracts.RuleStatusID),
		refundFail("format", "/content/order/refunds/0/created", mutSet("28/07/2023"), contracts.RuleFormat),
	}
}

func TestConformMutationTable(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range mutations() {
		if !slices.Contains(mutationClasses, m.class) {
			t.Errorf("%s: unknown class %q", m, m.class)
		}
		if len(m.rules) == 0 || m.fault.Pointer == "" || (m.event == "") == (m.path == "") {
			t.Errorf("%s: needs rules, a pointer, and either a path or an event", m)
		}
		seen[m.class+"/"+strings.Fields(m.channel())[0]] = true
	}
	for _, c := range mutationClasses {
		for _, ch := range []string{"response", "webhook"} {
			if !seen[c+"/"+ch] {
				t.Errorf("class %s has no %s mutation", c, ch)
			}
		}
	}
}

// mutationOutcome is what one conform run against a (possibly) broken target did.
type mutationOutcome struct {
	exit           int
	report         conformRun
	stdout, stderr string
	// applied counts the payloads the wrapper broke; misses say why it could not break others.
	applied int
	misses  []string
}

const (
	mutationHookUser     = "jpcheck"
	mutationHookPassword = "mutation-secret"
)

// runMutated starts the reference implementation behind the wrapper that applies m (the zero
// mutation breaks nothing), runs conform against it over m.area, and returns what happened.
func runMutated(t *testing.T, m mutation) mutationOutcome {
	t.Helper()
	listen := freeLocalAddr(t)
	stop := make(chan struct{})
	proxy := &webhookProxy{
		target: "http://" + listen + "/", event: m.event, fault: m.fault,
		retryFor: 8 * time.Second, stop: stop,
	}
	proxySrv := httptest.NewServer(proxy)
	t.Cleanup(proxySrv.Close)
	srv, err := mock.New(mock.Config{
		WebhookURL: proxySrv.URL, WebhookUser: mutationHookUser, WebhookPassword: mutationHookPassword,
		WebhookRetries: []time.Duration{100 * time.Millisecond, 500 * time.Millisecond, time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	faulty := &faultyHandler{next: srv, method: m.method, pathPattern: m.path, fault: m.fault}
	target := httptest.NewServer(faulty)
	t.Cleanup(target.Close)
	// Runs first: retries pending in the proxy end before the servers close.
	t.Cleanup(func() { close(stop) })

	out := mutationOutcome{}
	out.exit, out.stdout, out.stderr = execConform(t, nil, "conform",
		"--target", target.URL, "--webhook-listen", listen,
		"--webhook-user", mutationHookUser, "--webhook-password", mutationHookPassword,
		"--format", "json", "--label-filter", m.area)
	if err := json.Unmarshal([]byte(out.stdout), &out.report); err != nil && out.exit <= exitFindings {
		t.Fatalf("conform exit %d printed no JSON run (%v); stdout:\n%s\nstderr:\n%s", out.exit, err, clipOut(out.stdout), clipOut(out.stderr))
	}
	var misses []string
	if m.event != "" {
		out.applied, misses = proxy.log.snapshot()
	} else {
		out.applied, misses = faulty.log.snapshot()
	}
	out.misses = misses
	return out
}

// freeLocalAddr returns a 127.0.0.1 address with a port no one listens on right now, for
// conform's receiver.
func freeLocalAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// killedBy returns the error finding that names m: its pointer with one of its rules.
func (o mutationOutcome) killedBy(m mutation) (string, bool) {
	if o.exit != exitFindings {
		return "", false
	}
	for _, f := range o.report.Findings {
		if f.Severity == string(contracts.SeverityError) && f.Pointer == m.fault.Pointer && slices.Contains(m.rules, contracts.Rule(f.Rule)) {
			return fmt.Sprintf("%s %s in %q (%s)", f.Pointer, f.Rule, f.Spec, f.Request), true
		}
	}
	return "", false
}

// describe says what conform reported, for a survivor's line.
func (o mutationOutcome) describe() string {
	var b strings.Builder
	s := o.report.Summary
	fmt.Fprintf(&b, "exit %d, %d specs (%d passed, %d failed, %d skipped)", o.exit, s.Specs, s.Passed, s.Failed, s.Skipped)
	fmt.Fprintf(&b, "; the wrapper broke %d payload(s)", o.applied)
	if len(o.misses) > 0 {
		fmt.Fprintf(&b, " and could not break: %s", strings.Join(o.misses, "; "))
	}
	var errs []string
	for _, f := range o.report.Findings {
		if f.Severity == string(contracts.SeverityError) {
			p := f.Pointer
			if p == "" {
				p = "(root)"
			}
			errs = append(errs, fmt.Sprintf("%s %s", p, f.Rule))
		}
	}
	switch {
	case len(errs) == 0:
		b.WriteString("; no error finding")
	case len(errs) > 8:
		fmt.Fprintf(&b, "; error findings: %s … (%d)", strings.Join(errs[:8], ", "), len(errs))
	default:
		fmt.Fprintf(&b, "; error findings: %s", strings.Join(errs, ", "))
	}
	if o.exit > exitFindings {
		fmt.Fprintf(&b, "; stderr: %s", strings.TrimSpace(strings.SplitN(o.stderr, "\n", 2)[0]))
	}
	return b.String()
}

// TestConformMutationScore breaks one field at a time and checks that conform names it. It
// runs one conform process per mutation, so `make test` may leave it out with
// -skip TestConformMutationScore and run it on its own with -v to show the score.
func TestConformMutationScore(t *testing.T) {
	if testing.Short() {
		t.Skip("runs conform once per mutation; not in -short")
	}
	conformBinary(t) // built once, before the parallel runs need it
	muts := mutations()
	var areas []string
	for _, m := range muts {
		if !slices.Contains(areas, m.area) {
			areas = append(areas, m.area)
		}
	}

	// Without a fault every area must pass, or a kill would prove nothing.
	t.Run("baseline", func(t *testing.T) {
		for _, area := range areas {
			t.Run(area, func(t *testing.T) {
				t.Parallel()
				o := runMutated(t, mutation{area: area})
				if o.exit != exitOK {
					t.Errorf("conform --label-filter %s against the unbroken reference implementation: %s", area, o.describe())
				}
			})
		}
	})
	if t.Failed() {
		t.Fatal("the baseline run failed, so a killed mutation would prove nothing")
	}

	type result struct {
		m      mutation
		killed bool
		how    string
	}
	var (
		mu      sync.Mutex
		results []result
	)
	t.Run("mutations", func(t *testing.T) {
		for _, m := range muts {
			t.Run(m.class+" "+m.channel()+" "+m.fault.Pointer, func(t *testing.T) {
				t.Parallel()
				r := result{m: m, how: "no result: the run itself failed (see the subtest's failure)"}
				defer func() {
					mu.Lock()
					results = append(results, r)
					mu.Unlock()
				}()
				o := runMutated(t, m)
				if r.how, r.killed = o.killedBy(m); !r.killed {
					r.how = o.describe()
				}
			})
		}
	})

	killed := 0
	var survivors []string
	for _, r := range results {
		if r.killed {
			killed++
			t.Logf("killed %s: %s", r.m, r.how)
			continue
		}
		survivors = append(survivors, fmt.Sprintf("survivor %s: expected exit 1 with an error finding %s at %s; conform reported %s",
			r.m, joinRules(r.m.rules), r.m.fault.Pointer, r.how))
	}
	slices.Sort(survivors)
	total := len(muts)
	fmt.Printf("mutation score: %d/%d killed (%.0f%%)\n", killed, total, 100*float64(killed)/float64(total))
	for _, s := range survivors {
		fmt.Println(s)
	}
	if killed < total {
		t.Errorf("mutation score %d/%d: %d mutation(s) survived (listed above)", killed, total, total-killed)
	}
}

func joinRules(rules []contracts.Rule) string {
	s := make([]string, len(rules))
	for i, r := range rules {
		s[i] = string(r)
	}
	return strings.Join(s, " or ")
}
