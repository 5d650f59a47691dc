# A real Kubernetes for the StatefulSets of deploy/kubernetes (docs/kubernetes.md).
# `make kube-build` builds etcd, the control plane, kubelet, kubectl and CoreDNS
# from source into .cache/kube/bin (cached by a stamp); `make kube-up` starts a
# three-node cluster of them on this machine (kubeconfig at
# .cache/kube/admin.kubeconfig) with kinit's image imported; `make kube-down`
# removes everything kube-up started. Both are idempotent, and kube-up first
# clears what a crashed run left.
.PHONY: kube-build kube-up kube-down
kube-build:
	scripts/kube-build.sh >/dev/null

kube-up: kube-build kafka apicurio
	$(GO) run ./kube/harness up

kube-down:
	$(GO) run ./kube/harness down

test-deps:: kube-build
