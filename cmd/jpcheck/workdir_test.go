package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// jpcheck works from any directory: libopenapi once took a working directory whose name has an
// extension (a runner's tmp.x1Yz, a checkout named repo.git) for a file and failed to resolve
// every reference of the embedded specs.
func TestRunsFromADirectoryWithAnExtension(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "checkout.repo")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := conformBinary(t)
	exported := filepath.Join(dir, "exported.specs")
	for _, args := range [][]string{
		{"version"},
		{"specs", "lint"},
		{"specs", "export", exported},
		{"diff", "embedded", exported},
	} {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = cleanEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("jpcheck %v in %s: %v\n%s", args, dir, err, clipOut(string(out)))
		}
	}
}
