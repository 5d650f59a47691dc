# Supervisor benchmark: dependency-to-start latency on a chain of 10
# services (and after a slow starter), time to all ready, and kinit's idle
# CPU and RSS (60 s), with Pebble (pinned in bench/peers/pebble) and
# Debian's supervisord run on the same services as peers. Not part of
# `make test`. BENCH_IDLE=10s shortens the idle window.
BENCH_IDLE ?= 60s
.PHONY: bench-supervisor
bench-supervisor:
	scripts/deps.sh
	mkdir -p out/bench
	$(GO) build -o out/bench/testprog ./supervisor/internal/testprog
	$(GO) build -trimpath -ldflags '-s -w' -o out/bench/plandriver ./supervisor/internal/plandriver
	cd bench/peers/pebble && $(GO) build -o ../../../out/bench/pebble github.com/canonical/pebble/cmd/pebble
	$(GO) run ./bench/supervisor -testprog out/bench/testprog -plandriver out/bench/plandriver -idle $(BENCH_IDLE) \
	  -pebble out/bench/pebble -supervisord $$(command -v supervisord)

fuzz::
	$(GO) test -run '^$$' -fuzz '^FuzzParseSrvr$$' -fuzztime 100000x ./supervisor/probe
