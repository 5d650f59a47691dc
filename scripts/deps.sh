#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks use, only when missing,
# so running it again is cheap. Kafka's jars come from scripts/fetch-kafka.sh.
set -euo pipefail

# command -> package
declare -A want=(
  [tini]=tini
  [dumb-init]=dumb-init
  [supervisord]=supervisor
  [kcat]=kcat
  [ip]=iproute2
  [unshare]=util-linux
  [nsenter]=util-linux
  [ps]=procps
  [python3]=python3
  # test/container: the image built and run for real (docs/image.md)
  [podman]=podman
  [runc]=runc
  [mmdebstrap]=mmdebstrap
  # internal/tlsdir: openssl verifies what the development CA issues
  [openssl]=openssl
  # kube/harness: each node of the test Kubernetes is a containerd and a
  # kubelet, its pods on a CNI bridge
  [containerd]=containerd
  [ctr]=containerd
  [/usr/lib/cni/bridge]=containernetworking-plugins
  # what people look at, tested as they see it: the watch view in a real
  # terminal, the gateway's page in a real browser
  [tmux]=tmux
  [chromium]=chromium
)
missing=()
for cmd in "${!want[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${want[$cmd]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  echo "deps: installing $pkgs"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
fi
