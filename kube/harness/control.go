package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func (c *cluster) startEtcd(ctx context.Context) error {
	err := c.start("etcd", filepath.Join(c.bin, "etcd"),
		"--name", "kinit-test",
		"--data-dir", c.path("etcd"),
		"--listen-client-urls", "http://"+etcdClient,
		"--advertise-client-urls", "http://"+etcdClient,
		"--listen-peer-urls", "http://"+etcdPeer,
		"--initial-advertise-peer-urls", "http://"+etcdPeer,
		"--initial-cluster", "kinit-test=http://"+etcdPeer,
		"--listen-metrics-urls", "http://127.0.0.1:23810",
		"--log-level", "warn")
	if err != nil {
		return err
	}
	return c.waitHTTP(ctx, "etcd", "http://127.0.0.1:23810/health", nil, time.Minute)
}

func (c *cluster) startAPIServer(ctx context.Context) error {
	pki := func(f string) string { return c.path("pki", f) }
	err := c.start("kube-apiserver", filepath.Join(c.bin, "kube-apiserver"),
		"--etcd-servers", "http://"+etcdClient,
		"--bind-address", hostIP,
		"--advertise-address", hostIP,
		"--secure-port", fmt.Sprint(apiPort),
		"--tls-cert-file", pki("apiserver.crt"),
		"--tls-private-key-file", pki("apiserver.key"),
		"--client-ca-file", pki("ca.crt"),
		"--kubelet-client-certificate", pki("apiserver-kubelet-client.crt"),
		"--kubelet-client-key", pki("apiserver-kubelet-client.key"),
		"--kubelet-certificate-authority", pki("ca.crt"),
		// Node names (node-1…) are not in any DNS: reach kubelets by address.
		"--kubelet-preferred-address-types", "InternalIP",
		"--service-cluster-ip-range", serviceCIDR,
		"--service-account-issuer", "https://kubernetes.default.svc."+dnsDomain,
		"--service-account-key-file", pki("sa.pub"),
		"--service-account-signing-key-file", pki("sa.key"),
		"--authorization-mode", "Node,RBAC",
		"--enable-admission-plugins", "NodeRestriction",
		"--allow-privileged=false",
		"--profiling=false")
	if err != nil {
		return err
	}
	hc, err := c.client()
	if err != nil {
		return err
	}
	return c.waitHTTP(ctx, "kube-apiserver", fmt.Sprintf("https://%s:%d/readyz", hostIP, apiPort), hc, 3*time.Minute)
}

func (c *cluster) startControllers(ctx context.Context) error {
	pki := func(f string) string { return c.path("pki", f) }
	err := c.start("kube-controller-manager", filepath.Join(c.bin, "kube-controller-manager"),
		"--kubeconfig", pki("controller-manager.kubeconfig"),
		"--authentication-kubeconfig", pki("controller-manager.kubeconfig"),
		"--authorization-kubeconfig", pki("controller-manager.kubeconfig"),
		"--service-account-private-key-file", pki("sa.key"),
		"--root-ca-file", pki("ca.crt"),
		"--use-service-account-credentials",
		"--leader-elect=false",
		"--bind-address", "127.0.0.1",
		"--secure-port", "10257",
		"--profiling=false")
	if err != nil {
		return err
	}
	err = c.start("kube-scheduler", filepath.Join(c.bin, "kube-scheduler"),
		"--kubeconfig", pki("scheduler.kubeconfig"),
		"--authentication-kubeconfig", pki("scheduler.kubeconfig"),
		"--authorization-kubeconfig", pki("scheduler.kubeconfig"),
		"--leader-elect=false",
		"--bind-address", "127.0.0.1",
		"--secure-port", "10259",
		"--profiling=false")
	if err != nil {
		return err
	}
	// Their /healthz needs no authorisation (it is in the always-allowed paths).
	hc := insecureClient()
	if err := c.waitHTTP(ctx, "kube-controller-manager", "https://127.0.0.1:10257/healthz", hc, 2*time.Minute); err != nil {
		return err
	}
	return c.waitHTTP(ctx, "kube-scheduler", "https://127.0.0.1:10259/healthz", hc, 2*time.Minute)
}

// startCoreDNS serves the cluster's names on the host link's port 53, the
// address every kubelet gives its pods as their name server.
func (c *cluster) startCoreDNS(ctx context.Context) error {
	corefile := fmt.Sprintf(`.:53 {
    bind %s
    errors
    health 127.0.0.1:18180
    ready 127.0.0.1:18181
    kubernetes %s {
        kubeconfig %s kinit-test
    }
    cache 5
}
`, hostIP, dnsDomain, c.path("pki", "coredns.kubeconfig"))
	path := c.path("Corefile")
	if err := os.WriteFile(path, []byte(corefile), 0o644); err != nil {
		return err
	}
	if err := c.start("coredns", filepath.Join(c.bin, "coredns"), "-conf", path); err != nil {
		return err
	}
	return c.waitHTTP(ctx, "coredns", "http://127.0.0.1:18181/ready", nil, time.Minute)
}

// applyBase creates what the cluster offers before any workload: CoreDNS's
// read access, the default storage class and the local volumes behind it.
func (c *cluster) applyBase(ctx context.Context) error {
	var b strings.Builder
	b.WriteString(corednsRBAC)
	b.WriteString(storageClass)
	for _, n := range c.nodes {
		for i := 1; i <= volumesPerNode; i++ {
			dir := n.path("volumes", fmt.Sprintf("pv%d", i))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			fmt.Fprintf(&b, localVolume, n.name, i, dir, n.name)
		}
	}
	_, err := c.kubectl(ctx, b.String(), "apply", "--server-side", "-f", "-")
	return err
}

// Local volumes are pre-created, as a cluster without a dynamic provisioner
// does it: volumesPerNode of them on every node, each a directory of the
// node, in a default class that binds a claim only once its pod is
// scheduled (so the claim follows the pod, never the other way round).
const volumesPerNode = 8

const storageClass = `---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Delete
`

const localVolume = `---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: %s-pv%d
spec:
  capacity: {storage: 100Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: local
  local: {path: %s}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: [%s]}
`

const corednsRBAC = `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:coredns
rules:
- apiGroups: [""]
  resources: [endpoints, services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: system:coredns
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:coredns}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: system:coredns}
`

// recycleVolumes wipes the local volumes whose claims are gone (their
// namespace deleted) and offers them again, so repeated test runs on one
// cluster never run out of volumes or find another run's data.
func (c *cluster) recycleVolumes(ctx context.Context) error {
	out, err := c.kubectl(ctx, "", "get", "pv", "-o", `jsonpath={range .items[?(@.status.phase=="Released")]}{.metadata.name} {.spec.local.path}{"\n"}{end}`)
	if err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		name, dir, ok := strings.Cut(line, " ")
		if !ok || !strings.HasPrefix(dir, c.state+"/") {
			continue
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if _, err := c.kubectl(ctx, "", "patch", "pv", name, "--type", "json", "-p", `[{"op":"remove","path":"/spec/claimRef"}]`); err != nil {
			return err
		}
	}
	return nil
}
