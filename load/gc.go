package load

import (
	"os"
	"runtime"
	"runtime/debug"
)

// An unthrottled run allocates tens of kilobytes of short-lived garbage per request (net/http's
// request and response, the body buffer), while what it keeps (the pool, the histograms, the
// bounded validation cache and queue) is a few megabytes. Under the default GOGC the heap goal
// is twice that small live heap, so the collector runs many times a second and takes a fifth
// of the generator's CPU. With Config.TuneGC the run replaces the proportional goal with a
// fixed headroom over the live heap measured once the blueprints are built: the collector
// runs once per gcHeadroom of garbage, and the process stays bounded (about live + headroom)
// however long the run. Settings the user chose (GOGC, GOMEMLIMIT) are left alone.
const gcHeadroom = 64 << 20

// tuneGC applies the headroom and returns the function that restores the previous settings.
func tuneGC() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	// The limit counts all the runtime's memory (stacks, spans, metadata), not just the heap.
	limit := int64(ms.Sys-ms.HeapReleased) + gcHeadroom
	oldLimit := debug.SetMemoryLimit(limit)
	oldPercent := debug.SetGCPercent(-1)
	return func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	}
}
