package kubernetes

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kinit/kinit/internal/testbin"
	"github.com/kinit/kinit/roles"
	"github.com/kinit/kinit/test/image"
)

const root = "../.."

// deployments are the directories of deploy/kubernetes, each one config of
// kinit.toml, with the node id the first pod of each role must get: the
// ordinal plus the offset that config gives the role. The -secure ones are
// overlays of the others with KINIT_SECURITY=sasl_ssl (secure_test.go).
var deployments = []struct {
	dir, config string
	firstID     map[string]int // role -> id of ordinal 0
	secured     bool
}{
	{"production", "production", zkIDs, false},
	{"kraft-production", "kraft-production", kraftIDs, false},
	{"production-secure", "production", zkIDs, true},
	{"kraft-production-secure", "kraft-production", kraftIDs, true},
}

var (
	zkIDs    = map[string]int{"zookeeper": 1, "broker": 1, "schemareg": 1, "gateway": 1}
	kraftIDs = map[string]int{"controller": 1, "broker": 4, "schemareg": 1, "gateway": 1}
)

func load(t *testing.T, dir string) *manifests {
	t.Helper()
	m, err := loadDir(filepath.Join(root, "deploy", "kubernetes", dir))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func shippedConfig(t *testing.T) *roles.Config {
	t.Helper()
	cfg, err := roles.Load(filepath.Join(root, "rootfs", "etc", "kinit", "kinit.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// imageParts is what the Debian Dockerfile says about kinit.
func imageParts(t *testing.T) image.KinitParts {
	t.Helper()
	ins, err := image.ParseDockerfile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	return image.PartsOf(ins)
}

func TestEveryDeploymentDirIsChecked(t *testing.T) {
	dirs, err := os.ReadDir(filepath.Join(root, "deploy", "kubernetes"))
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, d := range dirs {
		if d.IsDir() {
			got = append(got, d.Name())
		}
	}
	for _, d := range deployments {
		want = append(want, d.dir)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("deploy/kubernetes holds %v; these tests check %v", got, want)
	}
}

// A misspelled or misplaced field must fail the decoding, or the strict
// checks below would pass manifests a cluster reads differently.
func TestStrictDecodingRefusesMistakes(t *testing.T) {
	_, err := loadDir(filepath.Join("testdata", "mistakes"))
	if err == nil {
		t.Fatal("the mistakes fixture decoded without error")
	}
	for _, want := range []string{
		`unknown field "spec.template.spec.terminationGracePeriodSecond"`,
		`unknown field "spec.template.spec.containers[0].readinesProbe"`,
		`document 2: apps/v1 Deployment: not a kind these manifests use`,
		`key "replicas" already set in map`,
		`unknown field "spec.selector.matchLabel"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in:\n%v", want, err)
		}
	}
}

// An overlay whose patches miss their object, carry a typo or come two to
// a file, or whose base is not there, must fail the loading, each problem
// named, or the checks would pass an overlay kustomize refuses or applies
// differently.
func TestBrokenOverlayRefused(t *testing.T) {
	m, err := loadDir(filepath.Join("testdata", "mistakes-overlay"))
	if err == nil {
		t.Fatal("the broken overlay loaded without error")
	}
	for _, want := range []string{
		`resource ../no-such-base: stat testdata/no-such-base: no such file or directory`,
		`resource bare: a directory without kustomization.yaml`,
		`misnamed.yaml: patches StatefulSet kafka/kafak, which none of the resources defines (the StatefulSets: kafka/kafka)`,
		`no-namespace.yaml: patches ConfigMap (no namespace: "default")/kinit-env, which none of the resources defines (the ConfigMaps: kafka/kinit-env)`,
		`typo.yaml: unknown field "spec.template.spec.containers[0].volumeMount"`,
		`two.yaml: 2 documents: kustomize's patches take one patch per path`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in:\n%v", want, err)
		}
	}
	// The base itself loaded, and no broken patch changed it.
	if len(m.statefulSets) != 1 || len(m.statefulSets[0].Spec.Template.Spec.Volumes) != 0 || len(m.configMaps["kinit-env"].Data) != 1 {
		t.Errorf("the base was changed by a refused patch: %+v %+v", m.statefulSets, m.configMaps)
	}
}

// Every file of a directory is in its kustomization, as a resource or a
// patch, except a cert-manager Certificate: listed, it would make
// `kubectl apply -k` fail where cert-manager's CRDs are not installed.
func TestKustomizationListsEveryManifest(t *testing.T) {
	for _, d := range deployments {
		m := load(t, d.dir)
		var listed []string
		for _, r := range m.kustomize {
			if slices.Contains(m.certFiles, r) {
				t.Errorf("%s/kustomization.yaml lists %s, a cert-manager Certificate: apply it apart", d.dir, r)
			}
			if !slices.Contains(m.bases, r) {
				listed = append(listed, r)
			}
		}
		listed = append(append(listed, m.patches...), m.certFiles...)
		slices.Sort(listed)
		if !slices.Equal(listed, m.files) {
			t.Errorf("%s/kustomization.yaml lists %v (resources and patches; Certificates apart: %v); the directory holds %v", d.dir, listed, m.certFiles, m.files)
		}
	}
}

func TestNamespaced(t *testing.T) {
	for _, d := range deployments {
		m := load(t, d.dir)
		if len(m.namespaces) != 1 {
			t.Fatalf("%s: want one Namespace, got %d", d.dir, len(m.namespaces))
		}
		ns := m.namespaces[0].Name
		for _, o := range m.objectMetas() {
			if o.Namespace != ns {
				t.Errorf("%s: %s is in namespace %q, not %q", d.dir, o.Name, o.Namespace, ns)
			}
		}
	}
}

// Each StatefulSet has its headless Service (stable pod names, published
// before the pods are ready, so ensemble and quorum members find each
// other) and a PodDisruptionBudget that lets one pod go at a time.
func TestServicesAndBudgets(t *testing.T) {
	for _, d := range deployments {
		m := load(t, d.dir)
		for _, sts := range m.statefulSets {
			where := d.dir + "/" + sts.Name
			labels := sts.Spec.Selector.MatchLabels
			if !maps.Equal(labels, sts.Spec.Template.Labels) {
				t.Errorf("%s: selector %v does not match the pod labels %v", where, labels, sts.Spec.Template.Labels)
			}
			svc, ok := m.services[sts.Spec.ServiceName]
			switch {
			case !ok:
				t.Errorf("%s: serviceName %q names no Service", where, sts.Spec.ServiceName)
			case svc.Spec.ClusterIP != corev1.ClusterIPNone:
				t.Errorf("%s: Service %s is not headless (clusterIP %q)", where, svc.Name, svc.Spec.ClusterIP)
			case !svc.Spec.PublishNotReadyAddresses:
				t.Errorf("%s: Service %s does not publish not-ready pods: peers could not find each other before they are ready", where, svc.Name)
			case !maps.Equal(svc.Spec.Selector, labels):
				t.Errorf("%s: Service %s selects %v, the pods are %v", where, svc.Name, svc.Spec.Selector, labels)
			}
			if sts.Spec.PodManagementPolicy != appsv1.ParallelPodManagement {
				t.Errorf("%s: podManagementPolicy %q: kinit orders the start itself, and OrderedReady waits for a first pod that is ready only with its peers", where, sts.Spec.PodManagementPolicy)
			}
			budgets := 0
			for _, pdb := range m.pdbs {
				if maps.Equal(pdb.Spec.Selector.MatchLabels, labels) {
					budgets++
					if pdb.Spec.MaxUnavailable == nil || pdb.Spec.MaxUnavailable.IntValue() != 1 {
						t.Errorf("%s: PodDisruptionBudget %s: want maxUnavailable 1, got %v", where, pdb.Name, pdb.Spec.MaxUnavailable)
					}
				}
			}
			if budgets != 1 {
				t.Errorf("%s: %d PodDisruptionBudgets select its pods, want 1", where, budgets)
			}
		}
	}
}

// The pod runs the image the way the Dockerfile means it: as its non-root
// user with nothing more, probes through kinit health, data on claims at
// the image's VOLUMEs, and time to stop in order.
func TestPodsAgreeWithImage(t *testing.T) {
	parts := imageParts(t)
	entry, _ := image.ExecForm(parts.Entrypoint)
	health, _ := image.ExecForm(strings.TrimPrefix(parts.Healthcheck[strings.Index(parts.Healthcheck, "CMD"):], "CMD"))
	uid, gid, _ := strings.Cut(parts.User, ":")
	tag := imageTag(t)
	for _, d := range deployments {
		m := load(t, d.dir)
		for _, sts := range m.statefulSets {
			where := d.dir + "/" + sts.Name
			spec := sts.Spec.Template.Spec
			if len(spec.Containers) != 1 || len(spec.InitContainers) != 0 {
				t.Errorf("%s: want one container (kinit runs the role's services), got %d and %d init", where, len(spec.Containers), len(spec.InitContainers))
				continue
			}
			c := spec.Containers[0]
			if c.Image != tag {
				t.Errorf("%s: image %q, make image builds %q", where, c.Image, tag)
			}
			if len(c.Command) != 0 || len(c.Args) != 0 {
				t.Errorf("%s: command/args %v %v replace the image's ENTRYPOINT %v: kinit would not be PID 1", where, c.Command, c.Args, entry)
			}
			if spec.ShareProcessNamespace != nil && *spec.ShareProcessNamespace {
				t.Errorf("%s: shareProcessNamespace makes the pause process PID 1, not kinit", where)
			}
			if got := probeCommand(c.ReadinessProbe); !slices.Equal(got, health) {
				t.Errorf("%s: readiness probe %v, want the HEALTHCHECK's %v", where, got, health)
			}
			if got, want := probeCommand(c.LivenessProbe), append(slices.Clone(health), "--live"); !slices.Equal(got, want) {
				t.Errorf("%s: liveness probe %v, want %v", where, got, want)
			}
			if c.StartupProbe != nil {
				t.Errorf("%s: a startup probe would hold liveness back; kinit health --live already passes while services start", where)
			}

			ps := spec.SecurityContext
			if ps == nil || ps.RunAsNonRoot == nil || !*ps.RunAsNonRoot || ps.RunAsUser == nil || ps.RunAsGroup == nil || ps.FSGroup == nil {
				t.Errorf("%s: pod securityContext must set runAsNonRoot, runAsUser, runAsGroup and fsGroup: %+v", where, ps)
			} else if strconv.FormatInt(*ps.RunAsUser, 10) != uid || strconv.FormatInt(*ps.RunAsGroup, 10) != gid || strconv.FormatInt(*ps.FSGroup, 10) != gid {
				t.Errorf("%s: runs as %d:%d with fsGroup %d; the image's USER is %s, whose volumes need its group", where, *ps.RunAsUser, *ps.RunAsGroup, *ps.FSGroup, parts.User)
			}
			cs := c.SecurityContext
			if cs == nil || cs.AllowPrivilegeEscalation == nil || *cs.AllowPrivilegeEscalation || cs.Capabilities == nil ||
				!slices.Equal(cs.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(cs.Capabilities.Add) != 0 || (cs.Privileged != nil && *cs.Privileged) {
				t.Errorf("%s: container securityContext must drop ALL capabilities, add none and forbid privilege escalation: %+v", where, cs)
			}

			claims := map[string]bool{}
			for _, v := range sts.Spec.VolumeClaimTemplates {
				claims[v.Name] = false
			}
			for _, vm := range c.VolumeMounts {
				if _, ok := claims[vm.Name]; ok {
					claims[vm.Name] = true
					if !slices.Contains(parts.Volumes, vm.MountPath) {
						t.Errorf("%s: claim %s mounted at %s, which is none of the image's VOLUMEs %v", where, vm.Name, vm.MountPath, parts.Volumes)
					}
				}
			}
			for name, mounted := range claims {
				if !mounted {
					t.Errorf("%s: volumeClaimTemplate %s is mounted nowhere", where, name)
				}
			}
			if c.Resources.Limits.Memory().IsZero() || c.Resources.Limits.Cpu().IsZero() {
				t.Errorf("%s: no memory or cpu limit: kinit sizes the heaps and ActiveProcessorCount from them", where)
			}
		}
	}
}

func probeCommand(p *corev1.Probe) []string {
	if p == nil || p.Exec == nil {
		return nil
	}
	return p.Exec.Command
}

// imageTag is the tag scripts/image.sh (make image) builds.
func imageTag(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "scripts", "image.sh"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`tag=\$\{IMAGE_TAG:-([^}]+)\}`).FindSubmatch(data)
	if m == nil {
		t.Fatal("scripts/image.sh: no default tag")
	}
	return string(m[1])
}

// Ports: what the Service and the container declare is what the role's
// services listen on under that config, no more and no fewer.
func TestPortsAgreeWithConfig(t *testing.T) {
	cfg := shippedConfig(t)
	for _, d := range deployments {
		m := load(t, d.dir)
		for _, sts := range m.statefulSets {
			where := d.dir + "/" + sts.Name
			role, err := roleOf(sts)
			if err != nil {
				t.Error(where, err)
				continue
			}
			env, err := podsOf(sts)[0].env(m.configMaps)
			if err != nil {
				t.Fatal(where, err)
			}
			env["KINIT_DATA_DIR"] = t.TempDir()
			n, err := roles.Resolve(cfg, roles.Env(env))
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			var want []int32
			for _, s := range n.Services {
				if s.OneShot {
					continue
				}
				if s.Port != 0 {
					want = append(want, int32(s.Port))
				}
				for name, p := range s.Ports {
					// A broker's controller port is where it reaches the
					// quorum; it listens there only when combined.
					if name == "controller" && s.Kind == "kafka" && !roles.Combined(n, s) {
						continue
					}
					// The external listener binds only with
					// KINIT_EXTERNAL_ADVERTISED.
					if name == roles.ExternalPortName && !n.External.Enabled() {
						continue
					}
					// The metrics agent listens on loopback only.
					if name == roles.AgentPortName {
						continue
					}
					if !slices.Contains(want, int32(p)) {
						want = append(want, int32(p))
					}
				}
			}
			slices.Sort(want)
			var container, service []int32
			for _, p := range sts.Spec.Template.Spec.Containers[0].Ports {
				container = append(container, p.ContainerPort)
			}
			for _, p := range m.services[sts.Spec.ServiceName].Spec.Ports {
				service = append(service, p.Port)
			}
			slices.Sort(container)
			slices.Sort(service)
			if !slices.Equal(container, want) || !slices.Equal(service, want) {
				t.Errorf("%s (role %s of %s): container ports %v, Service ports %v; its services listen on %v", where, role, d.config, container, service, want)
			}
		}
	}
}

func roleOf(sts *appsv1.StatefulSet) (string, error) {
	for _, e := range sts.Spec.Template.Spec.Containers[0].Env {
		if e.Name == roles.EnvRole {
			return e.Value, nil
		}
	}
	return "", fmt.Errorf("sets no %s", roles.EnvRole)
}

// For every pod ordinal, the environment that pod would see goes through
// the real `kinit check` with the container's cgroup limits: exit 0, the
// id the ordinal gives, its own FQDN, and the same members (ids and hosts)
// as every other pod, which are exactly the pods of the manifests.
func TestEveryPodPassesKinitCheck(t *testing.T) {
	kinit, err := testbin.Build(testbin.Kinit)
	if err != nil {
		t.Fatal(err)
	}
	config, _ := filepath.Abs(filepath.Join(root, "rootfs", "etc", "kinit", "kinit.toml"))
	for _, d := range deployments {
		m := load(t, d.dir)
		// Every pod of the deployment by role, with the id it must have.
		want := map[string][]member{}
		for _, sts := range m.statefulSets {
			role, err := roleOf(sts)
			if err != nil {
				t.Fatal(sts.Name, err)
			}
			first, ok := d.firstID[role]
			if !ok {
				t.Fatalf("%s/%s: role %q has no expected first id", d.dir, sts.Name, role)
			}
			for _, p := range podsOf(sts) {
				want[role] = append(want[role], member{id: first + p.ordinal, host: p.name + "." + sts.Spec.ServiceName + "." + p.namespace + ".svc"})
			}
		}
		for _, sts := range m.statefulSets {
			role, _ := roleOf(sts)
			stop := time.Duration(0)
			for _, p := range podsOf(sts) {
				t.Run(d.dir+"/"+p.name, func(t *testing.T) {
					env, err := p.env(m.configMaps)
					if err != nil {
						t.Fatal(err)
					}
					tmp := t.TempDir()
					cg := filepath.Join(tmp, "cgroup")
					if err := cgroupTree(cg, sts.Spec.Template.Spec.Containers[0].Resources.Limits); err != nil {
						t.Fatal(err)
					}
					env["PATH"] = os.Getenv("PATH")
					env[roles.EnvConfig] = config
					env["KINIT_DATA_DIR"] = filepath.Join(tmp, "var", "lib")
					env["KINIT_CGROUP_ROOT"] = cg
					if d.secured {
						mountSecrets(t, m, sts, env, tmp)
					}
					got, code, err := runCheck(kinit, env)
					if err != nil || code != 0 {
						t.Fatalf("kinit check: exit %d, %v:\n%s", code, err, got.output)
					}
					if strings.Contains(got.output, "warning") {
						t.Errorf("kinit check warns:\n%s", got.output)
					}
					// A secured node's plan names what KINIT_SECURITY sets
					// (listeners, stores, logins); a plaintext one's nothing.
					if secured := strings.Contains(got.output, "from "+roles.EnvSecurity); secured != d.secured {
						t.Errorf("kinit check shows settings from %s: %v, want %v:\n%s", roles.EnvSecurity, secured, d.secured, got.output)
					}
					self := member{id: d.firstID[role] + p.ordinal, host: p.name + "." + sts.Spec.ServiceName + "." + p.namespace + ".svc"}
					if got.id != self.id || got.fqdn != self.host {
						t.Errorf("id %d, fqdn %s; want %d, %s", got.id, got.fqdn, self.id, self.host)
					}
					limit := sts.Spec.Template.Spec.Containers[0].Resources.Limits.Memory().Value() >> 20
					if !strings.HasPrefix(got.memory, strconv.FormatInt(limit, 10)+" MiB (cgroup") {
						t.Errorf("memory %q, want the pod's limit of %d MiB from the cgroup", got.memory, limit)
					}
					for r, ms := range want {
						var gotMs []member
						for _, mb := range got.members[r] {
							if mb.self != (r == role && mb.host == self.host) {
								t.Errorf("member %s %s marked self=%v", r, mb.host, mb.self)
							}
							gotMs = append(gotMs, member{id: mb.id, host: mb.host})
						}
						if !slices.Equal(gotMs, ms) {
							t.Errorf("members of %s: %v, want %v", r, gotMs, ms)
						}
					}
					if len(got.members) != len(want) {
						t.Errorf("roles in the member list: %d, the manifests run %d", len(got.members), len(want))
					}
					stop, err = time.ParseDuration(env["KINIT_STOP_TIMEOUT"])
					if err != nil {
						t.Fatalf("KINIT_STOP_TIMEOUT: %v", err)
					}
					grace := time.Duration(*sts.Spec.Template.Spec.TerminationGracePeriodSeconds) * time.Second
					// kinit's stop takes KINIT_STOP_TIMEOUT plus at most 1 s
					// (docs/supervision.md); the kubelet's SIGKILL must come later.
					if grace <= stop+time.Second {
						t.Errorf("terminationGracePeriodSeconds %v is not above KINIT_STOP_TIMEOUT %v + 1s: the kubelet would SIGKILL an ordered stop", grace, stop)
					}
				})
			}
		}
	}
}
