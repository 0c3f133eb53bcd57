package mock

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
)

// The helpers every test file in this package shares: one mock behind a loopback server, one
// merchant request, one strict check.

// testAuth is the Authorization header for DefaultAPIKey as the docs build it: base64 of the
// key and a colon, the password being empty.
var testAuth = "Basic " + base64.StdEncoding.EncodeToString([]byte(DefaultAPIKey+":"))

// strictOptions is the profile every body the mock sends must pass.
var strictOptions = contracts.Options{Profile: contracts.ProfileStrict}

// testServer starts a mock for cfg behind a loopback HTTP server; the test's cleanup closes
// both, so background work (webhook deliveries) ends with the test.
func testServer(t testing.TB, cfg Config) (*Server, *httptest.Server) {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(func() { srv.Close(); s.Close() })
	return s, srv
}

// testResponse is what a test reads back: the status code and the whole body.
type testResponse struct {
	code int
	body []byte
}

// testRequest sends one API call as a merchant does: Basic auth with DefaultAPIKey and
// x-merchantid merchant_test. A body of type url.Values is sent form-encoded; a string or
// []byte is sent as is and any other value marshalled, both as JSON. hdr is applied last, ""
// deleting a header, so a test can send another content type, key or merchant id, or none.
func testRequest(t testing.TB, srv *httptest.Server, method, path string, body any, hdr map[string]string) testResponse {
	t.Helper()
	r, err := sendRequest(srv, method, path, body, hdr)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sendRequest is testRequest for goroutines, which must not call t.Fatal.
func sendRequest(srv *httptest.Server, method, path string, body any, hdr map[string]string) (testResponse, error) {
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return testResponse{}, err
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		return testResponse{}, err
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Authorization", testAuth)
	req.Header.Set("x-merchantid", "merchant_test")
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		return testResponse{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return testResponse{}, err
	}
	return testResponse{res.StatusCode, b}, nil
}

// requireStrict fails the test unless body validates as kind under the strict profile.
func requireStrict(t testing.TB, s *Server, kind contracts.Kind, body []byte) {
	t.Helper()
	res, err := s.set.Validate(kind, body, strictOptions)
	reportFindings(t, string(kind), res, err)
}

// requireStrictComponent is requireStrict for a schema that is a component of a spec file
// rather than a kind (the V4 envelopes).
func requireStrictComponent(t testing.TB, s *Server, file, component string, body []byte) {
	t.Helper()
	res, err := s.set.ValidateComponent(file, component, body, strictOptions)
	reportFindings(t, component, res, err)
}

// reportFindings fails the test on a validation error and reports every finding, each as its
// own error (not just the first), named by label.
func reportFindings(t testing.TB, label string, res contracts.Result, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	for _, f := range res.Findings {
		t.Errorf("%s %s %s %s: %s", label, f.Pointer, f.Severity, f.Rule, f.Message)
	}
}
