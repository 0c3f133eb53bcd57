package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// A hostile target: a server that misbehaves on purpose, in one of the ways a service under
// test breaks. Every mode but refused accepts the connection.
const (
	hostileHang     = "hang"     // accepts, reads, never answers
	hostileReset    = "reset"    // accepts, then resets the connection (RST)
	hostileTrickle  = "trickle"  // answers one byte a second
	hostileGarbage  = "garbage"  // answers bytes that are not HTTP
	hostileHTML     = "html"     // answers 200 with an HTML page
	hostileGzipBomb = "gzipbomb" // answers 200, Content-Encoding gzip, 10 MB inflating to 10 GiB
	hostileHuge     = "huge"     // answers 200 with a 256 MiB JSON body
	hostileNested   = "nested"   // answers 200 with JSON nested 400,000 deep
	hostile500      = "500"      // answers 500 to everything
)

var hostileModes = []string{hostileHang, hostileReset, hostileTrickle, hostileGarbage, hostileHTML,
	hostileGzipBomb, hostileHuge, hostileNested, hostile500}

// hostileServer serves one mode on a loopback port until closed.
type hostileServer struct {
	URL  string
	ln   net.Listener
	mode string
	wg   sync.WaitGroup
	done chan struct{}

	mu    sync.Mutex
	conns map[net.Conn]bool
}

func startHostile(tb testing.TB, mode string) *hostileServer {
	tb.Helper()
	s, err := newHostile(mode, "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

func newHostile(mode, addr string) (*hostileServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &hostileServer{URL: "http://" + ln.Addr().String(), ln: ln, mode: mode, done: make(chan struct{}), conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

func (s *hostileServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			s.serve(c)
		}()
	}
}

// Close stops accepting, drops every connection and waits for the server's goroutines.
func (s *hostileServer) Close() {
	select {
	case <-s.done:
		return
	default:
	}
	close(s.done)
	s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// serve speaks the mode on one connection, request after request.
func (s *hostileServer) serve(c net.Conn) {
	br := bufio.NewReader(c)
	switch s.mode {
	case hostileHang:
		io.Copy(io.Discard, br) // until the client or Close drops the connection
		return
	case hostileReset:
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0) // close sends RST
		}
		return
	}
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		io.Copy(io.Discard, io.LimitReader(req.Body, 1<<20))
		req.Body.Close()
		if !s.answer(c) {
			return
		}
	}
}

// answer writes one answer; false closes the connection.
func (s *hostileServer) answer(c net.Conn) bool {
	switch s.mode {
	case hostileTrickle:
		const resp = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n{\"status\":\"CHARGED\",\"order_id\":\"o1\",\"amount\":1.00,\"id\":\"o\"}   "
		for i := range len(resp) {
			if _, err := c.Write([]byte{resp[i]}); err != nil {
				return false
			}
			select {
			case <-s.done:
				return false
			case <-time.After(time.Second):
			}
		}
		return true
	case hostileGarbage:
		c.Write([]byte("\x00\x17\xfe\xffSSH-2.0-garbage \x01\x02\x03\r\n\r\nnot http at all\r\n"))
		return false
	case hostileHTML:
		return writeResponse(c, 200, "text/html; charset=utf-8", "", strings.NewReader(
			"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"))
	case hostileGzipBomb:
		return writeResponse(c, 200, "application/json", "gzip", bytes.NewReader(gzipBomb()))
	case hostileHuge:
		return writeResponse(c, 200, "application/json", "", hugeJSON(256<<20))
	case hostileNested:
		const depth = 400_000
		return writeResponse(c, 200, "application/json", "", strings.NewReader(strings.Repeat("[", depth)+strings.Repeat("]", depth)))
	case hostile500:
		return writeResponse(c, 500, "application/json", "", strings.NewReader(`{"status":"error","error_code":"internal_error","error_message":"Internal Server Error"}`))
	}
	panic("unknown hostile mode " + s.mode)
}

// writeResponse writes a whole HTTP/1.1 answer with a chunked body.
func writeResponse(c net.Conn, status int, ctype, encoding string, body io.Reader) bool {
	h := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n", status, http.StatusText(status), ctype)
	if encoding != "" {
		h += "Content-Encoding: " + encoding + "\r\n"
	}
	if _, err := io.WriteString(c, h+"\r\n"); err != nil {
		return false
	}
	cw := &chunkedWriter{w: c}
	if _, err := io.CopyBuffer(cw, body, make([]byte, 64<<10)); err != nil {
		return false
	}
	_, err := io.WriteString(c, "0\r\n\r\n")
	return err == nil
}

type chunkedWriter struct{ w io.Writer }

func (cw *chunkedWriter) Write(p []byte) (int, error) {
	if _, err := fmt.Fprintf(cw.w, "%x\r\n", len(p)); err != nil {
		return 0, err
	}
	if _, err := cw.w.Write(p); err != nil {
		return 0, err
	}
	_, err := io.WriteString(cw.w, "\r\n")
	return len(p), err
}

var bomb struct {
	once sync.Once
	b    []byte
}

// gzipBomb is a gzip stream of about 10 MB that inflates to 10 GiB of spaces: 160 members
// of 64 MiB each (a gzip reader reads concatenated members as one stream).
func gzipBomb() []byte {
	bomb.once.Do(func() {
		var member bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
		chunk := bytes.Repeat([]byte{' '}, 1<<20)
		for range 64 {
			zw.Write(chunk)
		}
		zw.Close()
		bomb.b = bytes.Repeat(member.Bytes(), 160)
	})
	return bomb.b
}

// hugeJSON is a well-formed JSON array of about n bytes, made as it is read.
func hugeJSON(n int) io.Reader {
	const item = `{"order_id":"o1","status":"CHARGED"},`
	block := strings.Repeat(item, (64<<10)/len(item))
	parts := []io.Reader{strings.NewReader("[")}
	for range n / len(block) {
		parts = append(parts, strings.NewReader(block))
	}
	return io.MultiReader(append(parts, strings.NewReader(`{}]`))...)
}

// TestHostileServe serves one hostile mode until killed, for measuring the binary by hand
// (docs/development.md): JPCHECK_HOSTILE_SERVE=MODE@HOST:PORT go test ./cmd/jpcheck -run TestHostileServe.
func TestHostileServe(t *testing.T) {
	spec := os.Getenv("JPCHECK_HOSTILE_SERVE")
	if spec == "" {
		t.Skip("serves a hostile target by hand: set JPCHECK_HOSTILE_SERVE=MODE@HOST:PORT")
	}
	mode, addr, _ := strings.Cut(spec, "@")
	s, err := newHostile(mode, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fmt.Fprintf(os.Stderr, "serving %s at %s\n", mode, s.URL)
	select {}
}
