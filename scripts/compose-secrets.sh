#!/usr/bin/env bash
# scripts/compose-secrets.sh [DIR]: the material docker-compose.secure.yml
# mounts, made once under DIR (default ./secrets): a development CA in
# ca/ (its key stays here, never in a container), a TLS dir per node in
# tls/<node>/ issued by `kinit tls issue`, and admin.password (random).
# Existing files are kept: running it again changes nothing. As root, the
# node files go to the image's kafka user (uid 1000), which must read them.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-secrets}
kinit=${KINIT:-$root/bin/kinit}
[ -x "$kinit" ] || { echo "compose-secrets: no kinit at $kinit: run 'make build' or set KINIT" >&2; exit 1; }
# The services of the secured file, one per node.
nodes=$(awk '/^services:/ {s=1; next} /^[^ #]/ {s=0} s && /^  [a-z0-9-]+:$/ {sub(/:$/, ""); print $1}' "$root/docker-compose.secure.yml")
umask 077
mkdir -p "$dir"
[ -f "$dir/ca/ca.crt" ] || "$kinit" tls ca --out "$dir/ca" --cn "kinit compose CA" >/dev/null
for n in $nodes; do
  [ -f "$dir/tls/$n/tls.crt" ] || "$kinit" tls issue --ca "$dir/ca" --out "$dir/tls/$n" --host "$n" >/dev/null
done
if [ ! -s "$dir/admin.password" ]; then
  # Hex only: the password goes into a JAAS line.
  head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/admin.password"
fi
if [ "$(id -u)" = 0 ]; then
  chown -R 1000:1000 "$dir/tls" "$dir/admin.password"
fi
echo "compose-secrets: $dir ready for: $(echo $nodes)"
