package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// The manifests in deploy/kubernetes are decoded with the Kubernetes API types, strictly (an
// unknown or misspelt field fails, as `kubectl apply --validate=strict` would), and the
// fields the sharded run and the periodic check depend on are checked. Container args are
// parsed by jpcheck's own command line, after the $(VAR) references Kubernetes expands.

const kubeDir = "../../deploy/kubernetes"

// kustomization is the subset of kustomize's Kustomization these manifests use; decoding it
// strictly makes any other field a failure, so this test grows with them.
type kustomization struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Labels     []struct {
		Pairs map[string]string `json:"pairs"`
	} `json:"labels"`
	Resources          []string `json:"resources"`
	ConfigMapGenerator []struct {
		Name     string   `json:"name"`
		Literals []string `json:"literals"`
		Files    []string `json:"files"`
	} `json:"configMapGenerator"`
	Images []struct {
		Name    string `json:"name"`
		NewName string `json:"newName"`
		NewTag  string `json:"newTag"`
	} `json:"images"`
}

type kubeOverlay struct {
	dir     string
	kust    kustomization
	values  map[string]string // configMapGenerator literals
	objects map[string]any    // by kind/name
}

func readOverlay(t *testing.T, name string) *kubeOverlay {
	t.Helper()
	dir := filepath.Join(kubeDir, name)
	o := &kubeOverlay{dir: dir, values: map[string]string{}, objects: map[string]any{}}
	strictYAML(t, filepath.Join(dir, "kustomization.yaml"), &o.kust)
	if o.kust.APIVersion != "kustomize.config.k8s.io/v1beta1" || o.kust.Kind != "Kustomization" {
		t.Fatalf("%s: not a Kustomization: %s %s", dir, o.kust.APIVersion, o.kust.Kind)
	}
	for _, g := range o.kust.ConfigMapGenerator {
		for _, l := range g.Literals {
			k, v, ok := strings.Cut(l, "=")
			if !ok {
				t.Fatalf("%s: configMapGenerator %s: literal %q is not KEY=VALUE", dir, g.Name, l)
			}
			o.values[k] = v
		}
		for _, f := range g.Files {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%s: configMapGenerator %s: %v", dir, g.Name, err)
			}
		}
	}
	listed := map[string]bool{"kustomization.yaml": true}
	for _, res := range o.kust.Resources {
		listed[res] = true
		path := filepath.Join(dir, res)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var meta struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(b, &meta); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var obj any
		switch meta.Kind {
		case "Job":
			obj = &batchv1.Job{}
		case "CronJob":
			obj = &batchv1.CronJob{}
		case "PersistentVolumeClaim":
			obj = &corev1.PersistentVolumeClaim{}
		default:
			t.Fatalf("%s: kind %q has no decoder in this test: add it", path, meta.Kind)
		}
		strictYAML(t, path, obj)
		o.objects[meta.Kind+"/"+meta.Metadata.Name] = obj
	}
	// Every YAML file of the overlay is a resource: a manifest left out of kustomization.yaml
	// would never be applied.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") && !listed[e.Name()] {
			t.Errorf("%s: %s is not listed in kustomization.yaml's resources", dir, e.Name())
		}
	}
	return o
}

func strictYAML(t *testing.T, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(b, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func (o *kubeOverlay) object(t *testing.T, key string) any {
	t.Helper()
	obj, ok := o.objects[key]
	if !ok {
		t.Fatalf("%s: no %s", o.dir, key)
	}
	return obj
}

var kubeVarRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// expandArgs replaces $(VAR) as the kubelet does, with the values a pod would see: the
// configMapGenerator literals for configMapKeyRef, vars for the rest. A reference to a
// variable the container does not declare is an error: Kubernetes would pass it verbatim.
func (o *kubeOverlay) expandArgs(t *testing.T, c corev1.Container, vars map[string]string) []string {
	t.Helper()
	env := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil:
			v, ok := o.values[e.ValueFrom.ConfigMapKeyRef.Key]
			if !ok {
				t.Errorf("%s: env %s reads key %s, which no configMapGenerator literal sets", o.dir, e.Name, e.ValueFrom.ConfigMapKeyRef.Key)
			}
			env[e.Name] = v
		case e.ValueFrom != nil:
			env[e.Name] = vars[e.Name]
		default:
			env[e.Name] = e.Value
		}
	}
	var out []string
	for _, a := range c.Args {
		out = append(out, kubeVarRef.ReplaceAllStringFunc(a, func(ref string) string {
			name := ref[2 : len(ref)-1]
			v, ok := env[name]
			if !ok {
				t.Errorf("%s: arg %q references $(%s), which the container does not declare", o.dir, a, name)
			}
			return v
		}))
	}
	return out
}

