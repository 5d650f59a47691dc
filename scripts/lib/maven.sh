# scripts/lib/maven.sh — sourced by scripts/fetch-*.sh, which lay out jars
# from Maven Central: the tools they need and the way they call Maven, once.

# need_tools NAME CMD:PACKAGE...: installs, from Debian, the package of
# each command that is missing.
need_tools() {
  local name=$1 pair
  local pkgs=()
  shift
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || pkgs+=("${pair#*:}")
  done
  [ ${#pkgs[@]} -gt 0 ] || return 0
  echo "$name: installing ${pkgs[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
}

# mvn_quiet NAME ARGS...: mvn in batch quiet mode, its output on stderr
# (MAVEN_ARGS adds options). Maven 3.8 prints stray colour resets even
# then: they are dropped. Fails naming NAME and mvn's status.
mvn_quiet() {
  local name=$1 status
  shift
  set +e
  # shellcheck disable=SC2086
  mvn -B -q -Dstyle.color=never ${MAVEN_ARGS:-} "$@" 2>&1 | sed 's/\x1b\[0m//g' | grep -v '^$' >&2
  status=${PIPESTATUS[0]}
  set -e
  [ "$status" -eq 0 ] || { echo "$name: mvn failed with status $status" >&2; return 1; }
}
