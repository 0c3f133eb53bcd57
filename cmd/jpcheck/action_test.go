package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jpcheck/jpcheck/mock"
	yaml "github.com/pb33f/go-yaml"
)

// action is the part of action.yml the test reads.
type action struct {
	Inputs  map[string]struct{ Default string } `yaml:"inputs"`
	Outputs map[string]struct{ Value string }   `yaml:"outputs"`
	Runs    struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID   string            `yaml:"id"`
			If   string            `yaml:"if"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			Env  map[string]string `yaml:"env"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// The action is composite, has the inputs the issue names, hands each input to its script
// step as INPUT_<NAME> (read by the script), uploads the report whatever happened, and ends
// with a step that fails the job on conform's exit code.
func TestActionDefinition(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join(repoRoot, "scripts", "github-action.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using %q, want composite", a.Runs.Using)
	}
	for _, in := range []string{"target", "fixtures", "profile", "label-filter", "report-dir", "consumers"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("no input %q", in)
		}
	}
	envOf := map[string]string{}
	var stepRuns []string
	upload, last := false, ""
	for _, s := range a.Runs.Steps {
		for k, v := range s.Env {
			envOf[k] = v
		}
		if s.Run != "" {
			stepRuns = append(stepRuns, s.Run)
			last = s.Run
		}
		if strings.HasPrefix(s.Uses, "actions/upload-artifact@") {
			upload = s.If == "always()" && s.With["path"] == "${{ inputs.report-dir }}"
		}
		if s.Uses != "" {
			last = s.Uses
		}
	}
	for in := range a.Inputs {
		if in == "artifact-name" {
			continue // the upload step's
		}
		name := "INPUT_" + strings.ToUpper(strings.ReplaceAll(in, "-", "_"))
		if envOf[name] != "${{ inputs."+in+" }}" {
			t.Errorf("input %s is not passed as %s (got %q)", in, name, envOf[name])
		}
		if !strings.Contains(string(script), name) {
			t.Errorf("scripts/github-action.sh never reads %s", name)
		}
	}
	for _, sub := range []string{"install", "conform", "finish"} {
		want := `"$GITHUB_ACTION_PATH/scripts/github-action.sh" ` + sub
		if !strings.Contains(strings.Join(stepRuns, "\n"), want) {
			t.Errorf("no step runs %s", want)
		}
	}
	if !upload {
		t.Error("the report is not uploaded with if: always() from inputs.report-dir")
	}
	if !strings.HasSuffix(last, "finish'") && !strings.HasSuffix(last, "finish") {
		t.Errorf("the last step is %q, want the verdict (github-action.sh finish)", last)
	}
	if envOf["INPUT_EXIT_CODE"] != "${{ steps.conform.outputs.exit-code }}" || a.Outputs["exit-code"].Value != "${{ steps.conform.outputs.exit-code }}" {
		t.Error("conform's exit code does not reach the verdict step and the action's outputs")
	}
}

// actionStep runs one step of the action's script as a runner would: env is the step's, the
// runner's files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_PATH) live in runner.
func actionStep(t *testing.T, dir, runner, step string, env ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("bash", filepath.Join(repoRootAbs(t), "scripts", "github-action.sh"), step)
	cmd.Dir = dir
	path := os.Getenv("PATH")
	if b, err := os.ReadFile(filepath.Join(runner, "path")); err == nil {
		path = strings.TrimSpace(string(b)) + string(os.PathListSeparator) + path
	}
	cmd.Env = append(cleanEnv(), append([]string{
		"PATH=" + path, "GITHUB_ACTION_PATH=" + repoRootAbs(t), "RUNNER_TEMP=" + runner,
		"GITHUB_PATH=" + filepath.Join(runner, "path"), "GITHUB_OUTPUT=" + filepath.Join(runner, "output"),
		"GITHUB_STEP_SUMMARY=" + filepath.Join(runner, "summary"), "TMPDIR=" + runner,
	}, env...)...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &ee):
		return ee.ExitCode(), string(out)
	}
	t.Fatalf("github-action.sh %s: %v\n%s", step, err, out)
	return 0, ""
}

