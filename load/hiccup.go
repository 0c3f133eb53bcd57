package load

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// hiccupInterval is how long the hiccup meter sleeps each time.
const hiccupInterval = time.Millisecond

// hiccupMeter measures the process's stalls as jHiccup does: a goroutine sleeps a fixed
// interval again and again and records how much later than asked it woke. A stall there (GC,
// the scheduler, a starved CPU) also delays reading answers, which send lag cannot see.
type hiccupMeter struct {
	quit chan struct{}
	done chan *hdrhistogram.Histogram
}

func startHiccupMeter() *hiccupMeter {
	m := &hiccupMeter{quit: make(chan struct{}), done: make(chan *hdrhistogram.Histogram, 1)}
	go func() {
		h := newHistogram()
		t := time.NewTimer(hiccupInterval)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-m.quit:
				m.done <- h
				return
			case <-t.C:
				now := time.Now()
				record(h, max(now.Sub(last)-hiccupInterval, 0))
				last = time.Now()
				t.Reset(hiccupInterval)
			}
		}
	}()
	return m
}

// stop ends the meter and returns its histogram of wake-up delays.
func (m *hiccupMeter) stop() *hdrhistogram.Histogram {
	close(m.quit)
	return <-m.done
}
