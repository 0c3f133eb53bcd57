//go:build !linux

package mock

import "testing"

// nodeSDKInNamespace needs Linux's user and network namespaces; elsewhere the test binds the
// machine's own port 443.
func nodeSDKInNamespace(*testing.T, string) bool { return false }

func loopbackUp() error { return nil }
