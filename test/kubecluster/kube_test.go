package kubecluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"
)

// ns is one deployed config's namespace, driven through the built kubectl
// as the cluster's admin.
type ns struct {
	t    *testing.T
	name string
}

func (n ns) kubectlErr(ctx context.Context, args ...string) (string, error) {
	return n.kubectlStdin(ctx, "", args...)
}

func (n ns) kubectlStdin(ctx context.Context, stdin string, args ...string) (string, error) {
	full := append([]string{"--kubeconfig", config, "-n", n.name}, args...)
	cmd := exec.CommandContext(ctx, kubectl, full...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("kubectl %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

func (n ns) kubectl(ctx context.Context, args ...string) string {
	n.t.Helper()
	out, err := n.kubectlErr(ctx, args...)
	if err != nil {
		n.t.Fatal(err)
	}
	return out
}

type pod struct {
	Name, UID, IP, Node, Phase string
	Ready                      bool
	Restarts                   int
}

func (n ns) pods(ctx context.Context) (map[string]pod, error) {
	out, err := n.kubectlErr(ctx, "get", "pods", "-o", "json")
	if err != nil {
		return nil, err
	}
	var list struct {
		Items []struct {
			Metadata struct {
				Name, UID         string
				DeletionTimestamp *string
			}
			Spec   struct{ NodeName string }
			Status struct {
				Phase, PodIP      string
				Conditions        []struct{ Type, Status string }
				ContainerStatuses []struct {
					RestartCount int
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		return nil, err
	}
	pods := map[string]pod{}
	for _, it := range list.Items {
		p := pod{Name: it.Metadata.Name, UID: it.Metadata.UID, IP: it.Status.PodIP, Node: it.Spec.NodeName, Phase: it.Status.Phase}
		for _, c := range it.Status.Conditions {
			p.Ready = p.Ready || c.Type == "Ready" && c.Status == "True" && it.Metadata.DeletionTimestamp == nil
		}
		for _, c := range it.Status.ContainerStatuses {
			p.Restarts += c.RestartCount
		}
		pods[p.Name] = p
	}
	return pods, nil
}

// deleteLater deletes the namespace when the test ends without waiting for
// its pods' ordered stops; the next test of the same namespace waits for it
// to be gone (waitGone), and one of another namespace starts meanwhile.
func (n ns) deleteLater() {
	n.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := n.kubectlErr(ctx, "delete", "namespace", n.name, "--wait=false", "--ignore-not-found"); err != nil {
			n.t.Errorf("deleting the namespace: %v", err)
		}
	})
}

// waitGone waits until a namespace of an earlier test has been deleted.
func (n ns) waitGone(ctx context.Context) {
	n.t.Helper()
	for {
		out, err := n.kubectlErr(ctx, "get", "namespace", n.name, "--ignore-not-found", "-o", "name")
		if err == nil && strings.TrimSpace(out) == "" {
			return
		}
		select {
		case <-ctx.Done():
			n.t.Fatalf("namespace %s still there: %v %s", n.name, err, out)
		case <-time.After(2 * time.Second):
		}
	}
}

// waitReady waits until every named pod exists, is Ready (through kinit's
// `health` probe) and, when not empty, is not the pod of that UID.
func (n ns) waitReady(ctx context.Context, names []string, notUID map[string]string) map[string]pod {
	n.t.Helper()
	for {
		pods, err := n.pods(ctx)
		var waiting []string
		for _, name := range names {
			p, ok := pods[name]
			if !ok || !p.Ready || p.UID == notUID[name] {
				waiting = append(waiting, name)
			}
		}
		if err == nil && len(waiting) == 0 {
			return pods
		}
		select {
		case <-ctx.Done():
			out, _ := n.kubectlErr(context.Background(), "get", "pods,pvc", "-o", "wide")
			ev, _ := n.kubectlErr(context.Background(), "get", "events", "--sort-by", ".lastTimestamp")
			n.t.Fatalf("not ready: %v (%v)\n%s\n%s", waiting, err, out, tail(ev, 40))
		case <-time.After(2 * time.Second):
		}
	}
}

// logsOnFailure prints each pod's last lines when the test failed: kinit's
// JSON log says which service waited on what.
func (n ns) logsOnFailure(names []string) {
	n.t.Cleanup(func() {
		if !n.t.Failed() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, name := range names {
			out, _ := n.kubectlErr(ctx, "logs", name, "--tail", "30")
			n.t.Logf("--- %s\n%s", name, out)
		}
	})
}

func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// The cluster's DNS, CoreDNS on the harness's host address: the test
// resolves the Services' names as a pod would, so the client bootstraps
// from the headless Service and follows the brokers' advertised names.
const clusterDNS = "172.31.250.1:53"

var resolver = &net.Resolver{
	PreferGo: true,
	Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, clusterDNS)
	},
}

// dial resolves NAME.svc as a pod's search path would (NAME.svc.cluster.local).
func dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(host, ".svc") {
		host += ".cluster.local"
	}
	ips, err := resolver.LookupHost(ctx, host)
	if err != nil {
		return nil, err
	}
	sort.Strings(ips)
	var d net.Dialer
	var last error
	for _, ip := range ips {
		c, err := d.DialContext(ctx, network, net.JoinHostPort(ip, port))
		if err == nil {
			return c, nil
		}
		last = err
	}
	return nil, last
}
