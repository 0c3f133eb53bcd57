package load

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/jpcheck/jpcheck/jwe"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Endpoints, as a Result names them.
const (
	EndpointOrderStatus   = "GET /orders/{order_id}"
	EndpointV4OrderStatus = "POST /v4/order-status"
)

// v4Seal is how load seals V4 requests: the Node SDK's form (Shape A, RSA-OAEP key wrap, the
// inner JWS in JSON form), the one most merchants' clients send.
var v4Seal = jwe.SealOptions{Shape: jwe.ShapeA, KeyAlg: jose.RSA_OAEP, JSONJWS: true}

// pool is the order ids as request blueprints: one URL (or sealed V4 body) per order and the
// headers every request shares. Requests differ only in x-routing-id when it is the order id,
// so a Target's header map is made per request rather than kept per order: a pool of a
// million ids costs its strings, not a million maps.
type pool struct {
	method  string
	urls    []string   // per order (one shared URL for V4)
	bodies  [][]byte   // per order, V4 only
	routing [][]string // per order x-routing-id value, nil when one id is shared
	common  http.Header
	next    atomic.Uint64
}

// newPool builds the blueprints, sealing each order's V4 body once (on every core: an RSA
// signature each).
func newPool(ctx context.Context, cfg Config, v4 *jwe.Client) (*pool, error) {
	base := strings.TrimSuffix(cfg.Target, "/")
	p := &pool{method: http.MethodGet, common: http.Header{}}
	if cfg.APIKey != "" {
		p.common.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cfg.APIKey+":")))
	}
	if cfg.MerchantID != "" {
		p.common.Set("X-Merchantid", cfg.MerchantID)
	}
	p.common.Set("Accept", "application/json")
	if cfg.RoutingID != "" {
		p.common.Set("X-Routing-Id", cfg.RoutingID)
	} else {
		p.routing = make([][]string, len(cfg.OrderIDs))
		for i, id := range cfg.OrderIDs {
			p.routing[i] = []string{id}
		}
	}
	if v4 == nil {
		p.urls = make([]string, len(cfg.OrderIDs))
		for i, id := range cfg.OrderIDs {
			p.urls[i] = base + "/orders/" + url.PathEscape(id)
		}
		return p, nil
	}
	p.method = http.MethodPost
	p.urls = []string{base + "/v4/order-status"}
	p.common.Set("Content-Type", "application/json")
	p.bodies = make([][]byte, len(cfg.OrderIDs))
	if err := sealAll(ctx, v4, cfg.OrderIDs, p.bodies); err != nil {
		return nil, err
	}
	return p, nil
}

func sealAll(ctx context.Context, c *jwe.Client, ids []string, bodies [][]byte) error {
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ids) || ctx.Err() != nil {
					return
				}
				payload, err := json.Marshal(map[string]string{"order_id": ids[i]})
				if err == nil {
					bodies[i], err = c.Seal(payload, v4Seal)
				}
				if err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("sealing the v4 request for order %q: %w", ids[i], err) })
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// size is the number of orders.
func (p *pool) size() int { return max(len(p.urls), len(p.bodies)) }

// targeter is a round-robin Targeter over the pool, safe for concurrent use. The header map
// is fresh per request; its value slices are shared, which is safe because vegeta copies
// them into the request.
func (p *pool) targeter() vegeta.Targeter {
	n := uint64(p.size())
	return func(t *vegeta.Target) error {
		if t == nil {
			return vegeta.ErrNilTarget
		}
		i := (p.next.Add(1) - 1) % n
		h := make(http.Header, len(p.common)+1)
		for k, v := range p.common {
			h[k] = v
		}
		if p.routing != nil {
			h["X-Routing-Id"] = p.routing[i]
		}
		*t = vegeta.Target{Method: p.method, URL: p.urls[min(i, uint64(len(p.urls)-1))], Header: h}
		if p.bodies != nil {
			t.Body = p.bodies[i]
		}
		return nil
	}
}
