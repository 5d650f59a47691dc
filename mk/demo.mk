# The demo (docs/demo.md): kinit runs the standalone config (ZooKeeper,
# broker, Schema Registry, Control Center) in the foreground on loopback,
# state under .cache/demo. Ctrl-C stops it; `make demo` again reuses the state.
.PHONY: demo demo-kraft demo-secure demo-clean
demo: build kafka apicurio
	@scripts/demo.sh

# The same with KRaft on Kafka 4.4 (kraft-standalone), state under .cache/demo-kraft.
demo-kraft: build kafka apicurio
	@scripts/demo.sh kraft

# kraft-standalone secured (docs/security.md): SASL_SSL with SCRAM, mutual TLS
# for the controller, a development CA; client.properties and kcat.conf in
# .cache/demo-secure.
demo-secure: build kafka apicurio librdkafka
	@scripts/demo.sh secure

demo-clean:
	rm -rf .cache/demo .cache/demo-kraft .cache/demo-secure
