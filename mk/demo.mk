# The demo (docs/demo.md): kinit runs the standalone config (ZooKeeper,
# broker, Schema Registry, Control Center) in the foreground on loopback,
# state under .cache/demo. Ctrl-C stops it; `make demo` again reuses the state.
.PHONY: demo demo-clean
demo: build kafka
	@scripts/demo.sh

demo-clean:
	rm -rf .cache/demo
