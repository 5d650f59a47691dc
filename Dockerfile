# kinit Kafka image on Debian: one image for every role and config id
# (ZooKeeper mode on Kafka 3.9, KRaft mode on Kafka 4.4), kinit as PID 1,
# the role chosen per container with KINIT_ROLE. docs/image.md explains
# each choice. `make image` builds it as localhost/kinit:dev from a staged
# context (scripts/image.sh): kinit and the stand-ins built on the host,
# the Kafka jars `make kafka` and Apicurio Registry `make apicurio` fetched
# from Maven Central, rootfs/.
#
# BASE is any Debian trixie; without a registry, scripts/image.sh
# bootstraps one with mmdebstrap (Java included) and passes it.
ARG BASE=debian:trixie-slim
FROM ${BASE}

# One Java for every service: Debian's default JRE, on trixie OpenJDK 21
# (Kafka 3.9 and 4.4 run on it, Apicurio Registry needs 21+; bookworm's
# only JRE is 17). default-jre-headless also gives /usr/lib/jvm/default-java,
# kinit.toml's registry_java_home. A base that has it already (the
# bootstrapped one) skips the download. The kafka user owns the data, the
# logs and the control socket's directory: kinit and every service run as it.
RUN set -eu; \
    if [ ! -x /usr/lib/jvm/default-java/bin/java ]; then \
      apt-get update; \
      apt-get install -y --no-install-recommends default-jre-headless; \
      rm -rf /var/lib/apt/lists/*; \
    fi; \
    if ! getent passwd kafka >/dev/null; then \
      echo 'kafka:x:1000:1000:Kafka:/var/lib/kafka:/usr/sbin/nologin' >>/etc/passwd; \
      echo 'kafka:x:1000:' >>/etc/group; \
    fi; \
    mkdir -p /var/lib/kafka /var/lib/zookeeper /var/lib/kraft /var/lib/kraft-controller \
             /var/lib/confluent-control-center /var/log/kafka /run/kinit /usr/lib/kafka4; \
    chown -R 1000:1000 /var/lib/kafka /var/lib/zookeeper /var/lib/kraft /var/lib/kraft-controller \
             /var/lib/confluent-control-center /var/log/kafka /run/kinit

# Kafka 3.9 under /usr/lib/kafka and 4.4 under /usr/lib/kafka4 (jars in
# share/java/kafka), the launchers and /etc/kinit from rootfs/.
COPY kafka-3.9/share/ /usr/lib/kafka/share/
COPY kafka-4.4/share/ /usr/lib/kafka4/share/
# Apicurio Registry (quarkus-run.jar, lib/): the schema-registry service,
# schemas in a Kafka topic; its launcher comes from rootfs/.
COPY apicurio/ /usr/lib/apicurio/
# The Jolokia JVM agent kinit attaches to its JVMs when metrics shipping is
# on (kinit.toml's jolokia_agent; docs/metrics.md).
COPY jolokia/ /usr/lib/jolokia/
COPY rootfs/ /
COPY kinit /usr/bin/kinit
COPY kinit-standin-control-center /usr/lib/kafka/bin/
# kinit renders the services' files under etc_dir (/usr/lib/kafka/etc) as
# the kafka user.
RUN mkdir -p /usr/lib/kafka/etc/kafka /usr/lib/kafka/etc/kraft /usr/lib/kafka/etc/schema-registry \
             /usr/lib/kafka/etc/confluent-control-center \
 && chown -R 1000:1000 /usr/lib/kafka/etc \
 && /usr/bin/kinit version

ENV KINIT_RUN_USER=kafka \
    KINIT_RUN_GROUP=kafka \
    PATH=/usr/lib/kafka/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

USER 1000:1000
VOLUME ["/var/lib/kafka", "/var/lib/zookeeper", "/var/lib/kraft", "/var/lib/kraft-controller"]
# zookeeper client/peer/election, kafka-broker, kraft controller, schema-registry, control-center
EXPOSE 2181 2888 3888 9092 9093 9094 8081 9021

# kinit stops everything within KINIT_STOP_TIMEOUT (8 s) and exits at most
# 1 s later: inside Docker's and podman's default 10 s stop timeout. Give
# `docker stop -t` / stop_grace_period more when KINIT_STOP_TIMEOUT is raised.
HEALTHCHECK --interval=15s --timeout=10s --start-period=5m --retries=3 \
  CMD ["/usr/bin/kinit", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/kinit"]
CMD ["up"]
