package mock

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Mandates (specs/mandates.yaml, the Webhooks document's mandate and notification callbacks,
// and the official samples under juspay-sdk-integration-demo api-reference:mandates/):
//
//   - POST /orders with options.create_mandate and mandate.* creates a mandate order;
//   - its test-mode payment (POST /txns, should_create_mandate=true for OPTIONAL) registers the
//     mandate: MANDATE_CREATED, then MANDATE_ACTIVATED or MANDATE_FAILED as the instrument
//     decides, and the order carries the mandate block;
//   - POST /mandates/{id} with command=check_status|pause|resume|revoke|pre_debit_notify;
//   - GET /customers/{id}/mandates lists a customer's mandates, GET /notifications/{id} shows
//     a pre-debit notification;
//   - POST /txns with mandate_id debits an ACTIVE mandate with its own order;
//   - the test clock (clock.go) brings end dates and scheduled pauses and resumes.
//
// Mandates live in the store under its lock, beside the orders that carry their block.

// mandateOptions are what POST /orders took with options.create_mandate.
type mandateOptions struct {
	required              bool // REQUIRED: the payment registers the mandate; OPTIONAL: only with should_create_mandate
	maxAmount             float64
	amountRule, frequency string
	ruleType              string
	ruleValue             int
	hasRuleValue          bool
	startDate, endDate    int64
	revokable, blockFund  bool
	currency              string
}

var (
	mandateFrequencies = []string{"ONETIME", "DAILY", "WEEKLY", "FORTNIGHTLY", "MONTHLY", "BIMONTHLY", "QUARTERLY", "HALFYEARLY", "YEARLY", "ASPRESENTED"}
	mandateRuleTypes   = []string{"ON", "BEFORE", "AFTER"}
)

// mandateDefaultTerm is a mandate's life when the order names no end date.
const mandateDefaultTerm = 10 * 365 * 24 * time.Hour

// parseMandateOptions reads an order create's mandate options (create-order samples: UPI with
// mandate.*, card with mandate_max_amount); nil when the order is not a mandate order. A bad
// value names its field.
func parseMandateOptions(p map[string]string, now time.Time, currency string) (*mandateOptions, string, bool) {
	create := strings.ToUpper(p["options.create_mandate"])
	switch create {
	case "":
		return nil, "", true
	case "REQUIRED", "OPTIONAL":
	default:
		return nil, "options.create_mandate", false
	}
	get := func(k string) string {
		if v := p["mandate."+k]; v != "" {
			return v
		}
		return p["mandate_"+k]
	}
	o := &mandateOptions{required: create == "REQUIRED", amountRule: "VARIABLE", frequency: "ASPRESENTED", revokable: true, currency: currency}
	amt, ok := money(get("max_amount"))
	if !ok || amt <= 0 {
		return nil, "mandate.max_amount", false
	}
	o.maxAmount = amt
	if v := strings.ToUpper(get("amount_rule")); v != "" {
		if v != "FIXED" && v != "VARIABLE" {
			return nil, "mandate.amount_rule", false
		}
		o.amountRule = v
	}
	if v := strings.ToUpper(get("frequency")); v != "" {
		if !contains(mandateFrequencies, v) {
			return nil, "mandate.frequency", false
		}
		o.frequency = v
	}
	if v := strings.ToUpper(get("rule_type")); v != "" {
		if !contains(mandateRuleTypes, v) {
			return nil, "mandate.rule_type", false
		}
		o.ruleType = v
	}
	if v := get("rule_value"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 31 {
			return nil, "mandate.rule_value", false
		}
		o.ruleValue, o.hasRuleValue = n, true
	}
	o.startDate = now.Unix()
	if v := get("start_date"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, "mandate.start_date", false
		}
		o.startDate = n
	}
	o.endDate = time.Unix(o.startDate, 0).Add(mandateDefaultTerm).Unix()
	if v := get("end_date"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= o.startDate {
			return nil, "mandate.end_date", false
		}
		o.endDate = n
	}
	for k, dst := range map[string]*bool{"revokable_by_customer": &o.revokable, "block_funds": &o.blockFund} {
		switch strings.ToLower(get(k)) {
		case "":
		case "true":
			*dst = true
		case "false":
			*dst = false
		default:
			return nil, "mandate." + k, false
		}
	}
	if v := get("currency"); v != "" {
		o.currency = strings.ToUpper(v)
	}
	return o, "", true
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// mandate is one registered mandate.
type mandate struct {
	id, token, debitToken string
	orderID, customerID   string
	status, mandateType   string
	opts                  mandateOptions
	pmt, method           string // payment_info.payment_method_type, payment_method
	vpa                   string
	card                  map[string]any // card mandates: the card as the list API shows it
	bank                  map[string]any // e-mandates by netbanking: bank_details
	created, activated    time.Time
	lastActivated         time.Time
	updated               time.Time
	pauseStart, pauseEnd  time.Time // a scheduled or current pause; zero when none
	// orders carry this mandate's block (the registration order and every debit's order).
	orders []string
}

// Mandate statuses (facts § 1.3).
const (
	mandateCreated = "CREATED"
	mandateActive  = "ACTIVE"
	mandatePaused  = "PAUSED"
	mandateRevoked = "REVOKED"
	mandateFailure = "FAILURE"
	mandateExpired = "EXPIRED"
)

// mandateEvents is the webhook each status announces. A resumed mandate is ACTIVE again and is
// announced as MANDATE_ACTIVATED: the documents define no resume event.
var mandateEvents = map[string]string{
	mandateCreated: "MANDATE_CREATED", mandateActive: "MANDATE_ACTIVATED", mandatePaused: "MANDATE_PAUSED",
	mandateRevoked: "MANDATE_REVOKED", mandateFailure: "MANDATE_FAILED", mandateExpired: "MANDATE_EXPIRED",
}

// alnumID is n random characters of [A-Za-z0-9] (a mandate id looks like eBWQNiQgeG7fdrXPPXtVbL),
// drawn again when it holds a run of digits that could read as a card number.
func alnumID(n int) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	max := big.NewInt(int64(len(chars)))
	b := make([]byte, n)
	for {
		for i := range b {
			k, _ := rand.Int(rand.Reader, max)
			b[i] = chars[k.Int64()]
		}
		if !hasDigitRun(string(b), 13) {
			return string(b)
		}
	}
}

