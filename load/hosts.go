package load

import (
	"net"
	"net/url"
	"strings"
)

// ProductionHost says whether host (a host name, host:port or URL) is Juspay production, which
// a load test must not hit unasked. Named in the sources (facts § 5, the seeds): api.juspay.in
// (the SDKs' PRODUCTION_BASE_URL) and payments.juspay.in (payment pages). Any other host under
// juspay.in or juspay.io counts too, unless it is a sandbox (sandbox.juspay.in and the
// sandbox.* hosts): an unknown Juspay host is more likely production than not, and a false
// alarm costs a flag where a miss costs someone's production. smartgateway.hdfcbank.com,
// HDFC's Juspay-run gateway, is production by the name of its documented UAT host,
// smartgatewayuat.hdfcbank.com (facts § 2.4), which is not.
func ProductionHost(host string) bool {
	h := strings.ToLower(strings.TrimSpace(host))
	if strings.Contains(h, "://") {
		u, err := url.Parse(h)
		if err != nil {
			return false
		}
		h = u.Host
	}
	if hh, _, err := net.SplitHostPort(h); err == nil {
		h = hh
	}
	h = strings.TrimSuffix(h, ".")
	switch h {
	case "smartgateway.hdfcbank.com":
		return true
	case "smartgatewayuat.hdfcbank.com":
		return false
	}
	for _, zone := range []string{"juspay.in", "juspay.io"} {
		if h == zone || strings.HasSuffix(h, "."+zone) {
			sub := strings.TrimSuffix(h, zone)
			return !(strings.HasPrefix(sub, "sandbox.") || strings.Contains(sub, ".sandbox."))
		}
	}
	return false
}
