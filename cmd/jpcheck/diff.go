package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/jpcheck/jpcheck/specdiff"
	"github.com/spf13/cobra"
)

func newDiffCmd(st streams) *cobra.Command {
	var consumerFiles []string
	var format string
	cmd := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "List the breaking changes between two versions of the specs and the consumers each breaks",
		Long: `diff compares two spec trees (directories holding openapi.yaml, as jpcheck specs export
writes them, or the word "embedded" for the built-in specs) with libopenapi's what-changed, and
judges each change by where the schema is used: responses and webhook payloads break their
readers when a field is removed, made optional or narrowed; request bodies break their senders
when a field becomes required or is narrowed.

With --consumer (GraphQL documents read against OLD), a breaking change breaks a consumer when it
touches a field the consumer selects. Exit 1 when a consumer breaks, or, without --consumer,
when any change is breaking; 0 otherwise; 2 on a usage error.`,
		Args: exactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageErr("diff: --format %q: want text or json", format)
			}
			old, err := specdiff.Open(args[0])
			if err != nil {
				return usageErr("diff: OLD: %v", err)
			}
			nw, err := specdiff.Open(args[1])
			if err != nil {
				return usageErr("diff: NEW: %v", err)
			}
			cons, err := loadDiffConsumers(old, consumerFiles)
			if err != nil {
				return usageErr("diff: %v", err)
			}
			changes := specdiff.Compare(old, nw)
			r := newDiffReport(args[0], args[1], changes, cons)
			if format == "json" {
				err = writeJSONDiff(st.out, r)
			} else {
				writeTextDiff(st.out, r)
			}
			if err != nil {
				return err
			}
			if r.failed(len(cons) > 0) {
				return silentExit(exitFindings)
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&consumerFiles, "consumer", nil, "a consumer's GraphQL document (repeatable)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

// diffReport is the --format json document (version 1).
type diffReport struct {
	Version   int              `json:"version"`
	Old       string           `json:"old"`
	New       string           `json:"new"`
	Changes   []diffChange     `json:"changes"`
	Consumers []diffConsumerOK `json:"consumers"`
}

type diffChange struct {
	Kind      string   `json:"kind"`
	Location  string   `json:"location"`
	Direction string   `json:"direction"`
	Breaking  bool     `json:"breaking"`
	Message   string   `json:"message"`
	File      string   `json:"file,omitempty"`
	OldLine   int      `json:"old_line,omitempty"`
	NewLine   int      `json:"new_line,omitempty"`
	Consumers []string `json:"consumers"`
}

type diffConsumerOK struct {
	Name    string `json:"name"`
	File    string `json:"file"`
	Broken  bool   `json:"broken"`
	Changes int    `json:"changes"`
}

func newDiffReport(old, nw string, changes []specdiff.Change, cons []specdiff.Consumer) diffReport {
	r := diffReport{Version: 1, Old: old, New: nw, Changes: []diffChange{}, Consumers: []diffConsumerOK{}}
	counts := make([]int, len(cons))
	for _, c := range changes {
		dc := diffChange{Kind: c.Kind, Location: c.Location, Direction: c.Direction, Breaking: c.Breaking, Message: c.Message,
			File: c.File, OldLine: c.OldLine, NewLine: c.NewLine, Consumers: []string{}}
		for i, con := range cons {
			if c.Breaks(con) {
				dc.Consumers = append(dc.Consumers, con.Name)
				counts[i]++
			}
		}
		r.Changes = append(r.Changes, dc)
	}
	for i, con := range cons {
		r.Consumers = append(r.Consumers, diffConsumerOK{Name: con.Name, File: con.File, Broken: counts[i] > 0, Changes: counts[i]})
	}
	return r
}

// failed is the gate: with consumers, whether one breaks; without, whether any change breaks.
func (r diffReport) failed(withConsumers bool) bool {
	if withConsumers {
		for _, c := range r.Consumers {
			if c.Broken {
				return true
			}
		}
		return false
	}
	for _, c := range r.Changes {
		if c.Breaking {
			return true
		}
	}
	return false
}

func writeJSONDiff(w io.Writer, r diffReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func writeTextDiff(w io.Writer, r diffReport) {
	breaking := 0
	for _, c := range r.Changes {
		if c.Breaking {
			breaking++
		}
	}
	if len(r.Changes) == 0 {
		fmt.Fprintf(w, "no changes between %s and %s\n", r.Old, r.New)
	}
	for i, c := range r.Changes {
		if i == 0 && c.Breaking {
			fmt.Fprintln(w, "BREAKING")
		}
		if !c.Breaking && (i == 0 || r.Changes[i-1].Breaking) {
			fmt.Fprintln(w, "non-breaking")
		}
		where := ""
		if c.File != "" {
			var at []string
			if c.OldLine > 0 {
				at = append(at, fmt.Sprintf("old line %d", c.OldLine))
			}
			if c.NewLine > 0 {
				at = append(at, fmt.Sprintf("new line %d", c.NewLine))
			}
			where = " (" + strings.Join(append([]string{c.File}, at...), ", ") + ")"
		}
		fmt.Fprintf(w, "  %-18s %-9s %s: %s%s\n", c.Kind, c.Direction, c.Location, c.Message, where)
		if len(c.Consumers) > 0 {
			fmt.Fprintf(w, "      breaks: %s\n", strings.Join(c.Consumers, ", "))
		}
	}
	for _, c := range r.Consumers {
		state := "ok"
		if c.Broken {
			state = fmt.Sprintf("BROKEN by %s", plural(c.Changes, "change"))
		}
		fmt.Fprintf(w, "consumer %s (%s): %s\n", c.Name, c.File, state)
	}
	fmt.Fprintf(w, "%s, %d breaking\n", plural(len(r.Changes), "change"), breaking)
}
