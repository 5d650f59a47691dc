#!/usr/bin/env bash
# scripts/demo.sh [zookeeper|kraft|secure]
#
# The demo (docs/demo.md): kinit runs the `standalone` config — ZooKeeper,
# a Kafka 3.9 broker, Schema Registry and Control Center in one "container"
# — or, with `kraft` (make demo-kraft), `kraft-standalone` — one combined
# KRaft controller and broker on Kafka 4.4 (its storage formatted by a
# one-shot service on the first run), Schema Registry and Control Center —
# in the foreground on loopback. Ctrl-C stops everything in reverse order.
# `secure` (make demo-secure) runs kraft-standalone secured
# (KINIT_SECURITY=sasl_ssl, docs/security.md): a development CA made by
# `kinit tls ca` in tls/ (kinit issues the node's certificate from it at
# start), the admin password and a client user "demo" in secrets/, and a
# client.properties (Kafka's tools) and kcat.conf (librdkafka) for "demo".
#
# State lives under DEMO_DIR (default .cache/demo, .cache/demo-kraft):
# rendered files in etc/, the data (and the persisted node id, and for
# KRaft the cluster id) in data/, the launchers' LOG_DIR in log/ (GC
# lines go to stdout). A second run reuses all of it.
#
# Knobs: DEMO_DIR, KINIT (binary, default bin/kinit), KINIT_KAFKA_HOME
# (default .cache/kafka-<version>), KINIT_KRAFT_HOME (default
# .cache/kafka-<4.x version>), KINIT_FLAVOR (default small),
# KINIT_SOCKET, KINIT_PORT_<SERVICE> (e.g. KINIT_PORT_KAFKA_BROKER=19092),
# KINIT_LOG_FORMAT, KINIT_OUTPUT (default summary here: kinit's lines, the
# services' warnings and errors and their first lines after each start;
# `full` for every line). Anything else kinit reads from the environment
# (docs/config.md) passes through. kinit itself prints the status table
# once every service is ready; `kinit logs SERVICE` shows the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

mode=${1:-zookeeper}
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' java/kafka/pom.xml)
kraft_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' java/kafka/kraft/pom.xml)
kinit=${KINIT:-$root/bin/kinit}
home=${KINIT_KAFKA_HOME:-$root/.cache/kafka-$version}
case $mode in
zookeeper)
  config=standalone state=demo what="Kafka $version from $home"
  ports="ZOOKEEPER:2181 KAFKA_BROKER:9092 SCHEMA_REGISTRY:8081 SCHEMA_REGISTRY_MANAGEMENT:8091 CONTROL_CENTER:9021"
  broker_port=${KINIT_PORT_KAFKA_BROKER:-9092}
  ;;
kraft)
  kraft_home=${KINIT_KRAFT_HOME:-$root/.cache/kafka-$kraft_version}
  [ -x "$kraft_home/bin/kafka-storage" ] || { echo "demo: no Kafka $kraft_version home at $kraft_home: run 'make kafka'" >&2; exit 1; }
  export KINIT_KRAFT_HOME=$kraft_home
  config=kraft-standalone state=demo-kraft what="Kafka $kraft_version (KRaft) from $kraft_home"
  ports="KRAFT_BROKER:9092 KRAFT_BROKER_CONTROLLER:9093 SCHEMA_REGISTRY:8081 SCHEMA_REGISTRY_MANAGEMENT:8091 CONTROL_CENTER:9021"
  broker_port=${KINIT_PORT_KRAFT_BROKER:-9092}
  ;;
secure)
  kraft_home=${KINIT_KRAFT_HOME:-$root/.cache/kafka-$kraft_version}
  [ -x "$kraft_home/bin/kafka-storage" ] || { echo "demo: no Kafka $kraft_version home at $kraft_home: run 'make kafka'" >&2; exit 1; }
  export KINIT_KRAFT_HOME=$kraft_home
  config=kraft-standalone state=demo-secure what="Kafka $kraft_version (KRaft), secured (SASL_SSL, SCRAM-SHA-512, mutual TLS for the controller), from $kraft_home"
  ports="KRAFT_BROKER:9092 KRAFT_BROKER_CONTROLLER:9093 SCHEMA_REGISTRY:8081 SCHEMA_REGISTRY_MANAGEMENT:8091 CONTROL_CENTER:9021"
  broker_port=${KINIT_PORT_KRAFT_BROKER:-9092}
  ;;
*)
  echo "usage: scripts/demo.sh [zookeeper|kraft|secure]" >&2; exit 2 ;;
esac
dir=${DEMO_DIR:-$root/.cache/$state}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

[ -x "$kinit" ] || { echo "demo: $kinit is missing: run 'make build'" >&2; exit 1; }
[ -x "$home/bin/kafka-server-start" ] || { echo "demo: no Kafka home at $home: run 'make kafka'" >&2; exit 1; }

