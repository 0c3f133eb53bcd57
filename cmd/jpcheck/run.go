package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes: an interface scripts rely on (README § Exit codes).
const (
	exitOK          = 0
	exitFindings    = 1
	exitUsage       = 2
	exitUnreachable = 3
)

// exitError carries the exit code with the reason, so only run maps errors to codes.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// silentExit ends with a code and no message: the command already printed its result.
func silentExit(code int) error { return &exitError{code: code} }

type streams struct {
	in       io.Reader
	out, err io.Writer
}

func run(ctx context.Context, args []string, in io.Reader, out, errw io.Writer) int {
	st := streams{in: in, out: out, err: errw}
	if args == nil {
		args = []string{} // cobra reads os.Args when given nil
	}
	root := newRootCmd(st)
	root.SetArgs(args)
	root.SetIn(in)
	root.SetOut(out)
	root.SetErr(errw)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitUsage // cobra's own errors are flag and argument mistakes
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	writeError(errw, err)
	return code
}

// writeError prints every line of err, each starting "jpcheck: " so each can be found on its
// own: several invalid inputs are several errors, and the user needs them all.
func writeError(w io.Writer, err error) {
	for _, line := range strings.Split(strings.TrimSpace(err.Error()), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			fmt.Fprintf(w, "jpcheck: %s\n", line)
		}
	}
}

func newRootCmd(st streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "jpcheck",
		Short:         "Contract and latency checks for Juspay-compatible payment services",
		Long:          "jpcheck checks that a service speaks Juspay's order-status, webhook, offer and reward APIs field for field, as Juspay documents them.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// --version is jpcheck version; no shorthand, since -v is conform's --verbose.
	showVersion := root.Flags().Bool("version", false, "print the version, the commit and the specs' digest (as jpcheck version)")
	root.RunE = func(c *cobra.Command, _ []string) error {
		if *showVersion {
			return printVersion(st.out)
		}
		return c.Help()
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageErr("%v (see %s --help)", err, c.CommandPath()) })
	root.AddCommand(newVersionCmd(st), newValidateCmd(st), newSpecsCmd(st), newMockCmd(st), newConformCmd(st), newLoadCmd(st), newReportCmd(st), newDiffCmd(st), newGraphQLCmd(st))
	return root
}

// exactArgs rejects positional arguments with a usage error (exit 2).
func exactArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr("%s takes %d argument(s), got %d (see --help)", c.CommandPath(), n, len(args))
		}
		return nil
	}
}
