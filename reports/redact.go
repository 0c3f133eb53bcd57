package reports

import (
	"encoding/base64"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/jpcheck/jpcheck/contracts"
)

// Two kinds of data must be kept out of reports, differently:
//
//   - Secrets (API keys, Authorization headers, webhook passwords) never appear in any output,
//     run.json included: scrubSecrets runs in normalized, which every writer calls, and Forget
//     removes the literal values a command knows.
//   - Customer data (email, phone, VPA, card fields but card_isin and last_four_digits) is a
//     target's test data a reviewer may need to see, and CI logs are read by many: Redact masks
//     it in everything a command prints or writes for people (text, the JSON on stdout, JUnit,
//     HTML, Markdown), and --no-redact shows it. run.json and load.json keep it, as the data a
//     report is rebuilt from; the webhook journal keeps every body byte for byte (evidence).

// Redacted replaces a secret wherever one was found.
const Redacted = "[redacted]"

// piiKind says how a customer field's value is masked.
type piiKind int

const (
	piiEmail piiKind = iota + 1
	piiPhone
	piiVPA
	piiCard
	piiCardNumber
)

// piiFields are the declared fields (order status, webhooks, txns) that carry customer data.
// card_isin and last_four_digits are not among them: the documents publish them as safe.
var piiFields = map[string]piiKind{
	"customer_email": piiEmail, "email": piiEmail,
	"customer_phone": piiPhone, "mobile": piiPhone, "mobile_number": piiPhone, "phone": piiPhone,
	"payer_vpa": piiVPA, "upi_vpa": piiVPA, "vpa": piiVPA,
	"card_number": piiCardNumber, "card_no": piiCardNumber, "masked_card_number": piiCardNumber,
	"name_on_card": piiCard, "card_fingerprint": piiCard, "card_reference": piiCard,
	"expiry_month": piiCard, "expiry_year": piiCard, "card_exp_month": piiCard, "card_exp_year": piiCard,
	"card_security_code": piiCard, "cvv": piiCard, "card_token": piiCard, "token": piiCard,
	"nick_name": piiCard, "firstname": piiCard, "lastname": piiCard,
}

// piiKeyValue finds `"key": "value"`, `key=value` and Gomega's `"key": <string>"value"`,
// quotes optionally escaped (a JSON body quoted in a message). Group 1 is the key, group 2 a
// quoted value, group 3 an unquoted one.
var piiKeyValue = func() *regexp.Regexp {
	keys := make([]string, 0, len(piiFields))
	for k := range piiFields {
		keys = append(keys, regexp.QuoteMeta(k))
	}
	return regexp.MustCompile(`(?i)\b(` + strings.Join(keys, "|") + `)\\?"?\s*[:=]\s*(?:<[^<>"]{1,40}>)?(?:\\?"([^"\\]*)|([^"\\&,;\s}\]<>]*))`)
}()

var (
	// emailText is an address in free text; vpaText a UPI address (handle@psp, no dot after
	// the @). Both need two characters before the @, so a masked "j***@x.com" stays as it is.
	emailText = regexp.MustCompile(`[A-Za-z0-9._%+-]{2,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+`)
	vpaText   = regexp.MustCompile(`[A-Za-z0-9._-]{2,64}@[A-Za-z][A-Za-z0-9]{1,30}\b`)
	// panText is a run of 15 to 19 digits, a card number when it passes Luhn's check.
	panText = regexp.MustCompile(`\b\d{15,19}\b`)
	// mobileText is an Indian mobile number (ten digits from 6 to 9, optionally +91): epoch
	// seconds start with 1, and ids rarely are ten bare digits.
	mobileText = regexp.MustCompile(`(?:\+91[ -]?)?\b[6-9]\d{9}\b`)
)

