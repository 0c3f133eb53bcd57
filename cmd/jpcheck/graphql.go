package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jpcheck/jpcheck/consumers"
	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/reports"
	"github.com/jpcheck/jpcheck/specs"
	"github.com/jpcheck/jpcheck/suites"
	"github.com/spf13/cobra"
)

func newGraphQLCmd(st streams) *cobra.Command {
	var specDir string
	cmd := &cobra.Command{
		Use:   "graphql",
		Short: "Derive the GraphQL schema of the specs, and check consumer contracts against it",
		Long: `A consumer contract is a GraphQL query document over the schema jpcheck derives from the
OpenAPI specs: it selects the fields one integration relies on. jpcheck conform --consumer
checks that the target supplies them; jpcheck diff --consumer, that a spec change keeps them.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			return usageErr("graphql needs a subcommand: schema or check (see --help)")
		},
	}
	cmd.PersistentFlags().StringVar(&specDir, "specs", "", "derive from the spec tree in DIR (openapi.yaml at its top) instead of the embedded specs")
	var out string
	schemaCmd := &cobra.Command{
		Use:   "schema [--out FILE]",
		Short: "Print the GraphQL SDL derived from the specs",
		Args:  exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			set, err := loadSpecSet(specDir)
			if err != nil {
				return err
			}
			sdl, err := set.GraphQLSchema()
			if err != nil {
				return err
			}
			if out == "" {
				_, err := fmt.Fprint(st.out, sdl)
				return err
			}
			if err := os.WriteFile(out, []byte(sdl), 0o644); err != nil {
				return usageErr("--out: %v", err)
			}
			return nil
		},
	}
	schemaCmd.Flags().StringVar(&out, "out", "", "write the SDL to FILE instead of stdout")
	checkCmd := &cobra.Command{
		Use:   "check FILE...",
		Short: "Validate consumer contracts (GraphQL query documents) against the derived schema",
		Long: `Check reads each consumer document and validates it against the schema: an unknown field or
a wrong nesting is reported as FILE:LINE:COL: message. Exit: 0 every file is valid, 1 some file
is not, 2 usage error (a file that cannot be read).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			schema, err := loadConsumerSchema(specDir)
			if err != nil {
				return err
			}
			bad := 0
			for _, f := range args {
				if _, err := os.Stat(f); err != nil {
					return usageErr("%v", err)
				}
				cons, err := consumers.LoadFile(f, schema)
				if err != nil {
					bad++
					fmt.Fprintln(st.out, err)
					continue
				}
				fmt.Fprintf(st.out, "%s: ok (%s, %s)\n", f, plural(len(cons.Fields()), "field"), strings.Join(cons.Roots(), ", "))
			}
			if bad > 0 {
				return &exitError{code: exitFindings, err: fmt.Errorf("graphql check: %d of %d consumer files invalid", bad, len(args))}
			}
			return nil
		},
	}
	cmd.AddCommand(schemaCmd, checkCmd)
	return cmd
}

// loadSpecSet loads the embedded specs, or the tree in dir.
func loadSpecSet(dir string) (*contracts.Set, error) {
	if dir == "" {
		return contracts.Load(specs.FS())
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, usageErr("--specs %s: not a directory", dir)
	}
	set, err := contracts.Load(os.DirFS(dir))
	if err != nil {
		return nil, usageErr("--specs: %v", err)
	}
	return set, nil
}

func loadConsumerSchema(dir string) (*consumers.Schema, error) {
	set, err := loadSpecSet(dir)
	if err != nil {
		return nil, err
	}
	return consumers.SchemaOf(set)
}

// loadConsumers reads conform's --consumer files; any problem is a usage error (exit 2).
func loadConsumers(set *contracts.Set, files []string) ([]*consumers.Consumer, error) {
	if len(files) == 0 {
		return nil, nil
	}
	schema, err := consumers.SchemaOf(set)
	if err != nil {
		return nil, err
	}
	var out []*consumers.Consumer
	var errs []error
	for _, f := range files {
		c, err := consumers.LoadFile(f, schema)
		if err != nil {
			errs = append(errs, fmt.Errorf("--consumer: %w", err))
			continue
		}
		out = append(out, c)
	}
	if len(errs) > 0 {
		return nil, usageErr("%v", errors.Join(errs...)) // one line each: run prints them all
	}
	return out, nil
}

// judgeConsumers checks each consumer against the payloads the specs recorded.
func judgeConsumers(cs []*consumers.Consumer, recorded []suites.Payload) []reports.Consumer {
	if len(cs) == 0 {
		return nil
	}
	ps := make([]consumers.Payload, len(recorded))
	for i, p := range recorded {
		ps[i] = consumers.Payload{Kind: p.Kind, Event: p.Event, Request: p.Request, Body: p.Body}
	}
	out := make([]consumers.Compliance, 0, len(cs))
	for _, c := range cs {
		out = append(out, consumers.Check(c, ps))
	}
	return reports.ConsumersOf(out)
}

// writeConsumersText prints one line per consumer and its missing fields.
func writeConsumersText(w io.Writer, cs []reports.Consumer) {
	for _, c := range cs {
		fmt.Fprintf(w, "consumer %s: %s, %d of %d fields supplied", c.Name, c.Status, c.FieldsSupplied, c.FieldsSelected)
		if n := len(c.NotExercised); n > 0 {
			fmt.Fprintf(w, ", %d not exercised", n)
		}
		fmt.Fprintln(w)
		for _, m := range c.Missing {
			fmt.Fprintf(w, "  %s: %s (%s)\n", m.Path, m.Reason, m.Request)
		}
	}
}
