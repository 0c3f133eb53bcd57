# jpcheck: contract and latency checks for Juspay-compatible payment services.
# The quick start is two commands: `make run` (the main job) and `make test`.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
BIN     := bin/jpcheck
OUT     := out

.PHONY: all run test build lint bench fuzz golden errata clean deps

all: lint test build ## lint, test and build

deps: ## download the Go modules the build and tests need
	$(GO) mod download

build: deps ## build bin/jpcheck
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/jpcheck

run: build ## the main job: lint the specs and check every documented sample against them
	@mkdir -p $(OUT)
	$(BIN) specs lint
	$(BIN) specs examples | tee $(OUT)/examples.txt
	$(BIN) specs errata --format markdown > $(OUT)/errata.md
	@echo "results: $(OUT)/examples.txt, errata: $(OUT)/errata.md"

test: deps ## run every test, the race detector on the engine and the mock, and the fuzz seeds
	$(GO) vet ./...
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race ./contracts/... ./mock/...

lint: ## gofmt check and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench: deps ## benchmarks, including the libopenapi-validator baseline side by side
	$(GO) test -run '^$$' -bench . -benchmem ./contracts/... ./mock/...

fuzz: ## fuzz the validator for a minute
	$(GO) test -run '^$$' -fuzz FuzzValidate -fuzztime 60s ./contracts

golden: ## rewrite golden files from the current output
	$(GO) test ./cmd/jpcheck -update

errata: build ## regenerate docs/errata.md from the specs and samples
	@mkdir -p docs
	$(BIN) specs errata --format markdown > docs/errata.md

clean:
	rm -rf bin $(OUT)
