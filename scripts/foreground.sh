#!/usr/bin/env bash
# Runs a command (kinit up) so that Ctrl-C and TERM stop it in order, whatever
# stdout and stderr are: `make demo 2>&1 | tee demo.log` included.
#
# The command runs in a session of its own, so the terminal's SIGINT reaches
# only this script (and make, which waits for it), never the command and the
# pipe's reader together: each INT, TERM or HUP this script gets becomes one
# TERM to the command — kinit stops in order on the first and kills on the
# second. Job control (`set -m`) is not used: with stdout piped the terminal
# is not ours to hand over, and a job left in a group of its own would
# outlive the pipeline. Exits with the command's code.
set -uo pipefail
setsid "$@" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true' INT TERM HUP
rc=0
while :; do
  wait "$pid" && rc=0 || rc=$?
  kill -0 "$pid" 2>/dev/null || break
done
exit "$rc"
