package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/load"
)

// maxRunBytes bounds a run.json read back: a run of thousands of specs is a few megabytes, so
// anything far larger is not one of ours.
const maxRunBytes = 256 << 20

// ReadRun decodes one run.json. It is an error, naming path, when the file is not a JSON
// object of a run this jpcheck can read (no version, or a newer one).
func ReadRun(path string) (*Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPathErr(err))
	}
	defer f.Close()
	r, err := DecodeRun(io.LimitReader(f, maxRunBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// DecodeRun decodes one run from JSON. Unknown fields are allowed (a later minor addition); a
// missing or newer version is not.
func DecodeRun(rd io.Reader) (*Run, error) {
	b, err := io.ReadAll(rd)
	if err != nil {
		return nil, err
	}
	if len(b) > maxRunBytes {
		return nil, fmt.Errorf("larger than %d MiB: not a jpcheck run", maxRunBytes>>20)
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errors.New("not a JSON object: not a jpcheck run")
	}
	var r Run
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("not a jpcheck run: %w", err)
	}
	switch {
	case r.Version == 0:
		return nil, errors.New("no \"version\": not a jpcheck run")
	case r.Version > Version:
		return nil, fmt.Errorf("run format version %d is newer than this jpcheck reads (%d): upgrade jpcheck", r.Version, Version)
	}
	if err := attachHistogram(r.Load); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	return &r, nil
}

// ReadInput reads what one --in path holds: a run.json or load.json file, or a directory with
// run.json (from conform or report), a load run (from load --out), or both, merged.
func ReadInput(path string) (*Run, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPathErr(err))
	}
	if !fi.IsDir() {
		if filepath.Base(path) == LoadJSONFile {
			res, err := ReadLoad(path)
			if err != nil {
				return nil, err
			}
			return FromLoad(res), nil
		}
		return ReadRun(path)
	}
	var parts []*Run
	runPath := filepath.Join(path, RunFile)
	if _, err := os.Stat(runPath); err == nil {
		r, err := ReadRun(runPath)
		if err != nil {
			return nil, err
		}
		parts = append(parts, r)
	}
	lr, err := readLoadDir(path)
	if err != nil {
		return nil, err
	}
	if lr != nil && (len(parts) == 0 || parts[0].Load == nil) {
		parts = append(parts, lr)
	}
	if len(parts) == 0 {
		// A sharded run's results directory: its shard directories, merged.
		names, shards, err := shardSubdirs(path)
		if err != nil {
			return nil, err
		}
		if len(shards) > 0 {
			res, err := load.Merge(names, shards)
			if err != nil {
				return nil, err
			}
			parts = append(parts, FromLoad(res))
		}
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("%s: holds neither %s (conform --report-dir, report --out) nor a load run (load --out)", path, RunFile)
	}
	return Merge(parts...)
}

