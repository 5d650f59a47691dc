package kubernetes

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// pod is one replica of a StatefulSet as the cluster would name it.
type pod struct {
	sts       *appsv1.StatefulSet
	ordinal   int
	name      string // <statefulset>-<ordinal>, also its hostname
	namespace string
}

func podsOf(sts *appsv1.StatefulSet) []pod {
	var out []pod
	for i := range int(*sts.Spec.Replicas) {
		out = append(out, pod{sts: sts, ordinal: i, name: fmt.Sprintf("%s-%d", sts.Name, i), namespace: sts.Namespace})
	}
	return out
}

// env is the environment the kubelet gives the pod's first container:
// envFrom first, then env in order, each value with $(VAR) expanded from
// what is already defined, fieldRefs from the pod, plus the variables every
// pod gets (HOSTNAME, KUBERNETES_SERVICE_HOST, which turns kinit's ordinals
// on).
func (p pod) env(cms map[string]*corev1.ConfigMap) (map[string]string, error) {
	c := p.sts.Spec.Template.Spec.Containers[0]
	env := map[string]string{
		"HOSTNAME":                p.name,
		"KUBERNETES_SERVICE_HOST": "10.96.0.1",
		"KUBERNETES_SERVICE_PORT": "443",
	}
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef == nil {
			return nil, fmt.Errorf("envFrom other than a ConfigMap")
		}
		cm, ok := cms[from.ConfigMapRef.Name]
		if !ok {
			return nil, fmt.Errorf("envFrom names ConfigMap %q, which is not in the manifests", from.ConfigMapRef.Name)
		}
		for k, v := range cm.Data {
			env[from.Prefix+k] = v
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = expand(e.Value, env)
		case e.ValueFrom.FieldRef != nil:
			switch e.ValueFrom.FieldRef.FieldPath {
			case "metadata.name":
				env[e.Name] = p.name
			case "metadata.namespace":
				env[e.Name] = p.namespace
			default:
				return nil, fmt.Errorf("env %s: fieldRef %s is not one these checks know", e.Name, e.ValueFrom.FieldRef.FieldPath)
			}
		case e.ValueFrom.ConfigMapKeyRef != nil:
			ref := e.ValueFrom.ConfigMapKeyRef
			v, ok := cms[ref.Name].Data[ref.Key]
			if cms[ref.Name] == nil || !ok {
				return nil, fmt.Errorf("env %s: no key %q in ConfigMap %q", e.Name, ref.Key, ref.Name)
			}
			env[e.Name] = v
		default:
			return nil, fmt.Errorf("env %s: a valueFrom these checks do not know", e.Name)
		}
	}
	return env, nil
}

// expand does the kubelet's $(VAR) expansion: a defined VAR is replaced,
// $$ is a literal $, anything else stays as written.
func expand(s string, env map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
			continue
		case '(':
			if end := strings.IndexByte(s[i:], ')'); end > 0 {
				if v, ok := env[s[i+2:i+end]]; ok {
					b.WriteString(v)
					i += end
					continue
				}
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// cgroupTree writes the cgroup v2 files a container with these limits sees
// (memory.max, cpu.max), under root, in the layout KINIT_CGROUP_ROOT reads.
func cgroupTree(root string, limits corev1.ResourceList) error {
	mem := limits.Memory().Value()
	cpu := limits.Cpu().MilliValue()
	files := map[string]string{
		"proc/self/cgroup":                 "0::/\n",
		"proc/self/mountinfo":              "22 1 0:20 / / rw,relatime - overlay overlay rw\n30 22 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate\n",
		"proc/meminfo":                     "MemTotal:       65807716 kB\nMemFree:        30000000 kB\nMemAvailable:   40000000 kB\n",
		"sys/fs/cgroup/cgroup.controllers": "cpuset cpu io memory pids\n",
		"sys/fs/cgroup/memory.current":     "4096\n",
		"sys/fs/cgroup/memory.max":         fmt.Sprintf("%d\n", mem),
		"sys/fs/cgroup/cpu.weight":         "100\n",
		"sys/fs/cgroup/cpu.max":            fmt.Sprintf("%d 100000\n", cpu*100),
		"sys/devices/system/cpu/online":    "0-15\n",
	}
	for f, content := range files {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}
