#!/usr/bin/env bash
# scripts/fetch-librdkafka.sh
# A librdkafka that speaks SCRAM to Kafka 4 for kcat, the tests' and the
# secure demo's independent client: Debian 12's librdkafka 2.0.2 fails
# SCRAM authentication against Kafka 4 with the right password (fixed in
# librdkafka 2.6.1). The confluent-kafka wheel from PyPI carries a
# self-contained librdkafka (SSL and SASL built in); its shared object is
# unpacked into .cache/librdkafka-<wheel version>/librdkafka.so.1, which
# Debian's kcat loads with LD_LIBRARY_PATH pointing there (same soname,
# backward-compatible ABI). Idempotent: skipped while the stamp (this
# script's hash) matches. Prints the directory.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

version=2.16.2
cache=${KAFKA_CACHE_DIR:-$root/.cache}
dir=$cache/librdkafka-$version
stamp=$dir/.stamp
want=$(sha256sum "$0" | cut -d' ' -f1)

if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -f "$dir/librdkafka.so.1" ]; then
  echo "fetch-librdkafka: unpacking librdkafka from the confluent-kafka $version wheel (PyPI) into $dir" >&2
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.librdkafka.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download -q --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 \
    --python-version 3.11 --dest "$tmp" "confluent-kafka==$version"
  python3 - "$tmp" <<'PY'
import glob, sys, zipfile
tmp = sys.argv[1]
(wheel,) = glob.glob(tmp + "/confluent_kafka-*.whl")
with zipfile.ZipFile(wheel) as z:
    libs = [n for n in z.namelist() if "/librdkafka" in n and ".so" in n]
    if len(libs) != 1:
        sys.exit("fetch-librdkafka: want one librdkafka in the wheel, found %r" % libs)
    with open(tmp + "/librdkafka.so.1", "wb") as out:
        out.write(z.read(libs[0]))
PY
  mkdir -p "$tmp/out"
  mv "$tmp/librdkafka.so.1" "$tmp/out/"
  LD_LIBRARY_PATH=$tmp/out kcat -V 2>&1 | grep -q 'sasl_scram' || { echo "fetch-librdkafka: kcat cannot load it with SCRAM" >&2; exit 1; }
  rm -rf "$dir"
  mv "$tmp/out" "$dir"
  echo "$want" >"$stamp"
fi
echo "$dir"
