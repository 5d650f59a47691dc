#!/usr/bin/env bash
# scripts/fetch-opensearch.sh
# Lays out an embedded OpenSearch node for the metrics tests (docs/metrics.md):
#   .cache/opensearch-<version>/lib/*.jar   runtime jars of java/opensearch/pom.xml (Maven Central)
#   .cache/opensearch-<version>/classes/    java/opensearch/src compiled with javac against them
# Run it with: java -cp 'lib/*:classes' io.github.kinit.opensearch.Launcher HOST PORT DIR
# Idempotent: nothing is fetched or compiled while the stamp (hash of the POM,
# the launcher's source and this script) matches. Prints the home.
# OPENSEARCH_CACHE_DIR overrides .cache; MAVEN_ARGS adds mvn options.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
. scripts/lib/maven.sh

pom=java/opensearch/pom.xml
version=$(sed -n 's:.*<opensearch.version>\(.*\)</opensearch.version>.*:\1:p' "$pom")
[ -n "$version" ] || { echo "fetch-opensearch: no <opensearch.version> in $pom" >&2; exit 1; }
cache=${OPENSEARCH_CACHE_DIR:-$root/.cache}
home=$cache/opensearch-$version
stamp=$home/.stamp
sources=$(find java/opensearch/src -name '*.java' | sort)
# shellcheck disable=SC2086
want=$(cat "$pom" $sources "$0" scripts/lib/maven.sh | sha256sum | cut -d' ' -f1)

if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && [ -f "$home/lib/opensearch-$version.jar" ] && [ -d "$home/classes" ]; then
  echo "$home"
  exit 0
fi

need_tools fetch-opensearch javac:openjdk-17-jdk-headless mvn:maven

echo "fetch-opensearch: copying OpenSearch $version jars from Maven into $home/lib" >&2
mkdir -p "$home"
tmp=$(mktemp -d "$home/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mvn_quiet fetch-opensearch -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp/lib"
[ -f "$tmp/lib/opensearch-$version.jar" ] ||
  { echo "fetch-opensearch: mvn finished but opensearch-$version.jar is missing" >&2; exit 1; }
# shellcheck disable=SC2086
javac -nowarn -d "$tmp/classes" -cp "$tmp/lib/*" $sources
rm -rf "$home/lib" "$home/classes"
mv "$tmp/lib" "$tmp/classes" "$home/"
chmod 755 "$home/lib" "$home/classes"
echo "$want" >"$stamp"
echo "$home"
