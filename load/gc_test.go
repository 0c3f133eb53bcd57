package load

import (
	"runtime/debug"
	"testing"
)

// The collector stays on under the tuning: a proportional GOGC above the default, no memory
// limit imposed, and both restored after the run.
func TestTuneGCRestores(t *testing.T) {
	t.Setenv("GOGC", "")
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	limitBefore := debug.SetMemoryLimit(-1)
	restore := tuneGC()
	during := debug.SetGCPercent(-1) // reads the setting (and turns it off until restore)
	debug.SetGCPercent(during)
	limit := debug.SetMemoryLimit(-1)
	restore()
	if during <= 100 || during > maxGCPercent {
		t.Errorf("GC percent during the run = %d, want on and in (100, %d]", during, maxGCPercent)
	}
	if limit != limitBefore {
		t.Errorf("memory limit during the run = %d, want the user's ceiling %d untouched", limit, limitBefore)
	}
	if after := debug.SetGCPercent(100); after != 100 {
		t.Errorf("GC percent after restore = %d, want 100", after)
	}
}

func TestTuneGCLeavesUserSettings(t *testing.T) {
	t.Setenv("GOGC", "200")
	before := debug.SetGCPercent(150)
	defer debug.SetGCPercent(before)
	restore := tuneGC()
	defer restore()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("GC percent with GOGC set = %d, want it untouched (150)", got)
	}
}
