// Package kubecluster runs deploy/kubernetes's StatefulSets on a real
// Kubernetes built from source here (kube/harness, docs/kubernetes.md):
// applied with `kubectl apply -k` as a user would, admitted with PodSecurity
// restricted enforced, ready through kinit's own probes, and put through a
// pod deletion, a rolling update and the loss of a quorum member with a
// Kafka client checking that nothing acknowledged is lost.
package kubecluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"testing"

	"github.com/kinit/kinit/test/kafkahome"
)

var (
	root    string
	kubectl string
	config  string
)

// TestMain brings the cluster up (`make kube-up` does the same; a cluster
// already up is reused, with the current image imported) and takes it down
// again when it started it, unless KINIT_KUBE_KEEP is set.
func TestMain(m *testing.M) {
	var err error
	root, err = kafkahome.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	kubectl = filepath.Join(root, ".cache", "kube", "bin", "kubectl")
	config = filepath.Join(root, ".cache", "kube", "admin.kubeconfig")
	harness := filepath.Join(os.TempDir(), fmt.Sprintf("kinit-kube-harness-%d", os.Getpid()))
	build := exec.Command("go", "build", "-o", harness, "./kube/harness")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building kube/harness: %v\n%s", err, out)
		os.Exit(1)
	}
	defer os.Remove(harness)
	step := func(arg string) error {
		cmd := exec.Command(harness, arg)
		cmd.Dir = root
		if arg != "status" {
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		}
		return cmd.Run()
	}
	startedHere := step("status") != nil
	if err := step("up"); err != nil {
		fmt.Fprintln(os.Stderr, "kube-up:", err)
		_ = step("down")
		os.Exit(1)
	}
	code := m.Run()
	if startedHere && os.Getenv("KINIT_KUBE_KEEP") == "" {
		if err := step("down"); err != nil && code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}
