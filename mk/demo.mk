# The demo (docs/demo.md): kinit runs the standalone config (ZooKeeper,
# broker, Schema Registry, Control Center) in the foreground on loopback,
# state under .cache/demo. Ctrl-C stops it; `make demo` again reuses the state.
.PHONY: demo demo-kraft demo-clean
demo: build kafka apicurio
	@scripts/demo.sh

# The same with KRaft on Kafka 4.4 (kraft-standalone), state under .cache/demo-kraft.
demo-kraft: build kafka apicurio
	@scripts/demo.sh kraft

demo-clean:
	rm -rf .cache/demo .cache/demo-kraft
