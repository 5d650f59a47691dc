#!/usr/bin/env bash
# scripts/kube-build.sh: builds the Kubernetes the tests run on (docs/kubernetes.md)
# from source through the wrapper module kube/build: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kubelet, kubectl and CoreDNS into
# .cache/kube/bin. Cached by a stamp (hash of the wrapper module and this
# script), so a second run costs nothing; the Go build cache makes a rebuild
# after a change cheap. Prints the bin directory.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=$root/.cache/kube/bin
stamp=$bin/.stamp
want=$(cat kube/build/go.mod kube/build/go.sum kube/build/coredns/* "$0" | sha256sum | cut -d' ' -f1)
version=$(sed -n 's/^\tk8s.io\/kubernetes \(v[0-9.]*\)$/\1/p' kube/build/go.mod)
[ -n "$version" ] || { echo "kube-build: no k8s.io/kubernetes version in kube/build/go.mod" >&2; exit 1; }

if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "kube-build: building Kubernetes $version from source into $bin (about 8 min on 2 cores)" >&2
  start=$(date +%s)
  mkdir -p "$bin"
  minor=${version#v1.}; minor=${minor%%.*}
  # The version the components report (node info, kubectl's skew check) is
  # stamped by Kubernetes' own build scripts; without it they say v0.0.0.
  v=k8s.io/component-base/version
  ldflags="-s -w -X $v.gitVersion=$version -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean"
  (cd kube/build && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin/" \
    go.etcd.io/etcd/server/v3 \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kubelet \
    k8s.io/kubernetes/cmd/kubectl)
  mv "$bin/server" "$bin/etcd"
  (cd kube/build/coredns && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bin/coredns" .)
  echo "kube-build: built in $(($(date +%s) - start)) s" >&2
  echo "$want" >"$stamp"
fi
echo "$bin"
