package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
	"github.com/spf13/cobra"
)

func newSpecsCmd(st streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "specs",
		Short: "Export, lint, check the examples of, and list the errata of the embedded OpenAPI specs",
		Args:  exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			return usageErr("specs needs a subcommand: export, lint, examples or errata (see --help)")
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "export DIR",
		Short: "Write the embedded specs and examples to DIR",
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := specs.Export(args[0]); err != nil {
				return usageErr("export: %v", err)
			}
			fmt.Fprintf(st.out, "wrote the specs to %s\n", args[0])
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "lint",
		Short: "Check the specs as OpenAPI 3.1 (libopenapi); fail on any unresolved $ref, missing x-source or schema keyword the validator does not implement",
		Args:  exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			problems := contracts.Lint(specs.FS())
			for _, p := range problems {
				fmt.Fprintln(st.out, p)
			}
			if len(problems) > 0 {
				return &exitError{code: exitFindings, err: fmt.Errorf("specs lint: %s", plural(len(problems), "problem"))}
			}
			fmt.Fprintln(st.out, "specs: ok")
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "examples",
		Short: "Validate every documented sample (specs/examples) as its provenance says; fail on any unexpected finding",
		Args:  exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			set, err := contracts.Load(specs.FS())
			if err != nil {
				return err
			}
			checks, err := contracts.CheckExamples(set)
			if err != nil {
				return err
			}
			bad := 0
			for _, ch := range checks {
				errs, warns := counts(ch.Result.Findings)
				verdict := "ok  "
				if len(ch.Problems) > 0 {
					verdict = "FAIL"
					bad++
				}
				what := ch.Example.Kind
				if what == "request" {
					what = "request " + ch.Example.Schema
				}
				line := fmt.Sprintf("%s %s (%s): %s, %s", verdict, ch.Example.File, what, plural(errs, "error"), plural(warns, "warning"))
				if len(ch.Example.Errata) > 0 {
					line += fmt.Sprintf(" (recorded errata: %d)", len(ch.Example.Errata))
				}
				fmt.Fprintln(st.out, line)
				for _, p := range ch.Problems {
					fmt.Fprintf(st.out, "     %s\n", p)
				}
			}
			fmt.Fprintf(st.out, "%d examples: %d ok, %d failed\n", len(checks), len(checks)-bad, bad)
			if bad > 0 {
				return &exitError{code: exitFindings, err: fmt.Errorf("%s do not match their provenance", plural(bad, "example"))}
			}
			return nil
		},
	})
	var format string
	errata := &cobra.Command{
		Use:   "errata",
		Short: "List where Juspay's documents depart from their own contract (quirks, broken samples, table conflicts)",
		Args:  exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			set, err := contracts.Load(specs.FS())
			if err != nil {
				return err
			}
			list, err := contracts.Errata(set)
			if err != nil {
				return err
			}
			switch format {
			case "json":
				enc := json.NewEncoder(st.out)
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			case "markdown":
				writeErrataMarkdown(st.out, list)
				writeErrataSources(st.out, set.Documents())
			case "text":
				for _, e := range list {
					fmt.Fprintln(st.out, errataLine(e))
				}
			default:
				return usageErr("unknown format %q (want text, markdown or json)", format)
			}
			return nil
		},
	}
	errata.Flags().StringVar(&format, "format", "text", "text, markdown or json")
	cmd.AddCommand(errata)
	return cmd
}

func errataLine(e contracts.ErratumEntry) string {
	where := e.Document + " § " + e.Section
	if e.Kind == "spec" {
		where = strings.Join(e.Places, ", ")
		if where == "" {
			where = e.Section
		}
	}
	s := fmt.Sprintf("%-10s %s", e.Kind, where)
	if e.Example != "" {
		s += " [" + e.Example + orEmpty(e.Pointer) + "]"
	}
	s += ": " + e.Message
	if len(e.Repairs) > 0 {
		s += " (repaired: " + strings.Join(e.Repairs, "; ") + ")"
	}
	return s
}

func orEmpty(p string) string {
	if p == "" {
		return ""
	}
	return " " + p
}

var errataHeadings = []struct{ kind, title, intro string }{
	{"error", "Samples that break the documents' own rules", "Contradictions in the documents' samples: error findings under the compat profile; the string \"null\" standing for no value (accepted by compat as a quirk, listed here too); and, with rule `curated`, contradictions no rule detects because a rule would fail correct services (recorded in specs/examples/*.index.yaml with why)."},
	{"official", "Errata of Juspay's official sample payloads", "Error findings of juspay/juspay-sdk-integration-demo's samples (any branch; paths under the samples folder) that contradict the documents; listed in specs/examples/official-samples.errata.yaml and excused by the official-samples test."},
	{"quirk", "Variants the samples show (quirks)", "Accepted by the compat profile as warnings; errors under strict."},
	{"undeclared", "Fields the samples show that the specs do not declare", ""},
	{"spec", "Field tables that disagree with the samples", "The specs follow the samples. One entry per contradiction, naming every property or parameter it applies to."},
	{"repaired", "Samples that are not valid JSON", "Repaired in specs/examples; each repair is listed."},
	{"skipped", "Samples that are not payloads", ""},
}

func writeErrataMarkdown(w io.Writer, list []contracts.ErratumEntry) {
	fmt.Fprintln(w, "# Errata of the Juspay documents")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Generated by `jpcheck specs errata --format markdown` (`make errata`); do not edit by hand.")
	for _, h := range errataHeadings {
		var rows []contracts.ErratumEntry
		for _, e := range list {
			if e.Kind == h.kind {
				rows = append(rows, e)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n## %s (%d)\n\n", h.title, countDistinct(rows))
		if h.intro != "" {
			fmt.Fprintln(w, h.intro)
			fmt.Fprintln(w)
		}
		seen := map[string]bool{}
		for _, e := range rows {
			if item := mdEscape(errataMarkdownItem(e)); !seen[item] {
				seen[item] = true
				fmt.Fprintf(w, "- %s\n", item)
			}
		}
	}
}

// writeErrataSources ends the list with the pages the titles above stand for, so every citation
// can be looked up.
func writeErrataSources(w io.Writer, docs []contracts.Document) {
	fmt.Fprintf(w, "\n## Sources\n\nThe documents cited above by title; other pages are cited by URL.\n\n")
	for _, d := range docs {
		fmt.Fprintf(w, "- %s: <%s>\n", d.Title, d.URL)
	}
}

func errataMarkdownItem(e contracts.ErratumEntry) string {
	switch e.Kind {
	case "spec":
		places := e.Places
		if len(places) == 0 {
			places = []string{e.Section}
		}
		return fmt.Sprintf("`%s` (%s): %s", strings.Join(places, "`, `"), e.Document, e.Message)
	case "skipped":
		return fmt.Sprintf("%s § %s: %s", e.Document, e.Section, e.Message)
	case "official":
		return fmt.Sprintf("`%s`, `%s` %s: %s", e.Section, orRoot(e.Pointer), e.Rule, e.Message)
	case "repaired":
		return fmt.Sprintf("%s § %s (`%s`): %s", e.Document, e.Section, e.Example, strings.Join(e.Repairs, "; "))
	}
	return fmt.Sprintf("%s § %s (`%s`), `%s` %s: %s", e.Document, e.Section, e.Example, orRoot(e.Pointer), e.Rule, e.Message)
}

func countDistinct(rows []contracts.ErratumEntry) int {
	seen := map[string]bool{}
	for _, e := range rows {
		seen[mdEscape(errataMarkdownItem(e))] = true
	}
	return len(seen)
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "\n", " ") }
