# Supervisor benchmark: dependency-to-start latency on a chain of 10
# services, time to all ready, and kinit's idle CPU and RSS (60 s).
# Not part of `make test`. BENCH_IDLE=10s shortens the idle window.
BENCH_IDLE ?= 60s
.PHONY: bench-supervisor
bench-supervisor:
	mkdir -p out/bench
	$(GO) build -o out/bench/testprog ./supervisor/internal/testprog
	$(GO) build -trimpath -ldflags '-s -w' -o out/bench/plandriver ./supervisor/internal/plandriver
	$(GO) run ./bench/supervisor -testprog out/bench/testprog -plandriver out/bench/plandriver -idle $(BENCH_IDLE)

fuzz::
	$(GO) test -run '^$$' -fuzz '^FuzzParseSrvr$$' -fuzztime 100000x ./supervisor/probe
