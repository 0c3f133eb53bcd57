package load

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestPoolRequests(t *testing.T) {
	cfg := Config{Target: "http://127.0.0.1:9/base/", APIKey: "key_1", MerchantID: "m_1",
		OrderIDs: []string{"o1", "o/2 x"}, Rate: 1, Duration: time.Second}
	p, err := newPool(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := p.targeter()
	var got []vegeta.Target
	for range 3 {
		var tg vegeta.Target
		if err := tr(&tg); err != nil {
			t.Fatal(err)
		}
		got = append(got, tg)
	}
	for i, want := range []struct{ url, routing string }{
		{"http://127.0.0.1:9/base/orders/o1", "o1"},
		{"http://127.0.0.1:9/base/orders/o%2F2%20x", "o/2 x"},
		{"http://127.0.0.1:9/base/orders/o1", "o1"},
	} {
		tg := got[i]
		if tg.Method != http.MethodGet || tg.URL != want.url || tg.Body != nil {
			t.Errorf("request %d: %s %s", i, tg.Method, tg.URL)
		}
		if tg.Header.Get("X-Routing-Id") != want.routing {
			t.Errorf("request %d: x-routing-id %q, want the order id %q", i, tg.Header.Get("X-Routing-Id"), want.routing)
		}
		if tg.Header.Get("Authorization") != "Basic "+base64.StdEncoding.EncodeToString([]byte("key_1:")) || tg.Header.Get("X-Merchantid") != "m_1" {
			t.Errorf("request %d: headers %v", i, tg.Header)
		}
	}
	// Each request has its own header map.
	got[0].Header.Set("X-Routing-Id", "changed")
	if got[2].Header.Get("X-Routing-Id") != "o1" {
		t.Error("requests share a header map")
	}
	if err := tr(nil); err == nil {
		t.Error("a nil target accepted")
	}

	cfg.RoutingID, cfg.APIKey, cfg.MerchantID = "cust_9", "", ""
	p, err = newPool(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var tg vegeta.Target
	if err := p.targeter()(&tg); err != nil {
		t.Fatal(err)
	}
	if tg.Header.Get("X-Routing-Id") != "cust_9" || tg.Header.Get("Authorization") != "" || tg.Header.Get("X-Merchantid") != "" {
		t.Errorf("a set routing id and no credentials: %v", tg.Header)
	}
}
