package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/spf13/cobra"
)

// The manual is README.md (the front page) and docs/*.md. These tests keep it honest: links and
// anchors resolve, the front page stays short, every command's flag table matches its --help,
// and doc.go names every command and flag.

const readmeMaxLines = 300

// manualFiles are the README and every page of docs/, relative to the repository root.
func manualFiles(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{filepath.Join(repoRoot, "README.md")}, pages...)
}

// proseLines are a Markdown file's lines outside fenced code blocks, with their line numbers.
func proseLines(doc string) (lines []string, numbers []int) {
	fenced := false
	for i, l := range strings.Split(doc, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			lines = append(lines, l)
			numbers = append(numbers, i+1)
		}
	}
	return lines, numbers
}

var (
	headingLine = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	mdLink      = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	inlineCode  = regexp.MustCompile("`[^`]*`")
)

// anchors are the ids GitHub gives a file's headings: lower case, punctuation dropped, spaces
// as hyphens, a repeated id suffixed -1, -2, ...
func anchors(doc string) map[string]bool {
	ids := map[string]bool{}
	seen := map[string]int{}
	lines, _ := proseLines(doc)
	for _, l := range lines {
		m := headingLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(m[1]) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteByte('-')
			}
		}
		id := b.String()
		if n := seen[id]; n > 0 {
			ids[fmt.Sprintf("%s-%d", id, n)] = true
		} else {
			ids[id] = true
		}
		seen[id]++
	}
	return ids
}

// brokenLinks lists the relative links of the Markdown file path (its content doc) whose file or
// #anchor does not exist. read reads a linked Markdown file for its anchors.
func brokenLinks(path, doc string, read func(string) (string, error)) []string {
	var broken []string
	lines, numbers := proseLines(doc)
	for i, l := range lines {
		for _, m := range mdLink.FindAllStringSubmatch(inlineCode.ReplaceAllString(l, ""), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			where := fmt.Sprintf("%s:%d: %s", path, numbers[i], target)
			linked, content := path, doc
			if file != "" {
				linked = filepath.Join(filepath.Dir(path), filepath.FromSlash(file))
				if _, err := os.Stat(linked); err != nil {
					broken = append(broken, where+": no such file")
					continue
				}
			}
			if anchor == "" {
				continue
			}
			if !strings.HasSuffix(linked, ".md") {
				broken = append(broken, where+": an anchor into a file that is not Markdown")
				continue
			}
			if file != "" {
				var err error
				if content, err = read(linked); err != nil {
					broken = append(broken, fmt.Sprintf("%s: %v", where, err))
					continue
				}
			}
			if !anchors(content)[anchor] {
				broken = append(broken, where+": no heading with that anchor")
			}
		}
	}
	return broken
}

func readString(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}

