# `make bench`: every benchmark in one run into docs/benchmarks.md
# (scripts/bench.sh). `make bench-coldstart`: kinit's share of the demo's
# cold start in both modes. Not part of `make test`.
.PHONY: bench bench-coldstart
bench: build kafka apicurio
	scripts/bench.sh

bench-coldstart: build kafka apicurio
	$(GO) run ./bench/coldstart

# `make bench-startup`: the demo's first and second start in each mode with
# the start-up work off and on (Apicurio's poll timeout, KINIT_CDS).
.PHONY: bench-startup
bench-startup: build kafka apicurio
	$(GO) run ./bench/startup

# `make bench-roll`: a rolling reload of the three-host cluster (ZooKeeper
# mode, network namespaces, root) with KINIT_CDS off and on.
.PHONY: bench-roll
bench-roll: build kafka apicurio
	$(GO) test -run '^$$' -bench RollingReload -benchtime 1x -timeout 60m ./test/cluster
