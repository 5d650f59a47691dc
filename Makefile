# kinit build, demo and tests. Area-specific targets live in mk/*.mk.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
BIN := bin
export CGO_ENABLED := 0

.PHONY: all build test test-deps fuzz lint clean
all: build

build: $(BIN)/kinit

$(BIN)/kinit: FORCE
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./cmd/kinit

FORCE:

lint:
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# The README's test command. Installs what it needs first (idempotent), then
# lint, every Go test (unit, PID-1, integration with real ZooKeeper/Kafka) with
# the race detector, and a short run of each fuzz target. The race detector
# needs cgo; the test binaries then run with CGO_ENABLED=0 so the kinit they
# build for end-to-end tests is static, like `make build`'s. The Kubernetes
# tests (test/kubecluster: a three-node cluster and eight JVM pods) run after
# the rest, alone, so they never share the two CPUs with the other clusters.
GO_TEST := CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 40m -exec 'env CGO_ENABLED=0'
test: test-deps lint
	$(GO_TEST) $$($(GO) list ./... | grep -v '/test/kubecluster$$')
	$(GO_TEST) ./test/kubecluster
	$(MAKE) fuzz

# Areas add prerequisites with their own "test-deps::" and "fuzz::" rules.
test-deps::
	scripts/deps.sh
fuzz::

clean:
	rm -rf $(BIN) out

-include mk/*.mk
