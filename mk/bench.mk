# `make bench`: every benchmark in one run into docs/benchmarks.md
# (scripts/bench.sh). `make bench-coldstart`: kinit's share of the demo's
# cold start in both modes. Not part of `make test`.
.PHONY: bench bench-coldstart
bench: build kafka apicurio
	scripts/bench.sh

bench-coldstart: build kafka apicurio
	$(GO) run ./bench/coldstart

# `make bench-cds`: kinit-managed class-data sharing (KINIT_CDS) off and on,
# first and second start of the demo in each mode.
.PHONY: bench-cds
bench-cds: build kafka apicurio
	$(GO) run ./bench/cds
