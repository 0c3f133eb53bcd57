package reports

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteJSON writes the run as one indented JSON document.
func WriteJSON(w io.Writer, r *Run) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Messages quote payloads; keep <, > and & readable rather than \u003c.
	enc.SetEscapeHTML(false)
	return enc.Encode(r.normalized())
}

// writeFile writes one rendering of r to path (writeAtomic).
func writeFile(path string, r *Run, write func(io.Writer, *Run) error) error {
	return writeAtomic(path, func(w io.Writer) error { return write(w, r) })
}

// writeAtomic writes path through a temporary file in the same directory, so a failed write
// never leaves half a file where a whole one was.
func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after the rename this removes nothing
	bw := bufio.NewWriter(tmp)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