// Redact returns a copy of r with customer data masked in every string a person reads:
// messages, expected and actual values, requests, errata. A finding at a customer field has
// its expected and actual values masked whatever they look like.
func Redact(r *Run) *Run {
	n := r.normalized()
	mapStrings(n, maskPII)
	// The raw values found at customer fields, and their masks: the failure messages of the
	// specs (and Ginkgo's, for JUnit) quote them too.
	var pairs []string
	for i, f := range r.normalized().Findings {
		// Masked as free text above; at a customer field the values are the customer's data
		// whatever they look like. Expected is the rule's unless it came from a related
		// payload's customer field.
		m := n.Findings[i]
		if kind, ok := piiFields[lastSegment(f.Pointer)]; ok {
			m.Actual = maskValue(kind, f.Actual)
			m.Message = replaceValue(m.Message, f.Actual, m.Actual)
			pairs = appendValuePair(pairs, f.Actual, m.Actual)
		}
		if kind, ok := piiFields[lastSegment(f.RelatedPointer)]; ok && f.RelatedPointer != "" {
			m.Expected = maskValue(kind, f.Expected)
			m.Message = replaceValue(m.Message, f.Expected, m.Expected)
			pairs = appendValuePair(pairs, f.Expected, m.Expected)
		}
		n.Findings[i] = m
	}
	if len(pairs) > 0 {
		rep := strings.NewReplacer(pairs...)
		for i := range n.Specs {
			n.Specs[i].Message = rep.Replace(n.Specs[i].Message)
		}
		mapGinkgoStrings(n, rep.Replace)
	}
	return n
}

// appendValuePair adds raw → masked for replaceValue's cases.
func appendValuePair(pairs []string, raw, masked string) []string {
	if len(raw) < 3 || raw == masked {
		return pairs
	}
	return append(pairs, raw, masked)
}

// replaceValue replaces a raw value quoted in a message by its masked form; values too short
// to be told from other text are left to the free-text patterns.
func replaceValue(msg, raw, masked string) string {
	if len(raw) < 3 || raw == masked {
		return msg
	}
	return strings.ReplaceAll(msg, raw, masked)
}

// Forget replaces each non-empty literal value in every string of r: the API key, webhook
// password and other secrets a command holds, should a target echo one back.
func (r *Run) Forget(secrets ...string) {
	var pairs []string
	for _, s := range secrets {
		if len(s) >= 4 { // a shorter value would blank unrelated text
			pairs = append(pairs, s, Redacted)
		}
	}
	if len(pairs) == 0 {
		return
	}
	rep := strings.NewReplacer(pairs...)
	mapStrings(r, rep.Replace)
}

// mapStrings applies f to every free-text string of r in place. Slices are copied first: r
// may share them with the caller's run.
func mapStrings(r *Run, f func(string) string) {
	r.Target = f(r.Target)
	r.Environment.Target = f(r.Environment.Target)
	specs := make([]Spec, len(r.Specs))
	for i, s := range r.Specs {
		s.Message = f(s.Message)
		specs[i] = s
	}
	r.Specs = specs
	findings := make([]Finding, len(r.Findings))
	for i, x := range r.Findings {
		x.Message, x.Expected, x.Actual = f(x.Message), f(x.Expected), f(x.Actual)
		x.Request, x.RelatedRequest = f(x.Request), f(x.RelatedRequest)
		findings[i] = x
	}
	r.Findings = findings
	errata := make([]Erratum, len(r.Errata))
	for i, e := range r.Errata {
		e.Message = f(e.Message)
		errata[i] = e
	}
	r.Errata = errata
	if r.History != nil {
		history := make([]HistoryPoint, len(r.History))
		for i, h := range r.History {
			h.Target = f(h.Target)
			history[i] = h
		}
		r.History = history
	}
	mapLoadStrings(r, f)
	mapGinkgoStrings(r, f)
}

