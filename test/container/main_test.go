// Package container runs the image `make image` builds in real containers
// (podman from Debian, runc): docs/image.md.
//
//   - TestStandaloneContainer: one container of the standalone config
//     becomes healthy, `kinit status` inside shows every service ready, a
//     franz-go round trip through the published port on 127.0.0.1 works,
//     and `podman stop` stops the services in reverse order (the broker's
//     controlled shutdown completes) with exit code 0;
//   - TestVolumeWrongOwner: an unwritable data volume exits 78 at once, naming
//     the directory and the uid it needs;
//   - TestLimitsFromCgroup: --memory/--cpus size the JVMs;
//   - TestKRaftContainer: the same image in KRaft mode (kraft-standalone);
//   - TestComposeProduction: docker-compose.yml's production cluster;
//   - TestComposeSecure: the same with docker-compose.secure.yml on top.
//
// TestMain builds the image with scripts/image.sh (a Debian base
// bootstrapped with mmdebstrap: no registry is reachable) and points
// podman at a containers.conf of the tests' own: runc (crun cannot run on
// this machine's hybrid cgroup layout) and rlimits within the current
// hard limits (no CAP_SYS_RESOURCE). Neither setting is in the image or in
// what `make image` does for users. Containers only join a network the
// test creates; every container, network and volume is removed at the end.
package container

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/kinit/kinit/test/kafkahome"
)

const image = "localhost/kinit:dev"

func TestMain(m *testing.M) {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "test/container: needs root (rootful podman); CI runs as root")
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "kinit-containers-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	conf := filepath.Join(dir, "containers.conf")
	if err := os.WriteFile(conf, []byte(containersConf()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("CONTAINERS_CONF", conf)
	root, err := kafkahome.RepoRoot()
	if err == nil {
		cmd := exec.Command(filepath.Join(root, "scripts", "image.sh"))
		cmd.Env = append(os.Environ(), "KINIT_IMAGE_BOOTSTRAP=1", "IMAGE_TAG="+image)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		err = cmd.Run()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "test/container: cannot build the image:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// containersConf is the tests' podman configuration for this machine.
func containersConf() string {
	limit := func(res int, most uint64) string {
		var l syscall.Rlimit
		if syscall.Getrlimit(res, &l) != nil {
			return strconv.FormatUint(most, 10)
		}
		return strconv.FormatUint(min(l.Max, most), 10)
	}
	// runc applies the rlimits from a context where the process limit
	// is lower than this shell's hard limit (measured: 32768 passes,
	// 65536 is refused with EPERM).
	nofile, nproc := limit(syscall.RLIMIT_NOFILE, 1<<20), limit(6 /* RLIMIT_NPROC */, 32768)
	return strings.Join([]string{
		"[containers]",
		fmt.Sprintf(`default_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]`, nofile, nofile, nproc, nproc),
		"[engine]",
		`runtime = "runc"`,
		"",
	}, "\n")
}