func epoch(t int64) string { return strconv.FormatInt(t, 10) }

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// moneyString is an amount as the mandate webhooks write it ("1000.00").
func moneyString(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// webhook is content.mandate of MANDATE_* (webhooks § For Mandate Status › Callback Object).
// Its payment_info carries only the documented keys: the card of a card mandate is shown by
// the mandate APIs, not the callback.
func (m *mandate) webhook() map[string]any {
	// The callbacks require activated_at from MANDATE_CREATED on (every sample has it): until
	// activation it reads the registration time.
	activated := m.activated
	if activated.IsZero() {
		activated = m.created
	}
	info := map[string]any{"payment_method_type": m.pmt, "payment_method": m.method}
	switch {
	case m.vpa != "":
		info["upi"] = map[string]any{"payer_vpa": m.vpa}
	case m.pmt == "CARD":
		info["auth-type"] = "THREE_DS"
	}
	out := map[string]any{
		"status": m.status, "start_date": epoch(m.opts.startDate), "end_date": epoch(m.opts.endDate),
		"revokable_by_customer": m.opts.revokable, "payment_info": info, "order_id": m.orderID,
		"max_amount": moneyString(m.opts.maxAmount), "mandate_type": m.mandateType, "mandate_token": m.token,
		"mandate_id": m.id, "mandate_debit_token": m.debitToken, "last_activated_at": rfc3339(m.lastActivated),
		"frequency": m.opts.frequency, "customer_id": m.customerID, "currency": m.opts.currency,
		"block_fund": m.opts.blockFund, "amount_rule": m.opts.amountRule, "activated_at": rfc3339(activated),
	}
	m.rule(out)
	return out
}

// rule adds rule_type and rule_value where the order set them.
func (m *mandate) rule(out map[string]any) {
	if m.opts.ruleType != "" {
		out["rule_type"] = m.opts.ruleType
	}
	if m.opts.hasRuleValue {
		out["rule_value"] = m.opts.ruleValue
	}
}

// paymentInfo is payment_info as the mandate APIs show it (check-status and list-mandate
// samples): the card of a card mandate with its auth_type.
func (m *mandate) paymentInfo() map[string]any {
	info := map[string]any{"payment_method_type": m.pmt, "payment_method": m.method}
	if m.vpa != "" {
		info["upi"] = map[string]any{"payer_vpa": m.vpa}
	}
	if m.card != nil {
		info["card"] = m.card
		info["auth_type"] = "THREE_DS"
	}
	if m.bank != nil {
		info["bank_details"] = map[string]any{"ifsc": m.bank["ifsc"], "beneficiary_name": m.bank["beneficiary_name"], "bank_name": m.bank["bank_name"], "account_number": m.bank["account_number"]}
		info["auth_type"] = "THREE_DS"
	}
	return info
}

// statusBody is the Mandate Status API's answer and one entry of List Mandates
// (mandates.yaml MandateStatus).
func (m *mandate) statusBody() map[string]any {
	out := map[string]any{
		"order_id": m.orderID, "frequency": m.opts.frequency, "end_date": epoch(m.opts.endDate), "status": m.status,
		"amount_rule": m.opts.amountRule, "last_updated": rfc3339(m.updated), "start_date": epoch(m.opts.startDate),
		"customer_id": m.customerID, "mandate_id": m.id, "block_fund": m.opts.blockFund, "currency": m.opts.currency,
		"max_amount": amount(m.opts.maxAmount), "mandate_token": m.token, "revokable_by_customer": m.opts.revokable,
		"payment_info": m.paymentInfo(), "mandate_type": m.mandateType,
	}
	if !m.activated.IsZero() && m.status != mandateFailure {
		out["activated_at"], out["last_activated_at"] = rfc3339(m.activated), rfc3339(m.lastActivated)
		out["mandate_debit_token"] = m.debitToken
	}
	if !m.pauseStart.IsZero() {
		out["pause_start_date"] = rfc3339(m.pauseStart)
	}
	if !m.pauseEnd.IsZero() {
		out["pause_end_date"] = rfc3339(m.pauseEnd)
	}
	m.rule(out)
	return out
}

// commandBody is the answer to pause and resume (pause and resume samples).
func (m *mandate) commandBody(message string) map[string]any {
	out := map[string]any{
		"start_date": epoch(m.opts.startDate), "revokable_by_customer": m.opts.revokable, "response_message": message,
		"max_amount": amount(m.opts.maxAmount), "mandate_type": m.mandateType, "mandate_token": m.token,
		"mandate_status": m.status, "mandate_id": m.id, "last_activated_at": rfc3339(m.lastActivated),
		"frequency": m.opts.frequency, "end_date": epoch(m.opts.endDate), "block_fund": m.opts.blockFund,
		"amount_rule": m.opts.amountRule,
	}
	if !m.pauseStart.IsZero() {
		out["pause_start_date"] = rfc3339(m.pauseStart)
	}
	if !m.pauseEnd.IsZero() {
		out["pause_end_date"] = rfc3339(m.pauseEnd)
	}
	if m.opts.ruleType != "" {
		out["rule_type"] = m.opts.ruleType
	}
	return out
}

// orderBlock is order.mandate (order-status.yaml OrderMandate) as the order shows it now.
func (m *mandate) orderBlock() map[string]any {
	out := map[string]any{
		"mandate_id": m.id, "mandate_token": m.token, "mandate_status": m.status, "mandate_type": m.mandateType,
		"max_amount": amount(m.opts.maxAmount), "frequency": m.opts.frequency, "amount_rule": m.opts.amountRule,
		"start_date": epoch(m.opts.startDate), "end_date": epoch(m.opts.endDate), "block_fund": m.opts.blockFund,
		"revokable_by_customer": m.opts.revokable, "currency": m.opts.currency,
	}
	if !m.activated.IsZero() && m.status != mandateFailure {
		out["activated_at"] = rfc3339(m.activated)
	}
	if m.bank != nil {
		out["bank_details"] = m.bank
	}
	m.rule(out)
	return out
}

// setStatus moves m to status at now (under the store lock), refreshes the mandate block of
// every order carrying it, and returns the webhook to send once the lock is released.
func (st *store) setMandateStatus(m *mandate, status string, now time.Time) event {
	m.status, m.updated = status, now
	if status == mandateActive {
		if m.activated.IsZero() {
			m.activated = now
		}
		m.lastActivated = now
	}
	for _, id := range m.orders {
		if o, ok := st.orders[id]; ok {
			o.doc["mandate"] = m.orderBlock()
			o.encode()
		}
	}
	return event{mandateEvents[status], "mandate", m.webhook()}
}

// sweepLocked moves every mandate whose time has come (under the store lock): an end date
// passed expires it, a pause's start pauses it, a pause's end resumes it. It returns the
// webhooks, in the order the moves happened, and the mandate ids that changed.
func (st *store) sweepLocked(now time.Time) ([]event, []string) {
	ids := make([]string, 0, len(st.mandates))
	for id := range st.mandates {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var events []event
	var changed []string
	for _, id := range ids {
		m := st.mandates[id]
		if m.status != mandateActive && m.status != mandatePaused {
			continue
		}
		before := len(events)
		if m.status == mandateActive && !m.pauseStart.IsZero() && !now.Before(m.pauseStart) && (m.pauseEnd.IsZero() || now.Before(m.pauseEnd)) {
			events = append(events, st.setMandateStatus(m, mandatePaused, now))
		}
		if m.status == mandatePaused && !m.pauseEnd.IsZero() && !now.Before(m.pauseEnd) {
			m.pauseStart, m.pauseEnd = time.Time{}, time.Time{}
			events = append(events, st.setMandateStatus(m, mandateActive, now))
		}
		if now.Unix() >= m.opts.endDate {
			events = append(events, st.setMandateStatus(m, mandateExpired, now))
		}
		if len(events) > before {
			changed = append(changed, id)
		}
	}
	return events, changed
}

// sweepMandates runs the sweep at the mock's time and sends its webhooks.
func (s *Server) sweepMandates() []string {
	s.store.mu.Lock()
	events, changed := s.store.sweepLocked(s.clock.now())
	s.store.mu.Unlock()
	s.emit(events)
	if changed == nil {
		changed = []string{}
	}
	return changed
}

// registerMandate creates o's mandate for a payment with outcome out (under the store lock):
// the payment instrument is the mandate's. It returns the mandate, CREATED, to be settled by
// the caller once the payment's outcome is recorded.
func (st *store) registerMandate(o *order, p map[string]string, pmt, method string, now time.Time) *mandate {
	opts := *o.mandateOpts
	customer, _ := o.doc["customer_id"].(string)
	m := &mandate{
		id: alnumID(22), token: randomID("", 16), debitToken: randomID("tkn_", 16),
		orderID: o.doc["order_id"].(string), customerID: customer, status: mandateCreated,
		opts: opts, pmt: pmt, method: method, created: now, updated: now, lastActivated: now,
	}
	m.mandateType = strings.ToUpper(p["mandate_type"])
	if m.mandateType != "EMANDATE" && m.mandateType != "MANDATE" {
		m.mandateType = "EMANDATE"
		if pmt == "CARD" {
			m.mandateType = "MANDATE"
		}
	}
	switch pmt {
	case "UPI":
		m.vpa = p["upi_vpa"]
		m.method = "COLLECT"
		if strings.EqualFold(p["txn_type"], "UPI_PAY") {
			m.method = "PAY"
		}
	case "CARD":
		if c, ok := o.doc["card"].(map[string]any); ok {
			m.card = map[string]any{
				"using_saved_card": false, "saved_to_locker": strings.EqualFold(p["save_to_locker"], "true"),
				"name_on_card": c["name_on_card"], "expiry_year": c["expiry_year"], "expiry_month": c["expiry_month"],
				"card_type": c["card_type"], "card_issuer": c["card_issuer"], "card_isin": c["card_isin"],
				"card_brand": c["card_brand"],
			}
		}
	case "NB":
		m.bank = map[string]any{
			"bank_name": strings.TrimPrefix(strings.TrimPrefix(method, "NB_"), "JP_"), "account_number": maskAccount(p["bank_account_number"]),
			"beneficiary_name": p["bank_beneficiary_name"], "ifsc": p["bank_ifsc"], "id": nil, "bank_account_type": "SAVINGS",
		}
	}
	st.mandates[m.id] = m
	m.orders = append(m.orders, m.orderID)
	return m
}

// maskAccount keeps the last four digits of a bank account, as payloads must not carry it whole.
func maskAccount(n string) string {
	if len(n) <= 4 {
		return n
	}
	return strings.Repeat("X", len(n)-4) + n[len(n)-4:]
}

// mandateNotFound is the 400 for an unknown mandate id.
func mandateNotFound(w http.ResponseWriter) { resourceNotFound(w, "Mandate") }

func mandateRefused(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"status": "ERROR", "error_code": "invalid_request", "error_message": msg})
}