// mapGinkgoStrings applies f to the free text of Ginkgo's report, which JUnit prints: failure
// messages quote payloads, so they carry customer data and whatever a target echoed.
func mapGinkgoStrings(r *Run, f func(string) string) {
	if len(r.Report.SpecReports) == 0 && len(r.Report.SpecialSuiteFailureReasons) == 0 {
		return
	}
	rep := r.Report
	if rep.SpecialSuiteFailureReasons != nil {
		rep.SpecialSuiteFailureReasons = slices.Clone(rep.SpecialSuiteFailureReasons)
		for i, s := range rep.SpecialSuiteFailureReasons {
			rep.SpecialSuiteFailureReasons[i] = f(s)
		}
	}
	srs := make(types.SpecReports, len(rep.SpecReports))
	for i, sr := range rep.SpecReports {
		sr.Failure.Message, sr.Failure.ForwardedPanic = f(sr.Failure.Message), f(sr.Failure.ForwardedPanic)
		if sr.AdditionalFailures != nil {
			afs := slices.Clone(sr.AdditionalFailures)
			for j := range afs {
				afs[j].Failure.Message, afs[j].Failure.ForwardedPanic = f(afs[j].Failure.Message), f(afs[j].Failure.ForwardedPanic)
			}
			sr.AdditionalFailures = afs
		}
		sr.CapturedGinkgoWriterOutput, sr.CapturedStdOutErr = f(sr.CapturedGinkgoWriterOutput), f(sr.CapturedStdOutErr)
		if sr.ReportEntries != nil {
			entries := slices.Clone(sr.ReportEntries)
			for j := range entries {
				entries[j].Value = types.WrapEntryValue(f(entries[j].StringRepresentation()))
			}
			sr.ReportEntries = entries
		}
		srs[i] = sr
	}
	rep.SpecReports = srs
	r.Report = rep
}

// maskPII masks customer data in one string: values of customer fields, then addresses and
// card numbers in free text. Cheap tests come first: most strings hold none of it, and a
// report may carry thousands of long messages.
func maskPII(s string) string {
	if s == "" {
		return s
	}
	if hasPIIKey(s) {
		s = piiKeyValue.ReplaceAllStringFunc(s, func(m string) string {
			sub := piiKeyValue.FindStringSubmatchIndex(m)
			from, to := sub[4], sub[5] // quoted
			if from < 0 {
				from, to = sub[6], sub[7]
			}
			key, value := strings.ToLower(m[sub[2]:sub[3]]), m[from:to]
			if value == "" || value == "null" {
				return m
			}
			return m[:from] + maskValue(piiFields[key], value) + m[to:]
		})
	}
	if strings.IndexByte(s, '@') >= 0 {
		s = emailText.ReplaceAllStringFunc(s, maskAddress)
		s = vpaText.ReplaceAllStringFunc(s, maskAddress)
	}
	if hasDigitRun(s, 10) {
		s = mobileText.ReplaceAllStringFunc(s, func(m string) string { return maskValue(piiPhone, m) })
	}
	if hasDigitRun(s, 15) {
		s = panText.ReplaceAllStringFunc(s, func(m string) string {
			if luhn(m) {
				return maskValue(piiCardNumber, m)
			}
			return m
		})
	}
	return s
}

// hasPIIKey reports whether s names a customer field, in any case.
func hasPIIKey(s string) bool {
	lower := strings.ToLower(s)
	for k := range piiFields {
		if strings.Contains(lower, k) {
			return true
		}
	}
	return false
}

// hasDigitRun reports whether s has n digits in a row.
func hasDigitRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// maskValue masks one value of a customer field. The forms keep what a reviewer needs to
// tell two values apart and nothing more: j***@example.com, 98******10, ************1111
// (the last four are published anyway), **** for the rest. Masking a masked value changes
// nothing.
func maskValue(kind piiKind, v string) string {
	if v == "" {
		return v
	}
	switch kind {
	case piiEmail, piiVPA:
		return maskAddress(v)
	case piiPhone:
		return keepEnds(v, 2, 2)
	case piiCardNumber:
		return keepEnds(v, 0, 4)
	}
	return "****"
}

// maskAddress keeps an address's first character and its domain (or PSP handle); the @ may
// be URL-encoded (a form or query).
func maskAddress(v string) string {
	at := strings.LastIndexByte(v, '@')
	if enc := strings.LastIndex(v, "%40"); enc > at {
		at = enc
	}
	if at <= 0 {
		return "****"
	}
	first := []rune(v[:at])[0]
	return string(first) + "***" + v[at:]
}

// keepEnds shows head characters and tail characters of v and stars the rest; a value too
// short to keep any is all stars.
func keepEnds(v string, head, tail int) string {
	r := []rune(v)
	if len(r) <= head+tail+2 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:head]) + strings.Repeat("*", len(r)-head-tail) + string(r[len(r)-tail:])
}

