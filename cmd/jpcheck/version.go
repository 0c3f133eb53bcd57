package main

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
	"github.com/spf13/cobra"
)

// commit is set at build time (-ldflags "-X main.commit=..."); without it the VCS revision Go
// stamps into the binary is used.
var commit = ""

func newVersionCmd(st streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print jpcheck's version, its commit and the digest of the specs it carries",
		Long: `Version prints three lines (also jpcheck --version):

  jpcheck VERSION
  commit COMMIT
  specs SPEC_VERSION sha256:DIGEST

VERSION is the release (or git describe) the binary was built from, "dev" otherwise; COMMIT the
git commit ("unknown" when the build recorded none, "-dirty" when the tree had changes);
DIGEST the SHA-256 of the spec files the binary embeds, as every report's environment shows it.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error { return printVersion(st.out) },
	}
}

// printVersion writes what jpcheck version and jpcheck --version print.
func printVersion(w io.Writer) error {
	set, err := contracts.Load(specs.FS())
	if err != nil {
		return err
	}
	v, c := buildVersion()
	_, err = fmt.Fprintf(w, "jpcheck %s\ncommit %s\nspecs %s sha256:%s\n", v, c, set.Version(), set.Digest())
	return err
}

// buildVersion is the version and commit of this binary: the linker's values when the Makefile
// (or GoReleaser) set them, else what the Go toolchain recorded (go install ...@v1.2.3 stamps
// the module version; a build in a git checkout the revision).
func buildVersion() (v, c string) {
	v, c = version, commit
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v, orUnknown(c)
	}
	if v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	if c == "" {
		var rev string
		dirty := false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if rev != "" && dirty {
			rev += "-dirty"
		}
		c = rev
	}
	return v, orUnknown(c)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
