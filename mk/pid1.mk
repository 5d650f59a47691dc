# PID-1 core (kinit -- CMD): benchmark against Debian's tini and dumb-init,
# each as PID 1 under unshare. Needs root. Prints a Markdown table on stdout,
# per-run figures on stderr. Override e.g. BENCH_PID1_FLAGS='-runs 3'.
BENCH_PID1_FLAGS ?= -runs 5 -orphans 20000 -idle 20s

.PHONY: bench-pid1
bench-pid1: build
	scripts/deps.sh
	$(GO) run ./bench/pid1 -kinit $(BIN)/kinit $(BENCH_PID1_FLAGS)
