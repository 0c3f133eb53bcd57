package mock

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
)

// BenchmarkOrderStatusLoopback serves GET /orders/{id} over loopback with keep-alive, client
// and server on the same machine, and reports requests per second: the mock must never be what
// a load test measures (goal: 20,000 req/s or more on 2 cores).
func BenchmarkOrderStatusLoopback(b *testing.B) {
	_, srv := testServer(b, Config{})
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	url := srv.URL + "/orders/JP1636474794"
	b.SetParallelism(32) // 64 connections on 2 cores, as a load generator would hold
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", testAuth)
		req.Header.Set("x-merchantid", "bench")
		for pb.Next() {
			res, err := client.Do(req)
			if !benchDrain(b, res, err) {
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkOrderStatusLoopbackRaw is the same measurement with a minimal keep-alive HTTP/1.1
// client (one request in flight per connection, 64 connections), so less of the two cores goes
// to the client and the number says more about the server, as wrk would.
func BenchmarkOrderStatusLoopbackRaw(b *testing.B) {
	_, srv := testServer(b, Config{})
	addr := srv.Listener.Addr().String()
	req := []byte("GET /orders/JP1636474794 HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: " + testAuth +
		"\r\nx-merchantid: bench\r\n\r\n")
	b.SetParallelism(32)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer conn.Close()
		br := bufio.NewReaderSize(conn, 16<<10)
		for pb.Next() {
			if _, err := conn.Write(req); err != nil {
				b.Error(err)
				return
			}
			res, err := http.ReadResponse(br, nil)
			if !benchDrain(b, res, err) {
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// benchDrain reads a response to its end, so the connection is reused, and closes it; it
// reports an error or a status other than 200 and then returns false to stop the caller.
func benchDrain(b *testing.B, res *http.Response, err error) bool {
	if err != nil {
		b.Error(err)
		return false
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		b.Errorf("status %d", res.StatusCode)
		return false
	}
	return true
}
