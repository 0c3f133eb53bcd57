// Package jwe is the merchant's side of Juspay's V4 encrypted APIs (facts § 2): it seals a
// request payload as a JWS (RS256, the merchant's private key) inside a JWE (RSA-OAEP or
// RSA-OAEP-256 key wrap to Juspay's public key, A256GCM, the key id as kid in both headers),
// in either wire shape, and opens a response the other way round (decrypt with the merchant's
// key, verify with Juspay's). It also reads the RSA keys from PEM.
//
// It must not do I/O (no network, no files: callers pass PEM bytes), hold global state, log or
// return key material or plaintext in errors, or panic on any body a target sends: every
// failure is an error that names the step that failed. It is the client only; the reference
// server's side lives in mock/v4.go and is deliberately a separate implementation, so the two
// can check each other.
package jwe