# A unix socket path must fit in 108 bytes; a deep checkout gets one in /tmp.
socket=${KINIT_SOCKET:-$dir/kinit.sock}
if [ ${#socket} -gt 100 ]; then
  socket=/tmp/kinit-demo-$(id -u).sock
fi

# Something else answering on a demo port would pass kinit's readiness
# probes (a stray ZooKeeper on 2181 looks ready), so refuse up front.
in_use=()
for spec in $ports; do
  var=KINIT_PORT_${spec%%:*}
  port=${!var:-${spec#*:}}
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    in_use+=("$port (${spec%%:*}, override with $var=...)")
  fi
done
if [ ${#in_use[@]} -gt 0 ]; then
  echo "demo: ports already in use on 127.0.0.1:" >&2
  printf '  %s\n' "${in_use[@]}" >&2
  echo "demo: is another demo running? ($kinit status with KINIT_SOCKET=$socket)" >&2
  exit 1
fi

# secure_setup makes, once, what a secured node mounts in production (the
# TLS dir, the password files), a tenants file with tenants demo, team-a
# and team-b, and their client configs; later runs keep them (edit
# tenants.toml while the demo runs: kinit applies it).
secure_setup() {
  local tls=$dir/tls secrets=$dir/secrets
  [ -f "$tls/ca.crt" ] || "$kinit" tls ca --out "$tls" >/dev/null
  mkdir -p "$secrets/tenants"
  chmod 0700 "$secrets"
  newpw() { head -c 18 /dev/urandom | base64 | tr -d '/+='; }
  [ -s "$secrets/admin.password" ] || (umask 077 && newpw >"$secrets/admin.password")
  local t
  for t in demo team-a team-b; do
    [ -s "$secrets/tenants/$t" ] || (umask 077 && newpw >"$secrets/tenants/$t")
  done
  [ -s "$dir/tenants.toml" ] || cat >"$dir/tenants.toml" <<TOML
# The secure demo's tenants (docs/security.md, "Tenants"): each is the
# SCRAM user User:<name>, owns the topics and consumer groups under its
# prefixes and nothing else. Edit while the demo runs: kinit applies it.
[tenants.demo]
password_file = "$secrets/tenants/demo"
topics = ["demo-"]
groups = ["demo-"]

[tenants.team-a]
password_file = "$secrets/tenants/team-a"
topics = ["team-a."]
groups = ["team-a."]
[tenants.team-a.quotas]
produce_bytes_per_sec = 1048576
consume_bytes_per_sec = 2097152

[tenants.team-b]
password_file = "$secrets/tenants/team-b"
topics = ["team-b."]
groups = ["team-b."]
[tenants.team-b.quotas]
produce_bytes_per_sec = 1048576
consume_bytes_per_sec = 2097152
request_percentage = 50.0
TOML
  local pw conf
  pw=$(cat "$secrets/tenants/demo")
  (umask 077 && cat >"$dir/client.properties" <<PROPS
# Kafka's tools as tenant demo: kafka-topics --bootstrap-server localhost:$broker_port --command-config $dir/client.properties
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="demo" password="$pw";
ssl.truststore.type=PEM
ssl.truststore.location=$tls/ca.crt
PROPS
  )
  for t in demo team-a team-b; do
    conf=$dir/kcat-$t.conf
    [ "$t" = demo ] && conf=$dir/kcat.conf
    (umask 077 && cat >"$conf" <<CONF
# kcat -F $conf -L as tenant $t (librdkafka 2.6.1 or later: SCRAM with Kafka 4)
bootstrap.servers=localhost:$broker_port
security.protocol=SASL_SSL
sasl.mechanisms=SCRAM-SHA-512
sasl.username=$t
sasl.password=$(cat "$secrets/tenants/$t")
ssl.ca.location=$tls/ca.crt
# The demo listens on 127.0.0.1 only; localhost may resolve to ::1 first.
broker.address.family=v4
CONF
    )
  done
  export KINIT_SECURITY=sasl_ssl KINIT_TLS_DIR=$tls KINIT_ADMIN_PASSWORD_FILE=$secrets/admin.password KINIT_TENANTS_FILE=$dir/tenants.toml
  local rdkafka
  rdkafka=$("$root/scripts/fetch-librdkafka.sh" 2>/dev/null || true)
  local kc="${rdkafka:+LD_LIBRARY_PATH=$rdkafka }kcat"
  clients="demo: secured: TLS dir $tls (a development CA: never mount ca.key in production),
      tenants demo, team-a, team-b in $dir/tenants.toml (passwords in $secrets/tenants; edit it while running)
        $kraft_home/bin/kafka-topics --bootstrap-server localhost:$broker_port --command-config $dir/client.properties --list
        $kc -F $dir/kcat.conf -L
        echo hi | $kc -F $dir/kcat-team-a.conf -P -t team-a.orders     # team-a's own topic
        echo hi | $kc -F $dir/kcat-team-a.conf -P -t team-b.orders     # refused: team-b's
        curl --cacert $tls/ca.crt $registry/apis/ccompat/v7/subjects
"
}

export KINIT_CONFIG=$root/rootfs/etc/kinit/kinit.toml
export KINIT_CONFIG_ID=$config
export KINIT_ROLE=broker
export KINIT_KAFKA_HOME=$home
export KINIT_DATA_DIR=$dir/data
export KINIT_ETC_DIR=$dir/etc
export KINIT_LOG_DIR=$dir/log
export KINIT_FQDN=localhost
export KINIT_LISTEN_HOST=127.0.0.1
export KINIT_SOCKET=$socket
# The node's status, read-only over HTTP on loopback, for the gateway's
# cluster page at :9021 (the Control Center stand-in), which shows every
# node's kinit state from it.
export KINIT_STATUS_LISTEN=${KINIT_STATUS_LISTEN:-127.0.0.1:9095}
# A terminal a person can read: the JVMs' INFO lines stay in kinit's rings
# (kinit logs) instead of scrolling kinit's own lines away.
export KINIT_OUTPUT=${KINIT_OUTPUT:-summary}
# Apicurio Registry is the schema registry (make apicurio), on a Java 21+.
apicurio_version=$(sed -n 's/^version=//p' scripts/fetch-apicurio.sh)
export KINIT_APICURIO_HOME=${KINIT_APICURIO_HOME:-$root/.cache/apicurio-$apicurio_version}
[ -f "$KINIT_APICURIO_HOME/quarkus-run.jar" ] || { echo "demo: no Apicurio Registry at $KINIT_APICURIO_HOME: run 'make apicurio'" >&2; exit 1; }
KINIT_REGISTRY_JAVA_HOME=${KINIT_REGISTRY_JAVA_HOME:-$("$root/scripts/find-java21.sh")}
export KINIT_REGISTRY_JAVA_HOME
# One broker, one client group at a time: no reason to hold a new group's
# first rebalance for the production default of 3 s, which Apicurio's
# storage consumers would wait through twice at every start (Kafka's own
# advice for development).
export KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=${KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS:-0}
# Kafka makes __consumer_offsets at the first group's first request, with
# 50 partitions by default: on the demo's one broker that is 50 logs to
# create and load while Apicurio's first storage consumer waits (about
# 1.5 s of its start, docs/kafka.md). A development broker needs one.
export KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS=${KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS:-1}
# The registry's JVM without its C2 compiler: on two CPUs shared with the
# broker, C2's compiles of the start-up code slow the start by 2.5 s, and
# a demo's registry never runs long enough to need C2's code. Set it empty
# (KINIT_REGISTRY_JVM_OPTS=) to keep C2.
export KINIT_REGISTRY_JVM_OPTS=${KINIT_REGISTRY_JVM_OPTS--XX:TieredStopAtLevel=1}
# 2 GiB split by the config's memory shares: ZooKeeper ~140 MiB of heap,
# the broker ~460 MiB (a KAFKA_HEAP_OPTS in the environment wins).
export KINIT_FLAVOR=${KINIT_FLAVOR:-small}
# The demo has no KINIT_NODES: the node is the only member of its role and
# takes id 1, persisted in data/*/kinit-node-id for the next run.

registry=http://127.0.0.1:${KINIT_PORT_SCHEMA_REGISTRY:-8081}
clients=""
if [ "$mode" = secure ]; then
  registry=https://localhost:${KINIT_PORT_SCHEMA_REGISTRY:-8081}
  secure_setup
fi

cat <<EOF
demo: $("$kinit" version 2>/dev/null | head -n1 || true), config $config, $what
demo: state in $dir (kept between runs; delete it to start afresh)
demo: KINIT_OUTPUT=$KINIT_OUTPUT: the services' $( [ "$KINIT_OUTPUT" = summary ] && echo "warnings, errors and first lines after a start" || echo "every line" ) below (KINIT_OUTPUT=full|summary to choose)
demo: from a second terminal:
        KINIT_SOCKET=$socket $kinit status
        KINIT_SOCKET=$socket $kinit logs schema-registry -n 50     # one service's recent output (-f follows)
        curl -s --unix-socket $socket http://kinit/v1/status
      clients: bootstrap 127.0.0.1:$broker_port, Schema Registry (Apicurio, Confluent API) $registry/apis/ccompat/v7,
               Control Center http://127.0.0.1:${KINIT_PORT_CONTROL_CENTER:-9021}/
${clients}demo: Ctrl-C stops everything in reverse order.

EOF

start=$EPOCHREALTIME
# Ctrl-C (with or without a pipe after make) or TERM stops kinit in order.
set +e
"$root/scripts/foreground.sh" "$kinit" up
rc=$?
set -e
awk -v rc="$rc" -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "demo: kinit exited with %d after %.1fs\n", rc, b - a }'
exit "$rc"
