#!/usr/bin/env bash
# scripts/fetch-jolokia.sh
# Lays out the Jolokia JVM agent (java/jolokia/pom.xml, Maven Central) as
#   .cache/jolokia-<version>/jolokia-agent.jar
# the jar kinit attaches to its JVMs when metrics shipping is on
# (docs/metrics.md); the image carries it as /usr/lib/jolokia/jolokia-agent.jar.
# Idempotent: nothing is fetched while the stamp (hash of the POM and of this
# script) matches. Prints the jar's path. JOLOKIA_CACHE_DIR overrides .cache;
# MAVEN_ARGS adds mvn options.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
. scripts/lib/maven.sh

pom=java/jolokia/pom.xml
version=$(sed -n 's:.*<jolokia.version>\(.*\)</jolokia.version>.*:\1:p' "$pom")
[ -n "$version" ] || { echo "fetch-jolokia: no <jolokia.version> in $pom" >&2; exit 1; }
cache=${JOLOKIA_CACHE_DIR:-$root/.cache}
home=$cache/jolokia-$version
jar=$home/jolokia-agent.jar
stamp=$home/.stamp
want=$(cat "$pom" "$0" scripts/lib/maven.sh | sha256sum | cut -d' ' -f1)

if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -f "$jar" ]; then
  need_tools fetch-jolokia java:openjdk-17-jre-headless mvn:maven
  echo "fetch-jolokia: copying the Jolokia $version JVM agent from Maven into $home" >&2
  mkdir -p "$home"
  tmp=$(mktemp -d "$home/.fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  mvn_quiet fetch-jolokia -f "$pom" dependency:copy-dependencies -DoutputDirectory="$tmp"
  src="$tmp/jolokia-agent-jvm-$version-javaagent.jar"
  [ -f "$src" ] || { echo "fetch-jolokia: mvn finished but $(basename "$src") is missing" >&2; exit 1; }
  mv "$src" "$jar"
  chmod 644 "$jar"
  echo "$want" >"$stamp"
fi
echo "$jar"
