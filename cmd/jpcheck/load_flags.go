package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/jpcheck/jpcheck/load"
)

// Bounds on the order-id pool, so a wrong file (a log, a binary) is a clear error rather than
// a run over garbage.
const (
	maxOrderIDBytes   = 128
	maxOrderIDs       = 100_000
	maxOrderFileBytes = 8 << 20
)

// orderIDsFlag is --order-id, repeatable: each value is one order id.
type orderIDsFlag struct{ ids []string }

func (f *orderIDsFlag) String() string { return strings.Join(f.ids, ",") }
func (f *orderIDsFlag) Type() string   { return "ID" }

func (f *orderIDsFlag) Set(s string) error {
	id, err := checkOrderID(s)
	if err != nil {
		return err
	}
	if len(f.ids) >= maxOrderIDs {
		return fmt.Errorf("more than %d order ids", maxOrderIDs)
	}
	f.ids = append(f.ids, id)
	return nil
}

// checkOrderID accepts an id that fits in a URL path segment once escaped and in a log line:
// no spaces or control characters, at most maxOrderIDBytes.
func checkOrderID(s string) (string, error) {
	id := strings.TrimSpace(s)
	switch {
	case id == "":
		return "", errors.New("empty order id")
	case len(id) > maxOrderIDBytes:
		return "", fmt.Errorf("order id %.20q… is longer than %d bytes", id, maxOrderIDBytes)
	case strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar }) >= 0:
		return "", fmt.Errorf("order id %q has a space, a control character or invalid UTF-8", id)
	}
	return id, nil
}

// rampFlag is --ramp FROM:TO:STEP[:DURATION], read by load.ParseRamp.
type rampFlag struct{ ramp *load.Ramp }

func (f *rampFlag) Type() string { return "FROM:TO:STEP[:D]" }

func (f *rampFlag) String() string {
	if f.ramp == nil {
		return ""
	}
	r := *f.ramp
	s := fmt.Sprintf("%g:%g:%g", r.From, r.To, r.Step)
	if r.StepDuration > 0 {
		s += ":" + r.StepDuration.String()
	}
	return s
}

func (f *rampFlag) Set(s string) error {
	r, err := load.ParseRamp(s)
	if err != nil {
		return err
	}
	f.ramp = &r
	return nil
}

// rampSteps is the number of rates a ramp holds and how long the whole ramp lasts, given the
// run's duration when the ramp names no step duration.
func rampSteps(r load.Ramp, runDuration time.Duration) (steps int, total time.Duration) {
	steps = len(r.Rates())
	if r.StepDuration > 0 {
		return steps, time.Duration(steps) * r.StepDuration
	}
	return steps, runDuration
}

// readOrderIDs reads --order-ids: one order id per line; blank lines and comments (from a #
// at the start of a line or after a space) are skipped.
func readOrderIDs(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, unwrapPathErr(err)
	}
	defer f.Close()
	return parseOrderIDs(f)
}

func parseOrderIDs(r io.Reader) ([]string, error) {
	sc := bufio.NewScanner(io.LimitReader(r, maxOrderFileBytes+1))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	var ids []string
	read, line := 0, 0
	for sc.Scan() {
		line++
		read += len(sc.Bytes()) + 1
		if read > maxOrderFileBytes+1 {
			return nil, fmt.Errorf("larger than %d bytes", maxOrderFileBytes)
		}
		text := sc.Text()
		if i := commentStart(text); i >= 0 {
			text = text[:i]
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		id, err := checkOrderID(text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		if len(ids) == maxOrderIDs {
			return nil, fmt.Errorf("more than %d order ids", maxOrderIDs)
		}
		ids = append(ids, id)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d is too long for an order id", line+1)
		}
		return nil, err
	}
	if read > maxOrderFileBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxOrderFileBytes)
	}
	if len(ids) == 0 {
		return nil, errors.New("no order id in the file")
	}
	return ids, nil
}

// commentStart is the index of a comment's #: at the start of the line or after a space, so
// an id that contains # (unusual, but URL-escaped it works) survives.
func commentStart(s string) int {
	for i, r := range s {
		if r == '#' && (strings.TrimSpace(s[:i]) == "" || s[i-1] == ' ' || s[i-1] == '\t') {
			return i
		}
	}
	return -1
}

// dedupe keeps the first of each id, in order.
func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
