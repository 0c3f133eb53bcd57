package suites

import (
	"errors"

	"github.com/jpcheck/jpcheck/jwe"
)

// The client side of the V4 encrypted order status lives in package jwe, shared with load:
// the suites only turn the fixtures' keys into a jwe.Client.

// newV4Client reads the fixtures' V4 keys.
func newV4Client(k *V4Keys) (*jwe.Client, error) {
	if k == nil {
		return nil, errors.New("v4: no keys")
	}
	return jwe.NewClient(jwe.Keys{KeyID: k.KeyID, MerchantPrivatePEM: k.MerchantPrivatePEM, JuspayPublicPEM: k.JuspayPublicPEM})
}