// Every relative link and anchor in README.md and docs/*.md resolves.
func TestManualLinks(t *testing.T) {
	for _, path := range manualFiles(t) {
		doc, err := readString(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range brokenLinks(path, doc, readString) {
			t.Error(b)
		}
	}
}

// The link check fails on what it must: a missing file, a missing anchor here or there, an
// anchor into a file that has no headings; links in code are not links.
func TestBrokenLinksFindsBreakage(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other.md")
	mustWrite(t, other, []byte("# Other page\n\n## The `jpcheck load` flags\n\n## Repeated\n\n## Repeated\n"))
	mustWrite(t, filepath.Join(dir, "data.json"), []byte("{}"))
	page := filepath.Join(dir, "page.md")
	doc := "# Page\n\n## Exit codes (all)\n\n" +
		"[ok](other.md) [ok](other.md#the-jpcheck-load-flags) [ok](#exit-codes-all) [ok](other.md#repeated-1) ![ok](data.json)\n" +
		"[web](https://example.com/x#y) `[code](nowhere.md)`\n" +
		"[bad file](missing.md) [bad anchor](#nope) [bad there](other.md#nope) [bad json anchor](data.json#x)\n" +
		"```\n[fenced](nowhere.md)\n```\n"
	got := brokenLinks(page, doc, readString)
	want := []string{"missing.md: no such file", "#nope: no heading", "other.md#nope: no heading", "data.json#x: an anchor into a file that is not Markdown"}
	if len(got) != len(want) {
		t.Fatalf("broken links:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("broken link %d: %q, want it to say %q", i, got[i], w)
		}
	}
}

func TestReadmeIsAFrontPage(t *testing.T) {
	doc, err := readString(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(doc, "\n"); n > readmeMaxLines {
		t.Errorf("README.md has %d lines, at most %d: move the detail into docs/", n, readmeMaxLines)
	}
	for _, want := range []string{"make run", "make test", "docs/report-screenshot.png", "## Exit codes", "## Commands"} {
		if !strings.Contains(doc, want) {
			t.Errorf("README.md lacks %q", want)
		}
	}
	// Every exit code the commands use is in the README's table.
	for _, code := range []int{exitOK, exitFindings, exitUsage, exitUnreachable, exitNotJudged, exitInterrupted} {
		if !strings.Contains(doc, fmt.Sprintf("\n| %d | ", code)) {
			t.Errorf("README.md's exit codes lack %d", code)
		}
	}
}

// documentedCommands walks the command tree: the root and every command that does something,
// but cobra's own help and completion commands, which document themselves.
func documentedCommands(root *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			return
		}
		// A group (specs, graphql) is documented by its subcommands; the root has --version,
		// and a command with subcommands and flags of its own (load, load merge) is both.
		if c.Runnable() && (!c.HasSubCommands() || !c.HasParent() || c.LocalNonPersistentFlags().HasAvailableFlags()) {
			out = append(out, c)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

var helpFlag = regexp.MustCompile(`(?m)^\s+(?:-\w, )?--([a-z0-9][a-z0-9-]*)`)

// helpFlags are the flags `jpcheck PATH --help` lists, local and inherited, but --help itself.
func helpFlags(t *testing.T, path []string) []string {
	t.Helper()
	var out, errw bytes.Buffer
	if code := run(context.Background(), append(slices.Clone(path), "--help"), strings.NewReader(""), &out, &errw); code != exitOK {
		t.Fatalf("jpcheck %s --help: exit %d: %s", strings.Join(path, " "), code, errw.String())
	}
	help := out.String()
	i := strings.Index(help, "\nFlags:\n")
	if i < 0 {
		return nil
	}
	var flags []string
	for _, m := range helpFlag.FindAllStringSubmatch(help[i:], -1) {
		if m[1] != "help" && !slices.Contains(flags, m[1]) {
			flags = append(flags, m[1])
		}
	}
	sort.Strings(flags)
	return flags
}

var (
	flagsMarker = regexp.MustCompile(`^<!-- flags: (jpcheck(?: [a-z]+)*) -->$`)
	tableFlag   = regexp.MustCompile("`--([a-z0-9][a-z0-9-]*)")
)

// flagTables reads every `<!-- flags: jpcheck PATH -->` table of the manual: the flags named in
// its rows' first cells, by command, and where each table is.
func flagTables(t *testing.T) (map[string][]string, map[string]string) {
	t.Helper()
	tables, where := map[string][]string{}, map[string]string{}
	for _, path := range manualFiles(t) {
		doc, err := readString(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(doc, "\n")
		for i, l := range lines {
			m := flagsMarker.FindStringSubmatch(strings.TrimSpace(l))
			if m == nil {
				continue
			}
			if prev, dup := where[m[1]]; dup {
				t.Errorf("%s:%d: a second flag table for %s (the first is in %s)", path, i+1, m[1], prev)
			}
			where[m[1]] = fmt.Sprintf("%s:%d", path, i+1)
			var flags []string
			j := i + 1
			if j+1 >= len(lines) || !strings.HasPrefix(lines[j], "| flag") || !strings.HasPrefix(lines[j+1], "|---") {
				t.Errorf("%s:%d: the marker is not followed by a | flag | ... | table", path, i+1)
				continue
			}
			for j += 2; j < len(lines) && strings.HasPrefix(lines[j], "|"); j++ {
				first := strings.SplitN(strings.TrimPrefix(lines[j], "|"), " | ", 2)[0]
				for _, f := range tableFlag.FindAllStringSubmatch(first, -1) {
					if !slices.Contains(flags, f[1]) {
						flags = append(flags, f[1])
					}
				}
			}
			sort.Strings(flags)
			tables[m[1]] = flags
		}
	}
	return tables, where
}

// Each command's flags, as --help prints them, are exactly the rows of its flag table in the
// manual; a command without flags needs none, and no table names a command that does not exist.
func TestFlagTablesMatchHelp(t *testing.T) {
	tables, where := flagTables(t)
	known := map[string]bool{}
	for _, c := range documentedCommands(newRootCmd(streams{})) {
		name := c.CommandPath()
		known[name] = true
		help := helpFlags(t, strings.Fields(name)[1:])
		table, ok := tables[name]
		switch {
		case !ok && len(help) > 0:
			t.Errorf("%s has flags %v and no flag table in the manual (a <!-- flags: %s --> line before it)", name, help, name)
		case ok && !slices.Equal(help, table):
			t.Errorf("%s (%s): --help lists %v, the manual's table %v", name, where[name], help, table)
		}
	}
	for name, at := range where {
		if !known[name] {
			t.Errorf("%s: a flag table for %q, which is not a command", at, name)
		}
	}
}

// doc.go's usage block names every command, and each command's line names each of its flags.
func TestDocGoListsEveryCommandAndFlag(t *testing.T) {
	src, err := readString("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	// The usage block: a "//\tjpcheck ..." line starts a command's entry, indented lines go on.
	entries := map[string]string{}
	var cur string
	for _, l := range strings.Split(src, "\n") {
		body, ok := strings.CutPrefix(l, "//\t")
		switch {
		case ok && strings.HasPrefix(body, "jpcheck"):
			fields := strings.Fields(body)
			path := []string{"jpcheck"}
			for _, f := range fields[1:] {
				if strings.ToLower(f) != f || strings.ContainsAny(f, "[-|.") {
					break
				}
				path = append(path, f)
			}
			cur = strings.Join(path, " ")
			entries[cur] += body
		case ok && strings.HasPrefix(body, " ") && cur != "":
			entries[cur] += body
		default:
			cur = ""
		}
	}
	if _, ok := entries["jpcheck completion"]; !ok {
		t.Error("doc.go does not name jpcheck completion")
	}
	for _, c := range documentedCommands(newRootCmd(streams{})) {
		name := c.CommandPath()
		entry, ok := entries[name]
		if !ok {
			t.Errorf("doc.go's usage does not name %s", name)
			continue
		}
		for _, f := range helpFlags(t, strings.Fields(name)[1:]) {
			if !strings.Contains(entry, "--"+f) {
				t.Errorf("doc.go's usage of %s lacks --%s", name, f)
			}
		}
	}
}