// handleMandate serves POST /mandates/{mandate_id}: command=check_status, pause, resume,
// revoke or pre_debit_notify (the mandates samples' requests).
func (s *Server) handleMandate(w http.ResponseWriter, r *http.Request) {
	p, err := params(r)
	if err != nil {
		badRequest(w, "Invalid request body")
		return
	}
	id := r.PathValue("mandate_id")
	command := strings.ToLower(p["command"])
	if command == "" {
		badRequest(w, "command is missing")
		return
	}
	now := s.clock.now()
	var (
		body   map[string]any
		events []event
		fail   func()
	)
	s.store.mu.Lock()
	events, _ = s.store.sweepLocked(now)
	m, found := s.store.mandates[id]
	switch {
	case !found:
		fail = func() { mandateNotFound(w) }
	case command == "check_status":
		body = m.statusBody()
	case command == "pause":
		body, fail, events = s.pauseMandate(w, m, p, now, events)
	case command == "resume":
		body, fail, events = s.resumeMandate(w, m, p, now, events)
	case command == "revoke":
		if m.status != mandateActive && m.status != mandatePaused && m.status != mandateCreated {
			fail = func() {
				mandateRefused(w, fmt.Sprintf("Mandate is %s; only an active or paused mandate can be revoked", m.status))
			}
			break
		}
		m.pauseStart, m.pauseEnd = time.Time{}, time.Time{}
		events = append(events, s.store.setMandateStatus(m, mandateRevoked, now))
		body = map[string]any{"mandate_status": m.status, "mandate_id": m.id}
	case command == "pre_debit_notify":
		body, fail, events = s.notify(w, m, p, now, events)
	default:
		fail = func() { invalidInput(w, "command") }
	}
	s.store.mu.Unlock()
	s.emit(events)
	if fail != nil {
		fail()
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// epochParam reads an epoch-seconds request field; zero when absent.
func epochParam(p map[string]string, key string) (time.Time, bool) {
	v := strings.TrimSpace(p[key])
	if v == "" {
		return time.Time{}, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// pauseMandate pauses an active mandate from pause_start_date (now when absent or past) to
// pause_end_date (open when absent); a start in the future is scheduled and the test clock
// brings it.
func (s *Server) pauseMandate(w http.ResponseWriter, m *mandate, p map[string]string, now time.Time, events []event) (map[string]any, func(), []event) {
	if m.status != mandateActive {
		return nil, func() {
			mandateRefused(w, fmt.Sprintf("Mandate is %s; only an active mandate can be paused", m.status))
		}, events
	}
	start, ok1 := epochParam(p, "pause_start_date")
	end, ok2 := epochParam(p, "pause_end_date")
	if !ok1 {
		return nil, func() { invalidInput(w, "pause_start_date") }, events
	}
	if !ok2 {
		return nil, func() { invalidInput(w, "pause_end_date") }, events
	}
	if start.IsZero() || start.Before(now) {
		start = now
	}
	if !end.IsZero() && !end.After(start) {
		return nil, func() { invalidInput(w, "pause_end_date") }, events
	}
	m.pauseStart, m.pauseEnd = start, end
	msg := "Mandate pause is scheduled."
	if !start.After(now) {
		events = append(events, s.store.setMandateStatus(m, mandatePaused, now))
		msg = "Mandate is Paused."
	}
	return m.commandBody(msg), nil, events
}

// resumeMandate resumes a paused mandate at resume_date (now when absent or past).
func (s *Server) resumeMandate(w http.ResponseWriter, m *mandate, p map[string]string, now time.Time, events []event) (map[string]any, func(), []event) {
	if m.status != mandatePaused {
		return nil, func() {
			mandateRefused(w, fmt.Sprintf("Mandate is %s; only a paused mandate can be resumed", m.status))
		}, events
	}
	at, ok := epochParam(p, "resume_date")
	if !ok {
		return nil, func() { invalidInput(w, "resume_date") }, events
	}
	if at.After(now) {
		m.pauseEnd = at
		return m.commandBody("Mandate resume is scheduled."), nil, events
	}
	// The answer keeps the pause it ended, as the resume sample shows pause_end_date.
	m.pauseStart, m.pauseEnd = time.Time{}, now
	events = append(events, s.store.setMandateStatus(m, mandateActive, now))
	body := m.commandBody("Mandate is Resumed.")
	m.pauseEnd = time.Time{}
	return body, nil, events
}

// handleCustomerMandates serves GET /customers/{customer_id}/mandates (list-mandate samples).
func (s *Server) handleCustomerMandates(w http.ResponseWriter, r *http.Request) {
	customer := r.PathValue("customer_id")
	now := s.clock.now()
	s.store.mu.Lock()
	events, _ := s.store.sweepLocked(now)
	var ms []*mandate
	for _, m := range s.store.mandates {
		if m.customerID == customer {
			ms = append(ms, m)
		}
	}
	sort.Slice(ms, func(i, j int) bool {
		if !ms[i].created.Equal(ms[j].created) {
			return ms[i].created.Before(ms[j].created)
		}
		return ms[i].id < ms[j].id
	})
	list := make([]any, 0, len(ms))
	for _, m := range ms {
		list = append(list, m.statusBody())
	}
	s.store.mu.Unlock()
	s.emit(events)
	writeJSON(w, http.StatusOK, map[string]any{"total": len(list), "offset": 0, "object": "list", "list": list, "count": len(list)})
}

// notification is one pre-debit notification (facts § 1.4).
type notification struct {
	id, mandateID, status     string
	objectRef, description    string
	metadata                  string
	sourceInfo                map[string]any
	providerName, providerRef string
	created, updated          time.Time
}

// body is the notification as the Notification API, the Notification Status API and
// content.notification show it (notification and notification-status samples).
func (n *notification) body() map[string]any {
	resp := map[string]any{"provider_ref_id": n.providerRef}
	if n.providerName == "PAYTM_V2" {
		resp["notificationDate"] = epoch(n.created.Unix())
	}
	switch n.status {
	case "SUCCESS":
		resp["provider_response_code"], resp["provider_response_message"] = "00", "Your notification is successful"
	case "FAILURE":
		resp["provider_response_code"], resp["provider_response_message"] = "NF01", "Notification amount exceeds the mandate's max_amount"
	}
	out := map[string]any{
		"status": n.status, "source_object": "MANDATE", "source_object_id": n.mandateID, "source_info": n.sourceInfo,
		"provider_response": resp, "provider_name": n.providerName, "object_reference_id": n.objectRef,
		"object": "notification", "notification_type": "SMS", "mandate": map[string]any{"mandate_id": n.mandateID},
		"last_updated": epoch(n.updated.Unix()), "id": n.id, "description": n.description, "date_created": epoch(n.created.Unix()),
	}
	if n.metadata != "" {
		out["metadata"] = n.metadata
	}
	return out
}

// notify sends a pre-debit notification for an active mandate (command=pre_debit_notify). Test
// mode: the gateway accepts it unless source_info.amount exceeds the mandate's max_amount. The
// answer shows it PENDING (sent to the gateway); it settles at once, so the next Notification
// Status shows SUCCESS or FAILURE and NOTIFICATION_SUCCEEDED or NOTIFICATION_FAILED follows.
func (s *Server) notify(w http.ResponseWriter, m *mandate, p map[string]string, now time.Time, events []event) (map[string]any, func(), []event) {
	if m.status != mandateActive {
		return nil, func() {
			mandateRefused(w, fmt.Sprintf("Mandate is %s; notifications are sent for an active mandate", m.status))
		}, events
	}
	var info map[string]any
	dec := json.NewDecoder(strings.NewReader(p["source_info"]))
	dec.UseNumber()
	if p["source_info"] == "" || dec.Decode(&info) != nil || info == nil {
		return nil, func() { invalidInput(w, "source_info") }, events
	}
	amt, ok := money(fmt.Sprint(info["amount"]))
	if !ok || amt <= 0 {
		return nil, func() { invalidInput(w, "source_info.amount") }, events
	}
	// source_info is echoed as strings (the samples' "amount": "1"), keeping the keys given.
	clean := map[string]any{"amount": strings.TrimSpace(fmt.Sprint(info["amount"]))}
	if d, ok := info["txn_date"]; ok {
		if _, err := strconv.ParseInt(fmt.Sprint(d), 10, 64); err != nil {
			return nil, func() { invalidInput(w, "source_info.txn_date") }, events
		}
		clean["txn_date"] = fmt.Sprint(d)
	} else {
		clean["txn_date"] = epoch(now.Add(24 * time.Hour).Unix())
	}
	if v, ok := info["mandate.display_invoice_number"].(string); ok {
		clean["mandate.display_invoice_number"] = v
	}
	if nested, ok := info["mandate"].(map[string]any); ok {
		if v, ok := nested["display_invoice_number"].(string); ok {
			clean["mandate"] = map[string]any{"display_invoice_number": v}
		}
	}
	ref := p["object_reference_id"]
	if ref == "" {
		ref = alnumID(23)
	}
	desc := p["description"]
	if desc == "" {
		desc = "Notification for upcoming mandate"
	}
	provider := "BILLDESK"
	if m.pmt == "UPI" {
		provider = "PAYTM_V2"
	}
	s.store.notifSeq++
	n := &notification{
		id: strconv.Itoa(1957000 + s.store.notifSeq), mandateID: m.id, status: "PENDING", objectRef: ref,
		description: desc, metadata: p["metadata"], sourceInfo: clean, providerName: provider,
		providerRef: "IN0" + strings.ToUpper(randomID("", 5)), created: now, updated: now,
	}
	s.store.notifications[n.id] = n
	answer := n.body()
	n.status = "SUCCESS"
	name := "NOTIFICATION_SUCCEEDED"
	if amt > m.opts.maxAmount+0.005 {
		n.status, name = "FAILURE", "NOTIFICATION_FAILED"
	}
	events = append(events, event{name, "notification", n.body()})
	return answer, nil, events
}

// handleNotification serves GET /notifications/{notification_id} (notification-status sample).
func (s *Server) handleNotification(w http.ResponseWriter, r *http.Request) {
	s.store.mu.RLock()
	n, ok := s.store.notifications[r.PathValue("notification_id")]
	var body map[string]any
	if ok {
		body = n.body()
	}
	s.store.mu.RUnlock()
	if !ok {
		resourceNotFound(w, "Notification")
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// executeMandate debits an active mandate (POST /txns with mandate_id, the execution sample):
// the order is order_id's, or is created from order.order_id, order.amount and the other
// order.* fields. Test mode: the debit is CHARGED up to the mandate's max_amount and
// AUTHORIZATION_FAILED above it; a mandate that is not ACTIVE is refused.
func (s *Server) executeMandate(w http.ResponseWriter, r *http.Request, p map[string]string) {
	id := p["order_id"]
	if id == "" {
		inline := map[string]string{}
		for k, v := range p {
			if key, ok := strings.CutPrefix(k, "order."); ok {
				inline[key] = v
			}
		}
		if inline["order_id"] == "" {
			badRequest(w, "order_id is missing")
			return
		}
		o, ok := s.newOrder(w, r, inline)
		if !ok {
			return
		}
		id = inline["order_id"]
		if _, err := s.store.insert(id, o); err != nil {
			internalError(w)
			return
		}
	}
	now := s.clock.now()
	s.store.mu.Lock()
	events, _ := s.store.sweepLocked(now)
	m, found := s.store.mandates[p["mandate_id"]]
	var refusal func()
	switch {
	case !found:
		refusal = func() { mandateNotFound(w) }
	case m.status != mandateActive:
		refusal = func() {
			mandateRefused(w, fmt.Sprintf("Mandate is %s; only an active mandate can be debited", m.status))
		}
	case p["mandate.notification_id"] != "":
		if n, ok := s.store.notifications[p["mandate.notification_id"]]; !ok || n.mandateID != m.id {
			refusal = func() { invalidInput(w, "mandate.notification_id") }
		}
	}
	var pm payment
	if refusal == nil {
		pm = payment{pmt: m.pmt, method: m.method, out: charged, debit: m}
		if pm.pmt == "UPI" {
			pm.method = "UPI"
		}
		if o, ok := s.store.orders[id]; ok && num(o.doc["amount"]) > m.opts.maxAmount+0.005 {
			pm.out = authzFail
		}
		if m.vpa != "" && p["upi_vpa"] == "" {
			p["upi_vpa"] = m.vpa
		}
	}
	s.store.mu.Unlock()
	s.emit(events)
	if refusal != nil {
		refusal()
		return
	}
	s.runPayment(w, r, p, id, pm)
}
