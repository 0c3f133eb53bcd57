package contracts

import (
	"net/url"
	"strings"
	"time"
)

// Formats are checked on non-empty strings only: Juspay sends "" for a field that was not
// passed ("Empty in case its not passed"), and that is not a malformed value.

var formats = map[string]struct {
	want  string
	check func(string) bool
}{
	"date-time":     {"an RFC 3339 date-time such as 2021-11-09T16:19:55Z", isDateTime},
	"epoch-seconds": {"seconds since 1970 as a decimal string such as 1752043284", isEpochSeconds},
	"email":         {"an email address", isEmail},
	"uri":           {"an absolute URI", isURI},
	// The payment domain's shapes (domain.go).
	"card-expiry-month": {"a card expiry month 01-12", reExpiryMonth.MatchString},
	"card-expiry-year":  {"a four-digit card expiry year such as 2027", reExpiryYear.MatchString},
	"last-four-digits":  {"the card's last four digits, or empty", reLastFour.MatchString},
	"card-isin":         {"a card isin (BIN) of 6-8 digits", reCardISIN.MatchString},
	"iso-4217":          {"an ISO 4217 currency code such as INR", isCurrency},
	"ifsc":              {"an IFSC such as HDFC0001961 (4 letters, 0, 6 letters or digits)", reIFSC.MatchString},
	"vpa":               {"a UPI VPA such as name@handle", reVPA.MatchString},
	"indian-mobile":     {"a 10-digit Indian mobile number such as 9876543210", reIndianMobile.MatchString},
}

// formatSources names where each domain shape comes from; findings add it to the field's source.
var formatSources = map[string]string{
	"card-expiry-month": "card networks: expiry month MM (Order Status API § API Responses › 200 › card › Expiry_month samples)",
	"card-expiry-year":  "Order Status API § API Responses › 200 › card › Expiry_year samples (four digits)",
	"last-four-digits":  "PCI DSS 3.4 (the last four digits of the PAN)",
	"card-isin":         "ISO/IEC 7812 issuer identification number (6 or 8 digits)",
	"iso-4217":          "Webhooks § Mandate Object Parameters › currency (ISO string of the currency); ISO 4217",
	"ifsc":              "RBI Indian Financial System Code (Order Status API § Debit + Enach sample ifsc HDFC0001961)",
	"vpa":               "NPCI UPI virtual payment address name@handle (Order Status API § Sample Response › UPI payer_vpa)",
	"indian-mobile":     "TRAI numbering plan: 10-digit mobile numbers starting 6-9",
}

func knownFormat(f string) bool { _, ok := formats[f]; return ok }

func checkFormat(f, s string) (bool, string) {
	spec, ok := formats[f]
	if !ok {
		return true, ""
	}
	return spec.check(s), spec.want
}

func isDateTime(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

func isEpochSeconds(s string) bool {
	if len(s) == 0 || len(s) > 11 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(s, " \t\r\n<>()[],;:\\\"") || strings.Contains(domain, "@") {
		return false
	}
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

func isURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "")
}
