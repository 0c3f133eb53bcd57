package load

import (
	"runtime/debug"
	"testing"
)

func TestTuneGCRestores(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	restore := tuneGC()
	during := debug.SetGCPercent(-1) // reads the setting; -1 is what tuneGC set
	limit := debug.SetMemoryLimit(-1)
	restore()
	if during != -1 || limit <= gcHeadroom {
		t.Errorf("during the run: GC percent %d, memory limit %d; want -1 and more than %d", during, limit, gcHeadroom)
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
