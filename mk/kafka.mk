# Real Kafka + ZooKeeper for tests and the demo (docs/kafka.md).
# `make kafka` lays out .cache/kafka-<version> for 3.9.2 and 4.4.0 (jars from Maven Central, cached
# by a stamp; launchers linked from rootfs/) and builds the Control Center
# stand-in into its bin/. `make test` depends on it.
KAFKA_VERSION := $(shell sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' java/kafka/pom.xml)
KAFKA_HOME_DIR := .cache/kafka-$(KAFKA_VERSION)
# Kafka 4.4 for KRaft mode, in a home of its own beside 3.9.2's.
KAFKA_KRAFT_POM := java/kafka/kraft/pom.xml
KINIT_STANDINS := control-center

.PHONY: kafka kafka-standins
kafka:
	scripts/fetch-kafka.sh >/dev/null
	scripts/fetch-kafka.sh $(KAFKA_KRAFT_POM) >/dev/null
	$(MAKE) --no-print-directory kafka-standins

# Rebuilt every time (the Go build cache makes it cheap) so the stand-in
# never lags behind its sources.
kafka-standins:
	$(foreach s,$(KINIT_STANDINS),$(GO) build -trimpath -o $(KAFKA_HOME_DIR)/bin/kinit-standin-$(s) ./cmd/kinit-standin-$(s) &&) true

test-deps:: kafka
