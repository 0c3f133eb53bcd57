package load

import "testing"

func TestProductionHost(t *testing.T) {
	for _, c := range []struct {
		host string
		want bool
	}{
		{"api.juspay.in", true},
		{"API.Juspay.IN", true},
		{"api.juspay.in:443", true},
		{"api.juspay.in.", true},
		{"https://api.juspay.in/orders/o1", true},
		{"payments.juspay.in", true},
		{"expresscheckout.juspay.in", true}, // unknown Juspay host: assumed production
		{"api.juspay.io", true},
		{"smartgateway.hdfcbank.com", true},
		{"https://smartgateway.hdfcbank.com", true},
		{"sandbox.juspay.in", false},
		{"https://sandbox.juspay.in:443/", false},
		{"sandbox.assets.juspay.in", false},
		{"smartgatewayuat.hdfcbank.com", false},
		{"localhost", false},
		{"127.0.0.1:8080", false},
		{"[::1]:8080", false},
		{"notjuspay.in", false},
		{"juspay.in.example.com", false},
		{"", false},
	} {
		if got := ProductionHost(c.host); got != c.want {
			t.Errorf("ProductionHost(%q) = %v, want %v", c.host, got, c.want)
		}
	}
}
