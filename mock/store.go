package mock

import (
	"bytes"
	"encoding/json"
	"sync"
)

// store holds the orders. Each order keeps its JSON body ready, re-encoded on every change,
// so GET /orders/{id} (the load-test path) costs a map lookup and a write.
type store struct {
	mu     sync.RWMutex
	orders map[string]*order
	txns   map[string]string // txn_id → order_id
	// mandates and notifications (mandates.go) live under the same lock as the orders that
	// register and debit them, so an order and its mandate always change together.
	mandates      map[string]*mandate
	notifications map[string]*notification
	notifSeq      int
}

type order struct {
	doc     map[string]any
	body    []byte
	refunds map[string]bool    // unique_request_ids seen
	txnLeft map[string]float64 // txn_id → refundable amount left, once a refund touched it
	txnSeq  int
	// mandateOpts are the mandate options of an order created with options.create_mandate;
	// nil for every other order.
	mandateOpts *mandateOptions
}

func newStore() *store {
	return &store{orders: map[string]*order{}, txns: map[string]string{}, mandates: map[string]*mandate{}, notifications: map[string]*notification{}}
}

// body returns the order's JSON.
func (st *store) body(id string) ([]byte, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	o, ok := st.orders[id]
	if !ok {
		return nil, false
	}
	return o.body, true
}

// update runs f on the order under the write lock and re-encodes it. f returns false to
// leave the order unchanged (it must not have modified it then).
func (st *store) update(id string, f func(o *order) bool) (found bool, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	o, ok := st.orders[id]
	if !ok {
		return false, nil
	}
	if f(o) {
		err = o.encode()
	}
	return true, err
}

// put adds an order unless one with the same id exists; it reports whether it was added.
func (st *store) put(id string, doc map[string]any) (bool, error) {
	return st.insert(id, &order{doc: doc})
}

// insert adds o under id unless an order with that id exists; it reports whether it was added.
func (st *store) insert(id string, o *order) (bool, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.orders[id]; ok {
		return false, nil
	}
	o.refunds, o.txnLeft = map[string]bool{}, map[string]float64{}
	if err := o.encode(); err != nil {
		return false, err
	}
	st.orders[id] = o
	for _, t := range txnIDs(o.doc) {
		st.txns[t] = id
	}
	return true, nil
}

func (o *order) encode() error {
	b, err := json.Marshal(o.doc)
	if err != nil {
		return err
	}
	o.body = b
	return nil
}

// snapshot returns a deep copy of the order document as it is now (the cached body is only
// re-encoded after an update), for webhooks sent after the lock is released.
func (o *order) snapshot() map[string]any {
	b, err := json.Marshal(o.doc)
	if err != nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var cp map[string]any
	dec.Decode(&cp)
	return cp
}

func txnIDs(doc map[string]any) []string {
	var ids []string
	if t, ok := doc["txn_id"].(string); ok && t != "" {
		ids = append(ids, t)
	}
	if list, ok := doc["txn_list"].([]any); ok {
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				if t, ok := m["txn_id"].(string); ok {
					ids = append(ids, t)
				}
			}
		}
	}
	return ids
}
