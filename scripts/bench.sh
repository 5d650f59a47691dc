#!/usr/bin/env bash
# scripts/bench.sh — what `make bench` runs: every benchmark in one run,
# written to docs/benchmarks.md under the date and machine it was measured
# on (and printed). Figures only; no test asserts any of them.
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/benchmarks.md
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
  echo "# Benchmarks"
  echo
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`make bench\`: Linux $(uname -r), $(nproc) CPUs,"
  echo "$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(go version | cut -d' ' -f3). Peers run in the same session; ratios are"
  echo "kinit / peer. No test asserts any of these figures."
  echo
  echo "## Cold start: kinit's share (\`make bench-coldstart\`)"
  echo
  echo "Per dependency edge, dependency ready → dependent started, summed, against kinit start → all ready"
  echo "(the standalone demo in each mode, a fresh state per run)."
  echo
  echo '```'
  go run ./bench/coldstart
  echo '```'
  echo
  echo "## Cold start: the start-up work off and on (\`make bench-startup\`)"
  echo
  echo "The standalone demo in each mode, each run a fresh state directory started twice (a container's first"
  echo "start, then a restart). before: the state before issue 28, with KINIT_CDS=off, Apicurio's own poll timeout"
  echo "(5000 ms), Kafka's 50 partitions of __consumer_offsets, C2 in the registry and the one-shot tools; no CDS: the shipped"
  echo "template (poll timeout 200 ms) and demo (one offsets partition, the registry without C2: docs/kafka.md) with"
  echo "KINIT_CDS=off; CDS: KINIT_CDS=on (docs/config.md): the first start writes each JVM's archive, the second maps it."
  echo
  echo '```'
  go run ./bench/startup 2>/dev/null
  echo '```'
  echo
  echo "## Rolling reload of three brokers, KINIT_CDS off and on (\`make bench-roll\`)"
  echo
  echo "Three hosts in network namespaces (ZooKeeper and a broker on each; the test JVM settings of test/cluster),"
  echo "a topic with replication factor 3 and min.insync.replicas 2; one change to the broker template every node"
  echo "reads, three times: each node restarts its broker when the cluster can spare it. With KINIT_CDS=on the"
  echo "first roll's stops write the archives (Java 17 writes them at exit), the second maps them, the third is"
  echo "the steady state. Per roll: the change -> the last broker ready; per broker: stop -> ready."
  echo
  echo '```'
  make -s --no-print-directory bench-roll 2>&1 | grep -E 'KINIT_CDS=.*roll [0-9]|^BenchmarkRollingReload' | sed 's/^ *roll_bench_test.go:[0-9]*: //'
  echo '```'
  echo
  echo "## Supervisor: readiness lag and idle cost (\`make bench-supervisor\`)"
  echo
  echo '```'
  make -s --no-print-directory bench-supervisor
  echo '```'
  echo
  echo "## Metrics: kinit's sampler and shipper, Kafka's own metrics (\`make bench-metrics\`, \`make bench-kafka-metrics\`)"
  echo
  echo '```'
  make -s --no-print-directory bench-metrics
  make -s --no-print-directory bench-kafka-metrics
  echo '```'
  echo
  make -s --no-print-directory bench-pid1
} | tee "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "bench: wrote $out" >&2
