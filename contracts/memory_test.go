package contracts_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"

	"github.com/jpcheck/jpcheck/contracts"
)

// maxPeakRSS is the documented bound for checking the largest payload accepted (docs/validate.md).
const maxPeakRSS = 150 << 20

// tinyObjects builds a payload of just under MaxPayloadBytes: a million {"a":1} objects, as the
// root array or as an order's refunds (each one then misses every required refund field).
func tinyObjects(shape string) []byte {
	const obj = `{"a":1}`
	var head, tail string
	switch shape {
	case "array":
		head, tail = "[", "]"
	case "refunds":
		head, tail = `{"order_id":"o1","amount":1,"status":"CHARGED","refunds":[`, "]}"
	}
	n := (contracts.MaxPayloadBytes - len(head) - len(tail) + 1) / (len(obj) + 1)
	var b bytes.Buffer
	b.Grow(contracts.MaxPayloadBytes)
	b.WriteString(head)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(obj)
	}
	b.WriteString(tail)
	return b.Bytes()
}

// TestPeakMemoryTinyObjects checks the largest payload accepted in a fresh process (this test
// binary, run again) and reads the process's peak resident size from the kernel: memory follows
// the payload, whatever its shape. No clock is read.
func TestPeakMemoryTinyObjects(t *testing.T) {
	if shape := os.Getenv("JPCHECK_PEAK_MEMORY_CHILD"); shape != "" {
		payload := tinyObjects(shape)
		if len(payload) > contracts.MaxPayloadBytes || len(payload) < contracts.MaxPayloadBytes-16 {
			t.Fatalf("payload is %d bytes, want just under %d", len(payload), contracts.MaxPayloadBytes)
		}
		res, err := mustSet(t).Validate(contracts.KindOrderStatus, payload, contracts.Options{Profile: contracts.ProfileStrict})
		if err != nil || res.Valid || len(res.Findings) == 0 {
			t.Fatalf("want findings: %v %d", err, len(res.Findings))
		}
		fmt.Printf("findings %d, last %s\n", len(res.Findings), res.Findings[len(res.Findings)-1].Rule)
		return
	}
	if runtime.GOOS != "linux" {
		t.Skip("peak resident size is read from Linux's rusage (ru_maxrss in KiB)")
	}
	if raceEnabled {
		t.Skip("the race detector multiplies memory; make test runs this test without it")
	}
	for _, shape := range []string{"array", "refunds"} {
		t.Run(shape, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestPeakMemoryTinyObjects$", "-test.count=1")
			cmd.Env = append(os.Environ(), "JPCHECK_PEAK_MEMORY_CHILD="+shape)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			if !ok {
				t.Fatal("no rusage for the child")
			}
			peak := int64(ru.Maxrss) << 10
			t.Logf("%s: peak resident %d MB (%s)", shape, peak>>20, bytes.TrimSpace(bytes.Split(out, []byte("\n"))[0]))
			if peak >= maxPeakRSS {
				t.Errorf("peak resident size %d MB, want under %d MB", peak>>20, maxPeakRSS>>20)
			}
		})
	}
}
