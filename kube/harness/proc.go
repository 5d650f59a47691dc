package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// start runs a component detached from the harness (its own session, output
// to state/logs/NAME.log) and records its pid in state/run/NAME.pid, which
// is how down finds it again from another process.
func (c *cluster) start(name, bin string, args ...string) error {
	for _, d := range []string{c.path("logs"), c.path("run")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	log, err := os.OpenFile(c.path("logs", name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Dir = c.state
	cmd.SysProcAttr = &unix.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	pid := cmd.Process.Pid
	if err := cmd.Process.Release(); err != nil {
		return err
	}
	return os.WriteFile(c.path("run", name+".pid"), []byte(strconv.Itoa(pid)), 0o644)
}

// stopAll ends every recorded component, the order given first (kubelets
// before their containerd, the API server's clients before it), then the
// rest: SIGTERM, and SIGKILL for what is still there after the grace.
func (c *cluster) stopAll(first []string) {
	files, _ := filepath.Glob(c.path("run", "*.pid"))
	var rest []string
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".pid")
		found := false
		for _, n := range first {
			found = found || n == name
		}
		if !found {
			rest = append(rest, name)
		}
	}
	for _, group := range [][]string{first, rest} {
		var pids []int
		for _, name := range group {
			if pid := c.livePid(name); pid > 0 {
				_ = unix.Kill(pid, unix.SIGTERM)
				pids = append(pids, pid)
			}
			_ = os.Remove(c.path("run", name+".pid"))
		}
		waitGone(pids, 10*time.Second)
	}
}

// livePid is the recorded pid of a component when that process still runs
// the binary it was started with (a pid reused after a reboot is not ours).
func (c *cluster) livePid(name string) int {
	data, err := os.ReadFile(c.path("run", name+".pid"))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 1 {
		return 0
	}
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil || !strings.HasPrefix(exe, c.bin) && !strings.Contains(exe, "containerd") {
		return 0
	}
	return pid
}

func waitGone(pids []int, grace time.Duration) {
	deadline := time.Now().Add(grace)
	for _, pid := range pids {
		for unix.Kill(pid, 0) == nil && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if unix.Kill(pid, 0) == nil {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	}
}

// client is an HTTPS client that trusts the cluster's CA and presents the
// admin certificate.
func (c *cluster) client() (*http.Client, error) {
	ca, err := os.ReadFile(c.path("pki", "ca.crt"))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	cert, err := tls.LoadX509KeyPair(c.path("pki", "admin.crt"), c.path("pki", "admin.key"))
	if err != nil {
		return nil, err
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}},
	}}, nil
}

// waitHTTP polls url until it answers 200, the component's log tail in the
// error when it does not within limit or its process is gone.
func (c *cluster) waitHTTP(ctx context.Context, name, url string, hc *http.Client, limit time.Duration) error {
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Second}
	}
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		if pid := c.livePid(name); pid == 0 {
			return fmt.Errorf("%s exited: %s", name, c.logTail(name))
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s: %s", url, resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
	return errors.Join(fmt.Errorf("%s not ready after %s", name, limit), last, errors.New(c.logTail(name)))
}

func (c *cluster) logTail(name string) string {
	data, _ := os.ReadFile(c.path("logs", name+".log"))
	if len(data) > 2000 {
		data = data[len(data)-2000:]
	}
	return string(data)
}

// kubectl runs the built kubectl as the admin.
func (c *cluster) kubectl(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, "kubectl"), append([]string{"--kubeconfig", c.kubeconfig()}, args...)...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// insecureClient reads the health of the controller manager and the
// scheduler, whose serving certificates are their own self-signed ones.
func insecureClient() *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // health only, on loopback
	}}
}
