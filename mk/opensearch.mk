# Real OpenSearch for the metrics tests (docs/metrics.md): `make opensearch` lays out
# .cache/opensearch-<version> (jars from Maven Central, the embedded-node launcher
# compiled from java/opensearch/src; cached by a stamp). `make test` depends on it.
.PHONY: opensearch
opensearch:
	scripts/fetch-opensearch.sh >/dev/null

test-deps:: opensearch

# The Jolokia JVM agent kinit attaches when metrics shipping is on:
# `make jolokia` lays out .cache/jolokia-<version>/jolokia-agent.jar.
.PHONY: jolokia
jolokia:
	scripts/fetch-jolokia.sh >/dev/null

test-deps:: jolokia