// Merge makes one run of several: a conform run and a load run, or conform runs of different
// areas. Specs and findings are concatenated in order, coverage is summed per field, the load
// run is the one that has it (two are an error), errata and environment come from the first
// run that has them, and the run starts at the earliest start and ends at the latest end.
func Merge(runs ...*Run) (*Run, error) {
	if len(runs) == 0 {
		return nil, errors.New("nothing to merge")
	}
	if len(runs) == 1 {
		r := *runs[0]
		return &r, nil
	}
	out := &Run{Version: Version}
	var schemas []contracts.SchemaCoverage
	var end time.Time
	var shards []*load.Result
	for _, r := range runs {
		if r.Load != nil {
			switch {
			case out.Load == nil:
				out.Load = r.Load
				shards = append(shards, r.Load)
			case !slices.ContainsFunc(shards, func(l *load.Result) bool { return sameLoadRun(l, r.Load) }):
				if !isShard(out.Load) || !isShard(r.Load) {
					return nil, fmt.Errorf("two load runs (%s at %s, %s at %s): a report holds one",
						out.Load.Target, out.Load.StartedAt.Format(time.RFC3339), r.Load.Target, r.Load.StartedAt.Format(time.RFC3339))
				}
				shards = append(shards, r.Load)
			}
		}
		if out.Target == "" {
			out.Target = r.Target
		}
		if out.Profile == "" {
			out.Profile = r.Profile
		}
		if !r.StartedAt.IsZero() && (out.StartedAt.IsZero() || r.StartedAt.Before(out.StartedAt)) {
			out.StartedAt = r.StartedAt
		}
		if e := r.StartedAt.Add(r.Duration()); e.After(end) {
			end = e
		}
		out.Environment = mergeEnvironment(out.Environment, r.Environment)
		if len(out.Errata) == 0 {
			out.Errata = r.Errata
		}
		out.Specs = append(out.Specs, r.Specs...)
		out.Findings = append(out.Findings, r.Findings...)
		out.Consumers = append(out.Consumers, r.Consumers...)
		schemas = append(schemas, r.Coverage.Schemas...)
		out.History = append(out.History, r.History...)
	}
	if len(shards) > 1 {
		// Shards of one run: the report holds their merge, judged as load merge judges it.
		names := make([]string, len(shards))
		for i, l := range shards {
			names[i] = "shard " + l.Run.Shard.String()
		}
		merged, err := load.Merge(names, shards)
		if err != nil {
			return nil, err
		}
		out.Load = merged
	}
	if !out.StartedAt.IsZero() {
		out.DurationMS = Millis(end.Sub(out.StartedAt))
		out.Environment.Time = out.StartedAt
	}
	out.Coverage = NewCoverage(mergeSchemas(schemas))
	out.History = dedupeHistory(out.History)
	out.Summary = Tally(out.Specs)
	return out, nil
}

// isShard reports whether l is a shard of a run of several.
func isShard(l *load.Result) bool { return l.Run != nil && l.Run.Shard.Count > 1 }

// sameLoadRun reports whether a and b are one load run read twice (a report directory that
// holds it, and the load directory it came from).
func sameLoadRun(a, b *load.Result) bool {
	if a.Run != nil && b.Run != nil && (a.Run.ID != b.Run.ID || a.Run.Shard != b.Run.Shard) {
		return false
	}
	return a.StartedAt.Equal(b.StartedAt) && a.Target == b.Target && a.Requests == b.Requests
}

// mergeEnvironment keeps a's fields and fills the empty ones from b.
func mergeEnvironment(a, b Environment) Environment {
	fill := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	fill(&a.Target, b.Target)
	fill(&a.SpecVersion, b.SpecVersion)
	fill(&a.SpecDigest, b.SpecDigest)
	fill(&a.JpcheckVersion, b.JpcheckVersion)
	fill(&a.Profile, b.Profile)
	if a.Time.IsZero() || (!b.Time.IsZero() && b.Time.Before(a.Time)) {
		a.Time = b.Time
	}
	return a
}

// mergeSchemas sums the counts of each field of each schema over several runs, keeping the
// first run's field order and adding fields only a later run declares at the end.
func mergeSchemas(all []contracts.SchemaCoverage) []contracts.SchemaCoverage {
	type key struct{ schema, spec string }
	index := map[key]int{}
	var out []contracts.SchemaCoverage
	for _, sc := range all {
		k := key{sc.Schema, sc.Spec}
		i, ok := index[k]
		if !ok {
			index[k] = len(out)
			out = append(out, contracts.SchemaCoverage{Schema: sc.Schema, Spec: sc.Spec, Fields: append([]contracts.FieldCoverage(nil), sc.Fields...)})
			continue
		}
		fields := out[i].Fields
		for _, f := range sc.Fields {
			j := fieldIndex(fields, f.Field)
			if j < 0 {
				fields = append(fields, f)
				continue
			}
			fields[j].Seen += f.Seen
			fields[j].Checked += f.Checked
			fields[j].Failed += f.Failed
		}
		out[i].Fields = fields
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Schema != out[j].Schema {
			return out[i].Schema < out[j].Schema
		}
		return out[i].Spec < out[j].Spec
	})
	return out
}

func fieldIndex(fs []contracts.FieldCoverage, name string) int {
	for i, f := range fs {
		if f.Field == name {
			return i
		}
	}
	return -1
}

// unwrapPathErr drops the operation and path of a *fs.PathError: callers name the path once.
func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
