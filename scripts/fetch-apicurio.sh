#!/usr/bin/env bash
# scripts/fetch-apicurio.sh
# Lays out Apicurio Registry (the schema-registry service, docs/kafka.md) from
# Maven Central: io.apicurio:apicurio-registry-app:<version>:tar.gz:all
# unpacked into .cache/apicurio-<version> (quarkus-run.jar, lib/, …), with
# bin/ linked to rootfs/usr/lib/apicurio/bin. Idempotent: the unpack is
# skipped while the stamp (version + hash of this script) matches. Prints
# the home. KAFKA_CACHE_DIR overrides .cache; MAVEN_ARGS adds mvn options.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
. scripts/lib/maven.sh

version=3.3.3
cache=${KAFKA_CACHE_DIR:-$root/.cache}
home=$cache/apicurio-$version
stamp=$home/.app.stamp
want=$(cat "$0" scripts/lib/maven.sh | sha256sum | cut -d' ' -f1)

if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -f "$home/quarkus-run.jar" ]; then
  need_tools fetch-apicurio mvn:maven
  echo "fetch-apicurio: unpacking Apicurio Registry $version from Maven into $home" >&2
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.apicurio.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  mvn_quiet fetch-apicurio dependency:copy \
    -Dartifact="io.apicurio:apicurio-registry-app:$version:tar.gz:all" -DoutputDirectory="$tmp"
  mkdir "$tmp/home"
  tar -xzf "$tmp/apicurio-registry-app-$version-all.tar.gz" -C "$tmp/home"
  [ -f "$tmp/home/quarkus-run.jar" ] || { echo "fetch-apicurio: the archive has no quarkus-run.jar" >&2; exit 1; }
  # Dockerfile.centos7 pins the same archive by this hash (test/image).
  sha256sum "$tmp/apicurio-registry-app-$version-all.tar.gz" | cut -d' ' -f1 >"$tmp/home/.archive.sha256"
  rm -rf "$home"
  mv "$tmp/home" "$home"
  trap - EXIT
  rm -rf "$tmp"
  echo "$want" >"$stamp"
fi

mkdir -p "$home/bin"
for f in "$root"/rootfs/usr/lib/apicurio/bin/*; do
  ln -sfn "$(realpath --relative-to="$home/bin" "$f")" "$home/bin/$(basename "$f")"
done
echo "$home"
