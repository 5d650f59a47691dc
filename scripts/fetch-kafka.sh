#!/usr/bin/env bash
# scripts/fetch-kafka.sh [POM]   (default java/kafka/pom.xml; java/kafka/kraft/pom.xml
# is Kafka 4.4 for KRaft mode)
# Lays out a Kafka home for tests and the demo from Maven Central:
#   .cache/kafka-<version>/share/java/kafka/*.jar  runtime jars of java/kafka/pom.xml
#   .cache/kafka-<version>/bin/*                    symlinks to rootfs/usr/lib/kafka/bin
#   .cache/kafka-<version>/etc/kafka/*              symlinks to rootfs/usr/lib/kafka/etc/kafka/*
# Idempotent: the jar copy is skipped while the stamp (hash of the POM and of
# this script) matches; the links are refreshed every run. Prints the home.
# KAFKA_CACHE_DIR overrides .cache; MAVEN_ARGS adds mvn options
# (e.g. -Dmaven.repo.local=/tmp/m2 for a cold fetch).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
. scripts/lib/maven.sh

pom=${1:-java/kafka/pom.xml}
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")
[ -n "$version" ] || { echo "fetch-kafka: no <kafka.version> in $pom" >&2; exit 1; }
cache=${KAFKA_CACHE_DIR:-$root/.cache}
home=$cache/kafka-$version
jars=$home/share/java/kafka
stamp=$home/.jars.stamp
want=$(cat "$pom" "$0" scripts/lib/maven.sh | sha256sum | cut -d' ' -f1)

if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || ! compgen -G "$jars/kafka_2.13-$version.jar" >/dev/null; then
  need_tools fetch-kafka java:openjdk-17-jre-headless mvn:maven
  echo "fetch-kafka: copying Kafka $version jars from Maven into $jars" >&2
  mkdir -p "$home/share/java"
  tmp=$(mktemp -d "$home/share/java/.kafka.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  mvn_quiet fetch-kafka -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp"
  compgen -G "$tmp/kafka_2.13-$version.jar" >/dev/null ||
    { echo "fetch-kafka: mvn finished but kafka_2.13-$version.jar is missing" >&2; exit 1; }
  rm -rf "$jars"
  mv "$tmp" "$jars"
  chmod 755 "$jars"
  trap - EXIT
  echo "$want" >"$stamp"
fi

# Links into the repo's rootfs, relative so the checkout can move.
mkdir -p "$home/bin" "$home/etc" "$home/logs"
for f in "$root"/rootfs/usr/lib/kafka/bin/*; do
  ln -sfn "$(realpath --relative-to="$home/bin" "$f")" "$home/bin/$(basename "$f")"
done
# etc/kafka is a real directory: kinit renders server.properties and
# zookeeper.properties next to the linked log4j files.
if [ -L "$home/etc/kafka" ]; then rm -f "$home/etc/kafka"; fi
mkdir -p "$home/etc/kafka"
for f in "$root"/rootfs/usr/lib/kafka/etc/kafka/*; do
  ln -sfn "$(realpath --relative-to="$home/etc/kafka" "$f")" "$home/etc/kafka/$(basename "$f")"
done
echo "$home"
