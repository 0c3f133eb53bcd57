package load

import (
	"os"
	"runtime"
	"runtime/debug"
)

// An unthrottled run allocates tens of kilobytes of short-lived garbage per request (net/http's
// request and response, the body buffer), while what it keeps (the pool, the histograms, the
// bounded validation cache and queue) is a few megabytes. Under the default GOGC (100) the heap
// goal is twice that small live heap, so the collector runs many times a second and takes a
// fifth of the generator's CPU. With Config.TuneGC the run raises GOGC so that the heap goal
// starts about gcHeadroom over the live heap measured once the blueprints are built. The
// collector stays on and proportional: should the live heap grow (a long run, a large pool),
// the goal grows with it rather than the collector thrashing against a fixed limit. The memory
// limit is only a ceiling: the user's GOMEMLIMIT when set (the collector then works harder near
// it, as Go intends), else none. A user's GOGC is left alone.
const (
	gcHeadroom   = 64 << 20
	maxGCPercent = 3200 // 32 MB of live heap or less gets the whole headroom; more, proportionally less
)

// tuneGC applies the proportional setting and returns the function that restores the previous.
func tuneGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	live := max(int64(ms.HeapAlloc), 1<<20)
	percent := int(min(max(100*gcHeadroom/live, 100), maxGCPercent))
	old := debug.SetGCPercent(percent)
	return func() { debug.SetGCPercent(old) }
}
