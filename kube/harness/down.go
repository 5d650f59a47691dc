package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// ready tells whether a cluster started by up is running: every component
// alive, the API server ready and every node Ready.
func (c *cluster) ready(ctx context.Context) error {
	names := []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "coredns"}
	for _, n := range c.nodes {
		names = append(names, n.name+"-containerd", n.name+"-kubelet")
	}
	for _, name := range names {
		if c.livePid(name) == 0 {
			return fmt.Errorf("%s is not running", name)
		}
	}
	missing, err := c.notReadyNodes(ctx)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("not Ready: %s", strings.Join(missing, ", "))
	}
	return nil
}

// down stops everything up started and removes its state; it is what up
// runs first too, so it must cope with any half-made cluster.
func (c *cluster) down() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var kubelets []string
	for _, n := range c.nodes {
		kubelets = append(kubelets, n.name+"-kubelet")
	}
	c.stopAll(kubelets)
	// What the kubelets ran: every process in the nodes' cgroups, then the
	// containerd shims that parented them.
	for _, n := range c.nodes {
		killAll(n.cgroupPids())
		killAll(processesWithArg(n.socket()))
	}
	c.removePodNetns(ctx)
	var errs []error
	if err := unmountUnder(c.state); err != nil {
		errs = append(errs, err)
	}
	for _, n := range c.nodes {
		if err := n.removeCgroups(); err != nil {
			errs = append(errs, err)
		}
	}
	c.removeLinks(ctx)
	if err := os.RemoveAll(c.state); err != nil {
		errs = append(errs, err)
	}
	if err := os.Remove(c.kubeconfig()); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// cgroupPids lists the processes in the node's cgroup tree (the pods').
func (n node) cgroupPids() []int {
	var pids []int
	root := filepath.Join("/sys/fs/cgroup/pids", n.cgroup)
	_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "cgroup.procs" {
			return nil
		}
		data, _ := os.ReadFile(path)
		for _, f := range strings.Fields(string(data)) {
			var pid int
			if _, err := fmt.Sscan(f, &pid); err == nil {
				pids = append(pids, pid)
			}
		}
		return nil
	})
	return pids
}

// removeCgroups removes the node's cgroup trees, deepest first (a cgroup
// goes only once it has no children and no processes).
func (n node) removeCgroups() error {
	var errs []error
	for _, h := range cgroupHierarchies() {
		var dirs []string
		_ = filepath.WalkDir(filepath.Join(h, n.cgroup), func(path string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, path)
			}
			return nil
		})
		for i := len(dirs) - 1; i >= 0; i-- {
			if err := unix.Rmdir(dirs[i]); err != nil && !errors.Is(err, unix.ENOENT) {
				errs = append(errs, fmt.Errorf("rmdir %s: %w", dirs[i], err))
			}
		}
	}
	return errors.Join(errs...)
}

func processesWithArg(arg string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		for _, a := range strings.Split(string(cmdline), "\x00") {
			if a == arg {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

func killAll(pids []int) {
	for _, pid := range pids {
		_ = unix.Kill(pid, unix.SIGKILL)
	}
	waitGone(pids, 10*time.Second)
}

// removePodNetns deletes the network namespaces containerd made for this
// cluster's pods (they hold an address of a node's pod subnet); a killed
// containerd leaves them behind, and podman's live beside them.
func (c *cluster) removePodNetns(ctx context.Context) {
	entries, _ := os.ReadDir("/run/netns")
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "cni-") {
			continue
		}
		out, _ := run(ctx, "ip", "-n", e.Name(), "-o", "-4", "addr")
		if strings.Contains(out, " 10.244.") {
			_, _ = run(ctx, "ip", "netns", "del", e.Name())
		}
	}
}

// unmountUnder detaches every mount below dir (volumes, secrets, overlay
// root file systems), deepest first.
func unmountUnder(dir string) error {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	defer f.Close()
	var mounts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && strings.HasPrefix(fields[4], dir+"/") {
			mounts = append(mounts, fields[4])
		}
	}
	sort.Slice(mounts, func(i, j int) bool { return len(mounts[i]) > len(mounts[j]) })
	var errs []error
	for _, m := range mounts {
		if err := unix.Unmount(m, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, fmt.Errorf("umount %s: %w", m, err))
		}
	}
	return errors.Join(errs...)
}
