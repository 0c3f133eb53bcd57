package reports

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jpcheck/jpcheck/load"
)

// Shards and history on disk. A sharded run is a set of load --out directories, one per
// shard; a history is a directory of load --out directories, one per run, named by start
// time and run id, pruned to a window. Both are read back as load.Results.

// ReadLoadResult reads the load run in dir (load.json, with load.hdr when the JSON does not
// carry the histogram).
func ReadLoadResult(dir string) (*load.Result, error) {
	r, err := readLoadDir(dir)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("%s: no %s", dir, LoadJSONFile)
	}
	return r.Load, nil
}

// ReadLoadShards reads the shards of dirs: each dir holding a load.json is one, and a dir
// holding none stands for the directories directly inside it that hold a shard of several
// (a run's results directory, with its merged/ and report/ beside the shards).
func ReadLoadShards(dirs []string) (names []string, shards []*load.Result, err error) {
	for _, d := range dirs {
		fi, err := os.Stat(d)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", d, unwrapPathErr(err))
		}
		if !fi.IsDir() {
			return nil, nil, fmt.Errorf("%s: not a directory (give the shard's --out directory)", d)
		}
		if _, err := os.Stat(filepath.Join(d, LoadJSONFile)); err == nil {
			r, err := ReadLoadResult(d)
			if err != nil {
				return nil, nil, err
			}
			names, shards = append(names, d), append(shards, r)
			continue
		}
		subNames, subShards, err := shardSubdirs(d)
		if err != nil {
			return nil, nil, err
		}
		names, shards = append(names, subNames...), append(shards, subShards...)
	}
	return names, shards, nil
}

// shardSubdirs reads the shards of several in dir's subdirectories.
func shardSubdirs(dir string) ([]string, []*load.Result, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", dir, unwrapPathErr(err))
	}
	var names []string
	var shards []*load.Result
	for _, e := range entries {
		sub := filepath.Join(dir, e.Name())
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if _, err := os.Stat(filepath.Join(sub, LoadJSONFile)); err != nil {
			continue
		}
		r, err := ReadLoadResult(sub)
		if err != nil {
			return nil, nil, err
		}
		if r.Run == nil || r.Run.Shard.Count < 2 {
			continue // a merged run, or an unrelated one
		}
		names, shards = append(names, sub), append(shards, r)
	}
	return names, shards, nil
}

// historyEntryLayout names a history entry by its start: sortable, and free of ':' (which
// some file systems refuse).
const historyEntryLayout = "20060102T150405.000Z"

// AppendLoadHistory keeps res (which must have a Run and a histogram) in the history dir,
// removes the other entries that started more than window before res's end, and returns the
// runs of the window with the same target and endpoint as res, res included, oldest first. An
// entry that does not read is left alone and named in warnings.
func AppendLoadHistory(dir string, res *load.Result, window time.Duration) (runs []*load.Result, warnings []string, err error) {
	if res == nil || res.Run == nil {
		return nil, nil, errors.New("the run has no run section to keep")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	name := res.StartedAt.UTC().Format(historyEntryLayout) + "-" + res.Run.ID
	if err := WriteLoadDir(filepath.Join(dir, name), res); err != nil {
		return nil, nil, err
	}
	end := res.StartedAt.Add(time.Duration(res.DurationMS * float64(time.Millisecond)))
	cutoff := end.Add(-window)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		stamp, _, _ := strings.Cut(e.Name(), "-")
		started, perr := time.Parse(historyEntryLayout, stamp)
		if perr != nil {
			continue // not an entry of ours
		}
		path := filepath.Join(dir, e.Name())
		if e.Name() == name {
			runs = append(runs, res) // the run itself, however short the window
			continue
		}
		if started.Before(cutoff) {
			if err := os.RemoveAll(path); err != nil {
				warnings = append(warnings, fmt.Sprintf("pruning %s: %v", path, err))
			}
			continue
		}
		r, rerr := ReadLoadResult(path)
		if rerr != nil {
			warnings = append(warnings, fmt.Sprintf("skipping %v", rerr))
			continue
		}
		if r.Target != res.Target || r.Endpoint != res.Endpoint {
			continue
		}
		runs = append(runs, r)
	}
	slices.SortStableFunc(runs, func(a, b *load.Result) int { return a.StartedAt.Compare(b.StartedAt) })
	return runs, warnings, nil
}
