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