func luhn(digits string) bool {
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func lastSegment(pointer string) string {
	return strings.ToLower(pointer[strings.LastIndexByte(pointer, '/')+1:])
}

var (
	// authHeader is an Authorization header or field with its value, in any quoting.
	authHeader = regexp.MustCompile(`(?i)\b((?:proxy-)?authorization\\?"?\s*[:=]\s*\\?"?)(?:(?:basic|bearer|digest)\s+)?[^"\\\r\n,;}]+`)
	// authScheme is a Basic or Bearer credential without its header name.
	authScheme = regexp.MustCompile(`(?i)\b(basic|bearer)\s+[A-Za-z0-9+/=._~-]{8,}`)
	// secretField is a key, password or secret named as a field, header or query parameter.
	secretField = regexp.MustCompile(`(?i)\b((?:x-)?api[_-]?key|(?:webhook[_-]?)?password|passwd|client[_-]?secret|secret|private[_-]?key)(\\?"?\s*[:=]\s*(?:<[^<>"]{1,40}>)?\\?"?)[^"\\&,;\s}\]<>]+`)
	// userinfo is the user:password part of a URL.
	userinfo = regexp.MustCompile(`(://)[^/\s:@"]+:[^/\s@"]+@`)
)

// scrubSecret removes credentials from one string. Each pattern runs only when a cheap test
// says it may match.
func scrubSecret(s string) string {
	if s == "" {
		return s
	}
	lower := strings.ToLower(s)
	if strings.Contains(lower, "authorization") {
		s = authHeader.ReplaceAllString(s, "${1}"+Redacted)
	}
	if strings.Contains(lower, "basic") || strings.Contains(lower, "bearer") {
		s = authScheme.ReplaceAllString(s, "${1} "+Redacted)
	}
	if strings.Contains(lower, "key") || strings.Contains(lower, "passw") || strings.Contains(lower, "secret") {
		s = secretField.ReplaceAllString(s, "${1}${2}"+Redacted)
	}
	if strings.Contains(s, "://") {
		s = userinfo.ReplaceAllString(s, "${1}"+Redacted+"@")
	}
	return scrubEncodedCredentials(s)
}

// scrubEncodedCredentials replaces each run of base64 characters (8 or more, with its
// padding) that decodes to a credential.
func scrubEncodedCredentials(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !isBase64Char(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isBase64Char(s[j]) {
			j++
		}
		end := j
		for k := 0; k < 2 && end < len(s) && s[end] == '='; k++ {
			end++
		}
		if j-i >= 8 && encodedCredential(s[i:end]) {
			b.WriteString(s[last:i])
			b.WriteString(Redacted)
			last = end
		}
		i = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isBase64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// encodedCredential reports whether tok is base64 of printable "user:password" or "key:".
func encodedCredential(tok string) bool {
	if len(tok)%4 != 0 {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || len(b) < 4 {
		return false
	}
	colon := strings.IndexByte(string(b), ':')
	if colon <= 0 {
		return false
	}
	for _, c := range string(b) {
		if !unicode.IsPrint(c) || c == ' ' {
			return false
		}
	}
	return true
}

// scrubSecrets removes credentials from every string of r.
func scrubSecrets(r *Run) { mapStrings(r, scrubSecret) }

// RedactFindings masks customer data in findings a command prints (jpcheck validate): the
// same rules as Redact, for findings that are not part of a run.
func RedactFindings(fs []contracts.Finding) []contracts.Finding {
	if len(fs) == 0 {
		return fs
	}
	r := &Run{Findings: make([]Finding, len(fs))}
	for i, f := range fs {
		r.Findings[i] = Finding{Pointer: f.Pointer, Rule: f.Rule, Severity: f.Severity, Message: f.Message, Expected: f.Expected, Actual: f.Actual}
	}
	masked := Redact(r).Findings
	out := make([]contracts.Finding, len(fs))
	for i, f := range fs {
		m := masked[i]
		f.Message, f.Expected, f.Actual = m.Message, m.Expected, m.Actual
		out[i] = f
	}
	return out
}
