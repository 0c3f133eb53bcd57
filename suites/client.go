package suites

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
)

// MaxResponseBytes bounds a response body read from the target: the contracts' own limit, so
// anything larger is reported as too large rather than read without end.
const MaxResponseBytes = contracts.MaxPayloadBytes

// DefaultRequestTimeout bounds one request to the target.
const DefaultRequestTimeout = 10 * time.Second

// ErrUnreachable is returned by Probe when no connection can be made to the target.
var ErrUnreachable = errors.New("target unreachable")

// Request is one call to the target. Auth is Basic with the configured key unless APIKey
// overrides it or NoAuth is set.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Form   url.Values // sent as application/x-www-form-urlencoded
	JSON   []byte     // sent as application/json
	Header http.Header
	APIKey string
	NoAuth bool
}

// Response is what the target answered; SatisfyContract checks its body.
type Response struct {
	// Request names the call, "GET /orders/o1", in findings and failure messages.
	Request string
	Status  int
	Header  http.Header
	Body    []byte
	check   *checker
}

// client calls the target with the configured credentials.
type client struct {
	base       *url.URL
	apiKey     string
	merchantID string
	http       *http.Client
	check      *checker
	health     *health // nil: every request is sent
}

func newClient(target, apiKey, merchantID string, hc *http.Client, timeout time.Duration, c *checker) (*client, error) {
	u, err := parseTarget(target)
	if err != nil {
		return nil, err
	}
	if hc == nil {
		hc = &http.Client{Transport: ownTransport()}
	}
	if timeout <= 0 {
		timeout = DefaultRequestTimeout
	}
	copied := *hc
	copied.Timeout = timeout
	// A redirect is the target's answer; following it would check some other endpoint.
	copied.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &client{base: u, apiKey: apiKey, merchantID: merchantID, http: &copied, check: c}, nil
}

// ownTransport is a transport of the run's own, so its idle connections (and their
// goroutines) end with the run rather than living on in http.DefaultTransport.
func ownTransport() *http.Transport {
	return http.DefaultTransport.(*http.Transport).Clone()
}

func parseTarget(target string) (*url.URL, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("target %q is not an http(s) URL", target)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// do sends req and reads the whole (bounded) response.
func (c *client) do(ctx context.Context, req Request) (*Response, error) {
	u := *c.base
	p, rawQuery, _ := strings.Cut(req.Path, "?")
	u.Path += p
	q, _ := url.ParseQuery(rawQuery)
	for k, vs := range req.Query {
		q[k] = append(q[k], vs...)
	}
	u.RawQuery = q.Encode()
	var body io.Reader
	ctype := ""
	switch {
	case req.Form != nil:
		body, ctype = strings.NewReader(req.Form.Encode()), "application/x-www-form-urlencoded"
	case req.JSON != nil:
		body, ctype = bytes.NewReader(req.JSON), "application/json"
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, u.String(), body)
	if err != nil {
		return nil, err
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	if ctype != "" && hr.Header.Get("Content-Type") == "" {
		hr.Header.Set("Content-Type", ctype)
	}
	if c.merchantID != "" && hr.Header.Get("x-merchantid") == "" {
		hr.Header.Set("x-merchantid", c.merchantID)
	}
	if !req.NoAuth {
		key := c.apiKey
		if req.APIKey != "" {
			key = req.APIKey
		}
		hr.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(key+":")))
	}
	name := req.Method + " " + req.Path
	if len(req.Query) > 0 {
		name += "?" + req.Query.Encode()
	}
	if c.health != nil {
		if why := c.health.down(); why != "" {
			return nil, fmt.Errorf("%s: %w: %s", name, ErrTargetDown, why)
		}
	}
	data, status, header, err := c.send(hr)
	if c.health != nil {
		switch {
		case !unanswered(err):
			c.health.answered()
		case c.health.down() != "":
			// The run ended (budget, interrupt) while this request waited: say so, not the
			// cancellation it caused.
			return nil, fmt.Errorf("%s: %w: %s", name, ErrTargetDown, c.health.down())
		default:
			c.health.missed(fmt.Sprintf("%s: %s", name, oneLine(err.Error())))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &Response{Request: name, Status: status, Header: header, Body: data, check: c.check}, nil
}

// send sends hr and reads the whole answer, at most MaxResponseBytes of it after any
// decompression: a body over the bound (a 256 MiB answer, a gzip bomb) is refused as
// errTooLarge having held no more than the bound.
func (c *client) send(hr *http.Request) ([]byte, int, http.Header, error) {
	resp, err := c.http.Do(hr)
	if err != nil {
		return nil, 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, 0, nil, fmt.Errorf("reading the response: %w", err)
	}
	if len(data) > MaxResponseBytes {
		return nil, 0, nil, fmt.Errorf("%w: larger than %d bytes", errTooLarge, MaxResponseBytes)
	}
	return data, resp.StatusCode, resp.Header, nil
}

// ErrNoAnswer is returned by Probe when the target accepts connections but sends no HTTP
// answer: it hangs, resets the connection, or speaks something that is not HTTP.
var ErrNoAnswer = errors.New("target accepts connections but gives no HTTP answer")

// Probe reports ErrUnreachable when target accepts no connection (refused, no route, unknown
// host), and ErrNoAnswer when it accepts one but gives no HTTP answer within timeout (0 is
// DefaultRequestTimeout). Any HTTP answer, even an error status, means it is reachable: the
// specs judge the answers.
func Probe(ctx context.Context, target string, hc *http.Client, timeout time.Duration) error {
	u, err := parseTarget(target)
	if err != nil {
		return err
	}
	if hc == nil {
		hc = &http.Client{Transport: ownTransport()}
		defer hc.CloseIdleConnections()
	}
	if timeout <= 0 {
		timeout = DefaultRequestTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String()+"/", nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	switch {
	case err == nil:
		resp.Body.Close() // the status line is the answer: the body, however large or slow, is not read
		return nil
	case dialFailed(err):
		return fmt.Errorf("%w: %s", ErrUnreachable, oneLine(err.Error()))
	}
	return fmt.Errorf("%w: %s", ErrNoAnswer, oneLine(err.Error()))
}
