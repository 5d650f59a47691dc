#!/usr/bin/env bash
# scripts/find-java21.sh
# Prints the JAVA_HOME of a Java 21 or newer for Apicurio Registry (the
# Kafka JVMs keep the machine's Java 17): REGISTRY_JAVA_HOME if set, else
# the first of Debian's and Temurin's homes that runs and is new enough;
# when none is, installs Debian's openjdk-21-jre-headless (trixie and newer)
# and prints its home. Exits 1 when nothing fits.
set -euo pipefail

spec() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
fits() { [ -x "$1/bin/java" ] && [ "$(spec "$1")" -ge 21 ] 2>/dev/null; }

candidates() {
  if [ -n "${REGISTRY_JAVA_HOME:-}" ]; then echo "$REGISTRY_JAVA_HOME"; return; fi
  ls -d /usr/lib/jvm/java-2[1-9]-openjdk-* /usr/lib/jvm/temurin-2[1-9]-* /usr/lib/jvm/default-java 2>/dev/null || true
}

for h in $(candidates); do
  if fits "$h"; then echo "$h"; exit 0; fi
done
if [ -z "${REGISTRY_JAVA_HOME:-}" ] && apt-cache show openjdk-21-jre-headless >/dev/null 2>&1; then
  echo "find-java21: installing openjdk-21-jre-headless" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-21-jre-headless >/dev/null
  for h in /usr/lib/jvm/java-21-openjdk-*; do
    if fits "$h"; then echo "$h"; exit 0; fi
  done
fi
echo "find-java21: no Java 21+ found (set REGISTRY_JAVA_HOME)" >&2
exit 1
