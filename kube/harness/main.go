// Command harness brings up and tears down the Kubernetes that kinit's
// StatefulSets are tested on (docs/kubernetes.md): etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler and CoreDNS, and three nodes, each
// a containerd and a kubelet, all as processes of this machine built from
// source by scripts/kube-build.sh. `make kube-up` and `make kube-down` run it.
//
//	harness up     start what is not running (after removing what a crashed
//	               run left), import the images, return once every node is Ready
//	harness down   stop everything up started and remove its state
//	harness status exit 0 when the cluster is up and every node Ready
//
// Everything lives under .cache/kube: bin/ (the build, kept), state/ (removed
// by down), admin.kubeconfig.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: harness up|down|status")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), unix.SIGINT, unix.SIGTERM)
	defer stop()
	c, err := newCluster()
	if err == nil {
		switch os.Args[1] {
		case "up":
			err = c.up(ctx)
		case "down":
			err = c.down()
		case "status":
			err = c.ready(ctx)
		default:
			err = fmt.Errorf("unknown command %q", os.Args[1])
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kube:", err)
		os.Exit(1)
	}
}

// cluster holds the layout: every path and address the components share.
type cluster struct {
	root  string // the checkout
	bin   string // .cache/kube/bin
	state string // .cache/kube/state
	nodes []node
}

// The addresses of the cluster. The API server, the kubelets and CoreDNS
// listen on an address of a link of their own, so nothing else on the
// machine shares their ports and pods reach them through their bridges.
const (
	hostIP      = "172.31.250.1"
	hostLink    = "kkube0"
	apiPort     = 6443
	etcdClient  = "127.0.0.1:23790"
	etcdPeer    = "127.0.0.1:23800"
	serviceCIDR = "10.97.0.0/16"
	serviceIP   = "10.97.0.1" // the first address of serviceCIDR: the kubernetes Service
	dnsDomain   = "cluster.local"
	nodeCount   = 3
	// Images the nodes get without a registry: the sandbox and kinit's.
	pauseImage = "localhost/kinit-pause:1"
	kinitImage = "localhost/kinit:dev"
)

func newCluster() (*cluster, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	c := &cluster{
		root:  root,
		bin:   filepath.Join(root, ".cache", "kube", "bin"),
		state: filepath.Join(root, ".cache", "kube", "state"),
	}
	for i := 1; i <= nodeCount; i++ {
		c.nodes = append(c.nodes, newNode(c, i))
	}
	return c, nil
}

// repoRoot is the directory holding go.mod, from the working directory up:
// make runs the harness from the checkout, tests from their package.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "kube", "harness")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("not inside the kinit checkout")
		}
		dir = parent
	}
}

func (c *cluster) kubeconfig() string {
	return filepath.Join(c.root, ".cache", "kube", "admin.kubeconfig")
}

func (c *cluster) path(elem ...string) string {
	return filepath.Join(append([]string{c.state}, elem...)...)
}

func (c *cluster) up(ctx context.Context) error {
	if c.ready(ctx) == nil {
		if err := c.refreshKinitImage(ctx); err != nil {
			return err
		}
		if err := c.recycleVolumes(ctx); err != nil {
			return err
		}
		fmt.Println("kube: already up; kubeconfig", c.kubeconfig())
		return nil
	}
	// Whatever a crashed or half-finished run left goes first.
	if err := c.down(); err != nil {
		return err
	}
	start := time.Now()
	for _, bin := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kubectl", "coredns"} {
		if _, err := os.Stat(filepath.Join(c.bin, bin)); err != nil {
			return fmt.Errorf("%s is not built: run scripts/kube-build.sh (make kube-up does)", bin)
		}
	}
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"network", c.setupNetwork},
		{"certificates", c.writePKI},
		{"images", c.buildImages},
		{"etcd", c.startEtcd},
		{"kube-apiserver", c.startAPIServer},
		{"cluster objects", c.applyBase},
		{"controllers", c.startControllers},
		{"coredns", c.startCoreDNS},
		{"nodes", c.startNodes},
	}
	for _, s := range steps {
		t := time.Now()
		if err := s.run(ctx); err != nil {
			return fmt.Errorf("%s: %w (logs in %s)", s.name, err, c.path("logs"))
		}
		fmt.Printf("kube: %s ready in %.1fs\n", s.name, time.Since(t).Seconds())
	}
	if err := c.waitNodesReady(ctx, 3*time.Minute); err != nil {
		return err
	}
	fmt.Printf("kube: up in %.1fs with %d nodes; kubeconfig %s, kubectl %s\n",
		time.Since(start).Seconds(), len(c.nodes), c.kubeconfig(), filepath.Join(c.bin, "kubectl"))
	return nil
}
