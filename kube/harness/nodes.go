package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// node is one kubelet with its own containerd. Three share this machine:
// each reports the machine's two CPUs, so together they can place what the
// StatefulSets request (five CPUs for kraft-production), as three small
// hosts would; one node could not admit them.
type node struct {
	c      *cluster
	index  int
	name   string
	bridge string
	subnet string // the node's pod addresses
	cgroup string // the kubelet's cgroup root, one per node so they never share
}

func newNode(c *cluster, i int) node {
	return node{
		c:      c,
		index:  i,
		name:   fmt.Sprintf("node-%d", i),
		bridge: fmt.Sprintf("kkbr%d", i),
		subnet: fmt.Sprintf("10.244.%d.0/24", i),
		cgroup: fmt.Sprintf("/kinit-kube-node-%d", i),
	}
}

func (n node) path(elem ...string) string {
	return n.c.path(append([]string{"nodes", n.name}, elem...)...)
}

func (n node) kubeconfig() string { return n.c.path("pki", n.name+".kubeconfig") }
func (n node) socket() string     { return n.path("containerd.sock") }
func (n node) kubeletPort() int   { return 10350 + n.index }
func (n node) healthzPort() int   { return 10360 + n.index }

func (c *cluster) startNodes(ctx context.Context) error {
	for _, n := range c.nodes {
		if err := n.startContainerd(ctx); err != nil {
			return err
		}
	}
	// The images go into every node's store at once: the import is mostly
	// unpacking, which the two CPUs share.
	var wg sync.WaitGroup
	errs := make([]error, len(c.nodes))
	for i, n := range c.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = n.importImages(ctx)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for _, n := range c.nodes {
		if err := n.startKubelet(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (n node) startContainerd(ctx context.Context) error {
	for _, d := range []string{"cni", "cni-ipam", "containerd/root", "containerd/state", "kubelet"} {
		if err := os.MkdirAll(n.path(d), 0o755); err != nil {
			return err
		}
	}
	cni := fmt.Sprintf(`{
  "cniVersion": "1.0.0",
  "name": "kinit-test-%[1]s",
  "plugins": [
    {"type": "bridge", "bridge": %[2]q, "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "dataDir": %[3]q, "ranges": [[{"subnet": %[4]q}]], "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "loopback"}
  ]
}
`, n.name, n.bridge, n.path("cni-ipam"), n.subnet)
	if err := os.WriteFile(n.path("cni", "10-kinit.conflist"), []byte(cni), 0o644); err != nil {
		return err
	}
	// restrict_oom_score_adj: without CAP_SYS_RESOURCE (as here) runc cannot
	// lower a container's OOM score below its parent's, and every sandbox
	// failed to start until containerd stopped asking it to.
	config := fmt.Sprintf(`version = 2
root = %q
state = %q
[grpc]
  address = %q
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %q
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = %q
`, n.path("containerd/root"), n.path("containerd/state"), n.socket(), pauseImage, n.path("cni"))
	if err := os.WriteFile(n.path("containerd.toml"), []byte(config), 0o644); err != nil {
		return err
	}
	if err := n.c.start(n.name+"-containerd", "/usr/bin/containerd", "--config", n.path("containerd.toml")); err != nil {
		return err
	}
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := n.ctr(ctx, "version"); err == nil {
			return nil
		} else if time.Now().After(deadline) || n.c.livePid(n.name+"-containerd") == 0 {
			return fmt.Errorf("%s containerd: %v: %s", n.name, err, n.c.logTail(n.name+"-containerd"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (n node) importImages(ctx context.Context) error {
	for _, tar := range []string{n.c.path("images", "pause.tar"), n.c.path("images", "kinit.tar")} {
		if _, err := n.ctr(ctx, "-n", "k8s.io", "images", "import", tar); err != nil {
			return err
		}
	}
	return nil
}

func (n node) ctr(ctx context.Context, args ...string) (string, error) {
	return run(ctx, "ctr", append([]string{"--address", n.socket()}, args...)...)
}

func (n node) startKubelet(ctx context.Context) error {
	if err := n.makeCgroups(); err != nil {
		return err
	}
	pki := func(f string) string { return n.c.path("pki", f) }
	cfg := map[string]any{
		"apiVersion": "kubelet.config.k8s.io/v1beta1",
		"kind":       "KubeletConfiguration",
		// This machine's cgroups are v1 (hybrid); kubelet 1.35+ refuses them
		// unless told, and containerd 1.6 drives cgroupfs, so the kubelet must too.
		"failCgroupV1":       false,
		"cgroupDriver":       "cgroupfs",
		"cgroupRoot":         n.cgroup,
		"address":            hostIP,
		"port":               n.kubeletPort(),
		"readOnlyPort":       0,
		"healthzBindAddress": "127.0.0.1",
		"healthzPort":        n.healthzPort(),
		"authentication": map[string]any{
			"anonymous": map[string]any{"enabled": false},
			"webhook":   map[string]any{"enabled": false},
			"x509":      map[string]any{"clientCAFile": pki("ca.crt")},
		},
		// The API server is the only client (exec, logs), with an admin
		// certificate; the kubelet has no other user to tell apart.
		"authorization":            map[string]any{"mode": "AlwaysAllow"},
		"tlsCertFile":              pki(n.name + "-serving.crt"),
		"tlsPrivateKeyFile":        pki(n.name + "-serving.key"),
		"clusterDNS":               []string{hostIP},
		"clusterDomain":            dnsDomain,
		"resolvConf":               "",
		"containerRuntimeEndpoint": "unix://" + n.socket(),
		"failSwapOn":               false,
		// Without CAP_SYS_RESOURCE the kubelet cannot lower its own score.
		"oomScoreAdj": 0,
		// The machine's disk is shared by three nodes and the rest of the
		// tests: evict on real exhaustion only.
		"evictionHard": map[string]string{
			"memory.available": "200Mi", "nodefs.available": "2%", "imagefs.available": "2%",
		},
		"imageGCHighThresholdPercent": 99,
		"imageGCLowThresholdPercent":  98,
		"serializeImagePulls":         false,
		"volumeStatsAggPeriod":        "0s",
	}
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(n.path("kubelet.json"), data, 0o644); err != nil {
		return err
	}
	err = n.c.start(n.name+"-kubelet", filepath.Join(n.c.bin, "kubelet"),
		"--config", n.path("kubelet.json"),
		"--kubeconfig", n.kubeconfig(),
		"--hostname-override", n.name,
		"--node-ip", hostIP,
		"--root-dir", n.path("kubelet"),
		"--cert-dir", n.path("kubelet", "pki"),
		"--v", "1")
	if err != nil {
		return err
	}
	return n.c.waitHTTP(ctx, n.name+"-kubelet", fmt.Sprintf("http://127.0.0.1:%d/healthz", n.healthzPort()), nil, 2*time.Minute)
}

// makeCgroups creates the node's cgroup root in every v1 hierarchy (the
// kubelet refuses a root that is missing from one).
func (n node) makeCgroups() error {
	for _, h := range cgroupHierarchies() {
		if err := os.MkdirAll(filepath.Join(h, n.cgroup), 0o755); err != nil {
			return err
		}
	}
	return nil
}

func cgroupHierarchies() []string {
	entries, _ := os.ReadDir("/sys/fs/cgroup")
	var out []string
	for _, e := range entries {
		if e.IsDir() && !strings.Contains(e.Name(), ",") {
			out = append(out, filepath.Join("/sys/fs/cgroup", e.Name()))
		}
	}
	return out
}

// waitNodesReady waits for every node's Ready condition.
func (c *cluster) waitNodesReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		missing, err := c.notReadyNodes(ctx)
		if err == nil && len(missing) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nodes not Ready after %s: %v %v", limit, missing, err)
		}
		time.Sleep(time.Second)
	}
}

func (c *cluster) notReadyNodes(ctx context.Context) ([]string, error) {
	out, err := c.kubectl(ctx, "", "get", "nodes", "-o", "json")
	if err != nil {
		return nil, err
	}
	var list struct {
		Items []struct {
			Metadata struct{ Name string }
			Status   struct {
				Conditions []struct{ Type, Status string }
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		return nil, err
	}
	ready := map[string]bool{}
	for _, it := range list.Items {
		for _, cond := range it.Status.Conditions {
			if cond.Type == "Ready" && cond.Status == "True" {
				ready[it.Metadata.Name] = true
			}
		}
	}
	var missing []string
	for _, n := range c.nodes {
		if !ready[n.name] {
			missing = append(missing, n.name)
		}
	}
	return missing, nil
}
