package load

import (
	"io"
	"net/http"
	"time"
)

// vegeta reads a body up to its MaxBody and then drains the rest to reuse the connection: a
// target answering 256 MiB would have every request read it all (and time out doing so). The
// run's client instead ends every body one byte past MaxBodyBytes, enough to tell it too
// large; closing the rest unread drops the connection rather than draining it.

// boundedClient is the client a run sends with: hc's transport (as vegeta's options set it)
// behind a body bound, with the timeout and the no-redirect rule vegeta's options would set.
func boundedClient(hc *http.Client, timeout time.Duration) *http.Client {
	return &http.Client{
		Transport:     boundedTransport{hc.Transport},
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type boundedTransport struct{ next http.RoundTripper }

func (t boundedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &boundedBody{ReadCloser: resp.Body, left: MaxBodyBytes + 1}
	return resp, nil
}

// boundedBody reads at most left bytes, then reports the end.
type boundedBody struct {
	io.ReadCloser
	left int64
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}
