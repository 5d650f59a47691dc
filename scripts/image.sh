#!/usr/bin/env bash
# scripts/image.sh — what `make image` runs: builds localhost/kinit:dev
# from Dockerfile with podman (or docker when that is what there is).
#
# The context is staged under .cache/image/context (hard links: cheap) with
# only what the image takes: kinit and the Control Center stand-in (built static), the Kafka jars of
# .cache/kafka-<3.9>/ and .cache/kafka-<4.4>/, Apicurio Registry from
# .cache/apicurio-<version>/, the Jolokia agent of .cache/jolokia-<version>/, rootfs/. With IMAGE_BASE set that base is
# used; with podman and no registry (KINIT_IMAGE_BOOTSTRAP=1, the tests) a
# Debian trixie base with Java 21 is bootstrapped once with mmdebstrap and
# imported as localhost/kinit-base:trixie.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# One build at a time: the container tests and the Kubernetes harness may
# both ask for the image while go test runs their packages in parallel.
mkdir -p .cache/image
exec 9>.cache/image/.lock
flock 9
tag=${IMAGE_TAG:-localhost/kinit:dev}
engine=${CONTAINER_ENGINE:-$(command -v podman || command -v docker || true)}
[ -n "$engine" ] || { echo "image: neither podman nor docker found" >&2; exit 1; }

version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$1"; }
zk_home=.cache/kafka-$(version java/kafka/pom.xml)
kraft_home=.cache/kafka-$(version java/kafka/kraft/pom.xml)
for f in "$zk_home/share/java/kafka" "$kraft_home/share/java/kafka"; do
  [ -e "$f" ] || { echo "image: $f is missing: run 'make kafka'" >&2; exit 1; }
done
apicurio_home=.cache/apicurio-$(sed -n 's/^version=//p' scripts/fetch-apicurio.sh)
[ -f "$apicurio_home/quarkus-run.jar" ] || { echo "image: $apicurio_home is missing: run 'make apicurio'" >&2; exit 1; }
jolokia_jar=.cache/jolokia-$(sed -n 's:.*<jolokia.version>\(.*\)</jolokia.version>.*:\1:p' java/jolokia/pom.xml)/jolokia-agent.jar
[ -f "$jolokia_jar" ] || { echo "image: $jolokia_jar is missing: run 'make jolokia'" >&2; exit 1; }

base=${IMAGE_BASE:-}
if [ -z "$base" ] && [ "${KINIT_IMAGE_BOOTSTRAP:-}" = 1 ]; then
  suite=trixie
  base=localhost/kinit-base:$suite
  # The suite and package list are the stamp: a new one bootstraps again.
  pkgs=default-jre-headless,ca-certificates,procps
  tar=.cache/image/base-$suite-$(echo "$pkgs" | sha256sum | cut -c1-12).tar
  if [ ! -f "$tar" ] || [ ! -s "$tar" ]; then
    mkdir -p .cache/image
    rm -rf .cache/image/base-*.tar "$tar.tmp"
    echo "image: bootstrapping a Debian $suite base with $pkgs (mmdebstrap)"
    mmdebstrap --quiet --variant=apt --format=tar --include="$pkgs" "$suite" "$tar.tmp"
    mv "$tar.tmp" "$tar"
  fi
  if ! "$engine" image exists "$base" 2>/dev/null || [ "$("$engine" image inspect -f '{{index .Labels "kinit.base"}}' "$base" 2>/dev/null)" != "$(basename "$tar")" ]; then
    "$engine" import -q --change "LABEL kinit.base=$(basename "$tar")" "$tar" "$base" >/dev/null
  fi
fi

ctx=.cache/image/context
rm -rf "$ctx"
mkdir -p "$ctx/kafka-3.9" "$ctx/kafka-4.4"
cp -al "$zk_home/share" "$ctx/kafka-3.9/share"
cp -al "$kraft_home/share" "$ctx/kafka-4.4/share"
# Apicurio without its bin/ (links into this checkout's rootfs/, which the
# image gets from COPY rootfs/) and without the fetch stamp.
mkdir "$ctx/apicurio"
for f in "$apicurio_home"/*; do
  [ "$(basename "$f")" = bin ] || cp -al "$f" "$ctx/apicurio/"
done
mkdir "$ctx/jolokia"
cp -al "$jolokia_jar" "$ctx/jolokia/"
cp -a rootfs "$ctx/rootfs"
# Static binaries: the image's libc is not the build host's business.
for cmd in kinit kinit-standin-control-center; do
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$ctx/$cmd" "./cmd/$cmd"
done
cp Dockerfile "$ctx/Dockerfile"

args=(build -q -t "$tag" -f "$ctx/Dockerfile")
[ -n "$base" ] && args+=(--build-arg "BASE=$base")
# The OCI format has no HEALTHCHECK: podman keeps it only in docker format.
case $engine in *podman) args+=(--format docker) ;; esac
start=$EPOCHREALTIME
"$engine" "${args[@]}" "$ctx" >/dev/null
awk -v a="$start" -v b="$EPOCHREALTIME" -v t="$tag" 'BEGIN { printf "image: built %s in %.1fs\n", t, b - a }'
