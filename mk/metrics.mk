# Metrics and events (docs/metrics.md): cost of kinit's sampler + shipper with
# 4 idle services and metrics every 10 s over one real minute, against one
# `ps -e` scan per interval. Override e.g. BENCH_METRICS_FLAGS='-interval 1s -duration 30s'
# (figures are then scaled to one pass per 10 s).
BENCH_METRICS_FLAGS ?= -interval 10s -duration 60s

.PHONY: bench-metrics
bench-metrics:
	scripts/deps.sh
	$(GO) build -trimpath -o $(BIN)/kinit-standin-elasticsearch ./cmd/kinit-standin-elasticsearch
	$(GO) build -trimpath -o $(BIN)/bench-metrics ./bench/metrics
	$(BIN)/bench-metrics -standin $(BIN)/kinit-standin-elasticsearch $(BENCH_METRICS_FLAGS)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./metrics

# Kafka's own metrics (docs/metrics.md): kinit's CPU for collection and
# shipping and each JVM's CPU, the standalone demo (ZooKeeper mode) with
# the Jolokia agent and Kafka documents against process samples only.
.PHONY: bench-kafka-metrics
bench-kafka-metrics: build kafka apicurio jolokia
	$(GO) build -trimpath -o $(BIN)/kinit-standin-elasticsearch ./cmd/kinit-standin-elasticsearch
	$(GO) run ./bench/kafkametrics -standin $(BIN)/kinit-standin-elasticsearch -agent "$$(scripts/fetch-jolokia.sh)" $(BENCH_KAFKA_METRICS_FLAGS)
