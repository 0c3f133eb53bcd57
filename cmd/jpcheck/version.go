package main

import (
	"fmt"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
	"github.com/spf13/cobra"
)

func newVersionCmd(st streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print jpcheck's version and the specs it carries",
		Args:  exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			set, err := contracts.Load(specs.FS())
			if err != nil {
				return err
			}
			fmt.Fprintf(st.out, "jpcheck %s\nspecs %s sha256:%s\n", version, set.Version(), set.Digest())
			return nil
		},
	}
}