// parseArgs runs jpcheck's command line over args as far as flag parsing: every flag must
// exist and its value parse.
func parseArgs(t *testing.T, args []string) map[string]string {
	t.Helper()
	root := newRootCmd(streams{out: &strings.Builder{}, err: &strings.Builder{}})
	cmd, rest, err := root.Find(args)
	if err != nil {
		t.Fatalf("jpcheck %s: %v", strings.Join(args, " "), err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatalf("jpcheck %s: %v", strings.Join(args, " "), err)
	}
	got := map[string]string{"command": cmd.CommandPath(), "args": strings.Join(cmd.Flags().Args(), " ")}
	for _, a := range rest {
		if name, ok := strings.CutPrefix(a, "--"); ok {
			name, _, _ = strings.Cut(name, "=")
			if f := cmd.Flags().Lookup(name); f != nil {
				got[name] = f.Value.String()
			}
		}
	}
	return got
}

// checkPodBasics: credentials from the Secret only, never retried in place, not root.
func checkPodBasics(t *testing.T, where string, spec corev1.PodSpec) corev1.Container {
	t.Helper()
	if spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("%s: restartPolicy %q, want Never", where, spec.RestartPolicy)
	}
	if len(spec.Containers) != 1 {
		t.Fatalf("%s: %d containers, want 1", where, len(spec.Containers))
	}
	c := spec.Containers[0]
	if c.Image != "jpcheck" {
		t.Errorf("%s: image %q, want jpcheck (set by kustomization images)", where, c.Image)
	}
	if sc := spec.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Errorf("%s: the pod must run as non-root", where)
	}
	return c
}

func checkCredentials(t *testing.T, where string, c corev1.Container) {
	t.Helper()
	for _, name := range []string{"JPCHECK_API_KEY", "JPCHECK_MERCHANT_ID"} {
		i := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == name })
		if i < 0 {
			t.Errorf("%s: no %s in env", where, name)
			continue
		}
		e := c.Env[i]
		if e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil ||
			e.ValueFrom.SecretKeyRef.Name != "jpcheck-credentials" || e.ValueFrom.SecretKeyRef.Key != name {
			t.Errorf("%s: %s must come from secret jpcheck-credentials key %s, got %+v", where, name, name, e)
		}
	}
	for _, a := range c.Args {
		if strings.HasPrefix(a, "--api-key") || strings.HasPrefix(a, "--merchant-id") {
			t.Errorf("%s: credentials passed as an argument (%s): they belong in the Secret", where, a)
		}
	}
}

// checkGuaranteed: requests equal limits for CPU and memory, and the CPU is whole cores.
func checkGuaranteed(t *testing.T, where string, c corev1.Container) {
	t.Helper()
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, okr := c.Resources.Requests[r]
		lim, okl := c.Resources.Limits[r]
		if !okr || !okl || req.Cmp(lim) != 0 {
			t.Errorf("%s: %s request %v and limit %v must be set and equal (Guaranteed QoS)", where, r, req.String(), lim.String())
		}
	}
	cpu := c.Resources.Limits[corev1.ResourceCPU]
	if cpu.MilliValue()%1000 != 0 || cpu.MilliValue() == 0 {
		t.Errorf("%s: cpu %s is not a whole number of CPUs", where, cpu.String())
	}
}

func checkVolumeClaim(t *testing.T, where string, spec corev1.PodSpec, c corev1.Container, mount, claim string) {
	t.Helper()
	var vol string
	for _, m := range c.VolumeMounts {
		if m.MountPath == mount {
			vol = m.Name
		}
	}
	i := slices.IndexFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == vol })
	if vol == "" || i < 0 || spec.Volumes[i].PersistentVolumeClaim == nil || spec.Volumes[i].PersistentVolumeClaim.ClaimName != claim {
		t.Errorf("%s: %s must be the volume of claim %s", where, mount, claim)
	}
}

