package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	yaml "github.com/pb33f/go-yaml"
)

// The ways in beyond the binary: the container image (Dockerfile), the release packaging
// (.goreleaser.yaml) and the GitHub Action (action.yml, action_test.go). No container engine
// runs where these tests do, and GoReleaser is not a dependency: each file is checked for what
// it promises, and what can run here (the static build the image ships) runs.

const repoRoot = "../.."

// TestStaticBuild builds jpcheck as the Dockerfile and GoReleaser do (CGO off, version and
// commit set by the linker) and checks the binary is static and prints what it was given.
func TestStaticBuild(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the static-binary check reads ELF; the image is linux")
	}
	bin := filepath.Join(t.TempDir(), "jpcheck")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=v9.9.9-test -X main.commit=0123abcd", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	if len(libs) > 0 || f.Section(".interp") != nil {
		t.Errorf("the binary is not static: it needs %v (and an interpreter: %v)", libs, f.Section(".interp") != nil)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^jpcheck v9\.9\.9-test\ncommit 0123abcd\nspecs \S+ sha256:[0-9a-f]{64}\n$`).Match(out) {
		t.Errorf("--version of a release build prints\n%s", out)
	}
}

// dockerfile is the Dockerfile as instructions: each logical line (continuations joined) split
// into its keyword and the rest.
type dockerInstr struct{ op, args string }

func readDockerfile(t *testing.T) []dockerInstr {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var out []dockerInstr
	var cur strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\") + " ")
			continue
		}
		cur.WriteString(line)
		op, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, dockerInstr{strings.ToUpper(op), strings.TrimSpace(args)})
		cur.Reset()
	}
	return out
}

// The image: a CGO-off build stage, a scratch or distroless final stage, a non-root user, the
// binary as the entrypoint, and by default the reference implementation listening where a CI
// service container is reached.
func TestDockerfile(t *testing.T) {
	ins := readDockerfile(t)
	var stages []string
	var build, user, entry, cmd, expose string
	goVersion := ""
	for _, in := range ins {
		switch in.op {
		case "FROM":
			stages = append(stages, in.args)
		case "RUN":
			if strings.Contains(in.args, "go build") {
				build = in.args
			}
		case "USER":
			user = in.args
		case "ENTRYPOINT":
			entry = in.args
		case "CMD":
			cmd = in.args
		case "EXPOSE":
			expose = in.args
		case "ARG":
			if v, ok := strings.CutPrefix(in.args, "GO_VERSION="); ok {
				goVersion = v
			}
		}
	}
	if len(stages) < 2 {
		t.Fatalf("want a build stage and a final stage, got FROM %q", stages)
	}
	final := stages[len(stages)-1]
	if !strings.HasPrefix(final, "scratch") && !strings.HasPrefix(final, "gcr.io/distroless/static") {
		t.Errorf("final stage %q: want scratch or distroless/static", final)
	}
	for _, want := range []string{"CGO_ENABLED=0", "./cmd/jpcheck", "-X main.version=", "-X main.commit="} {
		if !strings.Contains(build, want) {
			t.Errorf("the build step %q lacks %s", build, want)
		}
	}
	if user == "" || user == "0" || strings.HasPrefix(user, "root") || strings.HasPrefix(user, "0:") {
		t.Errorf("USER %q: the image must run as a non-root user", user)
	}
	if entry != `["/jpcheck"]` {
		t.Errorf(`ENTRYPOINT %s, want ["/jpcheck"]`, entry)
	}
	// The default command must be one jpcheck accepts: mock on all interfaces, on the port exposed.
	var args []string
	if err := yaml.Unmarshal([]byte(cmd), &args); err != nil || len(args) == 0 {
		t.Fatalf("CMD %s is not an exec-form list: %v", cmd, err)
	}
	if args[0] != "mock" || !slices.Contains(args, "0.0.0.0:"+expose) {
		t.Errorf("CMD %q: want mock listening on 0.0.0.0:%s (EXPOSE)", args, expose)
	}
	mockCmd := newMockCmd(streams{})
	if err := mockCmd.ParseFlags(args[1:]); err != nil {
		t.Errorf("CMD %q: jpcheck mock refuses its flags: %v", args, err)
	}
	// The image builds with the Go the module asks for.
	mod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if m == nil || goVersion != string(m[1]) {
		t.Errorf("Dockerfile GO_VERSION %q, go.mod says go %s", goVersion, m[1])
	}
	if ignore, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore")); err != nil || !bytes.Contains(ignore, []byte(".git")) {
		t.Errorf(".dockerignore should keep .git out of the build context (%v)", err)
	}
}

// goreleaserConfig is the part of .goreleaser.yaml a release depends on.
type goreleaserConfig struct {
	Version int `yaml:"version"`
	Builds  []struct {
		ID      string   `yaml:"id"`
		Main    string   `yaml:"main"`
		Binary  string   `yaml:"binary"`
		Env     []string `yaml:"env"`
		Ldflags []string `yaml:"ldflags"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
	} `yaml:"builds"`
	Archives []struct {
		IDs             []string `yaml:"ids"`
		Formats         []string `yaml:"formats"`
		FormatOverrides []struct {
			Goos    string   `yaml:"goos"`
			Formats []string `yaml:"formats"`
		} `yaml:"format_overrides"`
		NameTemplate string   `yaml:"name_template"`
		Files        []string `yaml:"files"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string `yaml:"algorithm"`
	} `yaml:"checksum"`
}

// The release packaging: linux, darwin and windows on amd64 and arm64, static, with version and
// commit; tar.gz archives (zip on windows) with the README and the manual; SHA-256 checksums.
// The packages build for every target (go list resolves each platform's files and imports).
func TestGoReleaserConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c goreleaserConfig
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if c.Version != 2 {
		t.Errorf("version %d: want GoReleaser's v2 configuration", c.Version)
	}
	if len(c.Builds) != 1 {
		t.Fatalf("%d builds, want one", len(c.Builds))
	}
	b := c.Builds[0]
	if b.Main != "./cmd/jpcheck" || b.Binary != "jpcheck" || !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("build: main %q, binary %q, env %v", b.Main, b.Binary, b.Env)
	}
	ld := strings.Join(b.Ldflags, " ")
	if !strings.Contains(ld, "-X main.version={{.Version}}") || !strings.Contains(ld, "-X main.commit={{.Commit}}") {
		t.Errorf("ldflags %q do not set main.version and main.commit", ld)
	}
	slices.Sort(b.Goos)
	slices.Sort(b.Goarch)
	if !slices.Equal(b.Goos, []string{"darwin", "linux", "windows"}) || !slices.Equal(b.Goarch, []string{"amd64", "arm64"}) {
		t.Errorf("targets %v × %v, want darwin, linux, windows × amd64, arm64", b.Goos, b.Goarch)
	}
	if len(c.Archives) != 1 {
		t.Fatalf("%d archives, want one", len(c.Archives))
	}
	a := c.Archives[0]
	zipOnWindows := false
	for _, o := range a.FormatOverrides {
		zipOnWindows = zipOnWindows || (o.Goos == "windows" && slices.Equal(o.Formats, []string{"zip"}))
	}
	if !slices.Equal(a.Formats, []string{"tar.gz"}) || !zipOnWindows || !slices.Contains(a.IDs, b.ID) {
		t.Errorf("archives: formats %v, overrides %+v, ids %v", a.Formats, a.FormatOverrides, a.IDs)
	}
	for _, tmpl := range []string{"{{ .Version }}", "{{ .Os }}", "{{ .Arch }}"} {
		if !strings.Contains(a.NameTemplate, tmpl) {
			t.Errorf("archive name %q lacks %s", a.NameTemplate, tmpl)
		}
	}
	for _, f := range a.Files {
		if matches, _ := filepath.Glob(filepath.Join(repoRoot, f)); len(matches) == 0 {
			t.Errorf("archive file %q matches nothing", f)
		}
	}
	if c.Checksum.NameTemplate == "" || c.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum %+v: want a sha256 checksum file", c.Checksum)
	}
	for _, goos := range b.Goos {
		for _, goarch := range b.Goarch {
			list := exec.Command("go", "list", "-deps", b.Main)
			list.Dir = repoRoot
			list.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
			if out, err := list.CombinedOutput(); err != nil {
				t.Errorf("%s/%s: go list -deps %s: %v\n%s", goos, goarch, b.Main, err, clipOut(string(out)))
			}
		}
	}
}

// scripts/test-deps.sh, which make test runs first, names what is missing and the exact command
// that installs it; without root (or with --check) it stops with exit 2 instead of installing.
func TestTestDepsScript(t *testing.T) {
	args := []string{filepath.Join(repoRoot, "scripts", "test-deps.sh")}
	if os.Getuid() == 0 {
		args = append(args, "--check") // as root the script would install: only ask it
	}
	cmd := exec.Command("sh", args...)
	cmd.Env = append(cleanEnv(), "CHROME_PATH="+filepath.Join(t.TempDir(), "no-chromium"))
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("test-deps.sh without a browser: %v, want exit 2\n%s", err, out)
	}
	if !strings.Contains(string(out), "apt-get install -y --no-install-recommends chromium chromium-driver") {
		t.Errorf("test-deps.sh does not give the command that installs what is missing:\n%s", out)
	}
}