func repoRootAbs(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// The action's steps, run here as a runner runs them: install builds jpcheck from the checkout
// and puts it on the PATH; conform checks the embedded reference implementation (and a target
// whose key is wrong), writes the report, the summary and the outputs, and always exits 0 so
// the report is uploaded; finish passes conform's exit code on, failing the job on 1.
func TestGitHubAction(t *testing.T) {
	runner := t.TempDir()
	work := filepath.Join(t.TempDir(), "work.repo") // a workspace named like a repository
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	if code, out := actionStep(t, work, runner, "install", "JPCHECK_ACTION_REF=v1.2.3"); code != 0 || !strings.Contains(out, "jpcheck v1.2.3\ncommit ") {
		t.Fatalf("install: exit %d\n%s", code, out)
	}

	consumer := filepath.Join(repoRootAbs(t), "examples", "consumers", "cred-hypercheckout.graphql")
	code, out := actionStep(t, work, runner, "conform", "INPUT_LABEL_FILTER=order-status || errors || offers",
		"INPUT_PROFILE=compat", "INPUT_REPORT_DIR=report", "INPUT_CONSUMERS=\n"+consumer+"\n")
	if code != 0 {
		t.Fatalf("conform step: exit %d (it must always exit 0)\n%s", code, out)
	}
	outputs := string(mustRead(t, filepath.Join(runner, "output")))
	if !strings.Contains(outputs, "exit-code=0\n") || !strings.Contains(outputs, "report=report/index.html\n") {
		t.Errorf("outputs:\n%s\nconform:\n%s", outputs, out)
	}
	summary := string(mustRead(t, filepath.Join(runner, "summary")))
	if !strings.HasPrefix(summary, "## jpcheck: ✅ pass") || !strings.Contains(summary, "cred-hypercheckout") {
		t.Errorf("the step summary is not the passing report's:\n%s", clipOut(summary))
	}
	for _, f := range []string{"index.html", "run.json", "report.md", "junit.xml", "webhooks.jsonl"} {
		if _, err := os.Stat(filepath.Join(work, "report", f)); err != nil {
			t.Errorf("the report lacks %s: %v", f, err)
		}
	}
	if code, out := actionStep(t, work, runner, "finish", "INPUT_EXIT_CODE=0"); code != 0 {
		t.Errorf("finish after a pass: exit %d\n%s", code, out)
	}

	// A target that refuses the key: every spec that calls it fails, the job fails.
	target := startTargetMock(t, mock.Config{APIKey: "the_right_key"})
	os.Remove(filepath.Join(runner, "output"))
	os.Remove(filepath.Join(runner, "summary"))
	code, out = actionStep(t, work, runner, "conform", "INPUT_TARGET="+target, "INPUT_LABEL_FILTER=order-status",
		"INPUT_REPORT_DIR=failing", "JPCHECK_API_KEY=a_wrong_key")
	outputs = string(mustRead(t, filepath.Join(runner, "output")))
	if code != 0 || !strings.Contains(outputs, "exit-code=1\n") {
		t.Fatalf("conform step against a failing target: exit %d, outputs:\n%s\n%s", code, outputs, out)
	}
	if summary := string(mustRead(t, filepath.Join(runner, "summary"))); !strings.HasPrefix(summary, "## jpcheck: ❌ fail") {
		t.Errorf("the step summary is not the failing report's:\n%s", clipOut(summary))
	}
	code, out = actionStep(t, work, runner, "finish", "INPUT_EXIT_CODE=1")
	if code != 1 || !regexp.MustCompile(`contract suites failed`).MatchString(out) {
		t.Errorf("finish after a failure: exit %d, want 1\n%s", code, out)
	}
}