func TestKubernetesShardedRun(t *testing.T) {
	o := readOverlay(t, "sharded")
	pvc := o.object(t, "PersistentVolumeClaim/jpcheck-results").(*corev1.PersistentVolumeClaim)
	if !slices.Contains(pvc.Spec.AccessModes, corev1.ReadWriteMany) {
		t.Errorf("the results volume is shared by pods on several nodes: it must be ReadWriteMany, got %v", pvc.Spec.AccessModes)
	}
	if _, err := time.Parse(time.RFC3339, o.values["START_AT"]); err != nil {
		t.Errorf("START_AT %q is not RFC 3339", o.values["START_AT"])
	}

	shards := o.object(t, "Job/jpcheck-load-shards").(*batchv1.Job)
	js := shards.Spec
	if js.CompletionMode == nil || *js.CompletionMode != batchv1.IndexedCompletion {
		t.Errorf("shards: completionMode must be Indexed")
	}
	if js.Completions == nil || js.Parallelism == nil || *js.Completions != *js.Parallelism || *js.Completions < 2 {
		t.Fatalf("shards: completions and parallelism must be equal (every shard runs at once) and at least 2")
	}
	n := int(*js.Completions)
	if js.BackoffLimit == nil || *js.BackoffLimit != 0 {
		t.Errorf("shards: backoffLimit must be 0: a retried shard would miss the start")
	}
	c := checkPodBasics(t, "shards", js.Template.Spec)
	checkCredentials(t, "shards", c)
	checkGuaranteed(t, "shards", c)
	checkVolumeClaim(t, "shards", js.Template.Spec, c, "/results", pvc.Name)
	tsc := js.Template.Spec.TopologySpreadConstraints
	if len(tsc) == 0 || tsc[0].TopologyKey != "kubernetes.io/hostname" || tsc[0].MaxSkew != 1 ||
		tsc[0].LabelSelector == nil || tsc[0].LabelSelector.MatchLabels["jpcheck.dev/role"] != js.Template.Labels["jpcheck.dev/role"] {
		t.Errorf("shards: want a topology spread over kubernetes.io/hostname, maxSkew 1, selecting the shard pods: %+v", tsc)
	}
	if !slices.Contains(c.Args, "$(JOB_COMPLETION_INDEX)/"+strconv.Itoa(n)) {
		t.Errorf("shards: args must say --shard $(JOB_COMPLETION_INDEX)/%d (the completions): %v", n, c.Args)
	}
	outs := map[string]bool{}
	for i := range n {
		args := o.expandArgs(t, c, map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i)})
		got := parseArgs(t, args)
		if got["command"] != "jpcheck load" || got["shard"] != strconv.Itoa(i)+"/"+strconv.Itoa(n) ||
			got["start-at"] == "" || got["run-id"] != o.values["RUN_ID"] || !strings.HasPrefix(got["out"], "/results/") {
			t.Errorf("shard %d runs %v", i, got)
		}
		outs[got["out"]] = true
	}
	if len(outs) != n {
		t.Errorf("the %d shards must write to %d different --out directories, got %v", n, n, outs)
	}

	merge := o.object(t, "Job/jpcheck-load-merge").(*batchv1.Job)
	mc := checkPodBasics(t, "merge", merge.Spec.Template.Spec)
	checkGuaranteed(t, "merge", mc)
	checkVolumeClaim(t, "merge", merge.Spec.Template.Spec, mc, "/results", pvc.Name)
	got := parseArgs(t, o.expandArgs(t, mc, nil))
	runDir := "/results/" + o.values["RUN_ID"]
	if got["command"] != "jpcheck load merge" || got["wait"] == "" || got["wait"] == "0s" || got["args"] != runDir || got["report"] == "" {
		t.Errorf("merge runs %v; want jpcheck load merge --wait D --report DIR %s", got, runDir)
	}
	for dir := range outs {
		if filepath.Dir(dir) != runDir {
			t.Errorf("shard output %s is not in the directory the merge reads, %s", dir, runDir)
		}
	}
}

func TestKubernetesPeriodicCheck(t *testing.T) {
	o := readOverlay(t, "cron")
	cj := o.object(t, "CronJob/jpcheck-slo-check").(*batchv1.CronJob)
	if cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		t.Errorf("cron: concurrencyPolicy must be Forbid (one writer of the history)")
	}
	if cj.Spec.Schedule == "" {
		t.Errorf("cron: no schedule")
	}
	jt := cj.Spec.JobTemplate.Spec
	if jt.BackoffLimit == nil || *jt.BackoffLimit != 0 {
		t.Errorf("cron: backoffLimit must be 0: a failed SLO is a result")
	}
	c := checkPodBasics(t, "cron", jt.Template.Spec)
	checkCredentials(t, "cron", c)
	checkGuaranteed(t, "cron", c)
	checkVolumeClaim(t, "cron", jt.Template.Spec, c, "/history", "jpcheck-history")
	got := parseArgs(t, o.expandArgs(t, c, nil))
	if got["command"] != "jpcheck load" || got["history"] == "" || got["window"] == "" || got["window"] == "0s" {
		t.Errorf("cron runs %v; want jpcheck load --history DIR --window D", got)
	}
	if !strings.HasPrefix(got["history"], "/history/") {
		t.Errorf("cron: --history %s is not on the history volume", got["history"])
	}
}
