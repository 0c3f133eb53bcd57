# jpcheck: contract and latency checks for Juspay-compatible payment services.
# The quick start is two commands: `make run` (the main job) and `make test`.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
BIN     := bin/jpcheck
OUT     := out

.PHONY: all run test mutation build lint bench fuzz golden errata clean deps

all: lint test build ## lint, test and build

deps: ## download the Go modules the build and tests need
	$(GO) mod download

build: deps ## build bin/jpcheck
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/jpcheck

run: build ## the main job: the contract suites against the embedded reference implementation, report in out/
	@mkdir -p $(OUT)
	$(BIN) specs lint
	@$(BIN) specs examples > $(OUT)/examples.txt || { cat $(OUT)/examples.txt; exit 1; }
	@tail -n 1 $(OUT)/examples.txt
	$(BIN) specs errata --format markdown > $(OUT)/errata.md
	$(BIN) conform --report-dir $(OUT) --junit $(OUT)/junit.xml
	@echo "also in $(OUT)/: examples.txt (every documented sample checked), errata.md"

test: deps ## every test, the race detector on the engine, mock and suites, the fuzz seeds, the mutation score
	$(GO) vet ./...
	$(GO) test -count=1 -skip '^TestConformMutationScore$$' ./...
	$(GO) test -count=1 -race ./contracts/... ./mock/... ./suites/...
	@$(MAKE) --no-print-directory mutation

mutation: deps ## break one field at a time in the reference implementation; conform must name each (100%)
	@mkdir -p $(OUT)
	@$(GO) test -count=1 -run '^TestConformMutationScore$$' -v ./cmd/jpcheck > $(OUT)/mutation.log 2>&1; rc=$$?; \
	  grep -E '^(mutation score|survivor|--- FAIL|FAIL|ok)' $(OUT)/mutation.log; exit $$rc

lint: ## gofmt check and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench: deps ## benchmarks, including the libopenapi-validator baseline side by side
	$(GO) test -run '^$$' -bench . -benchmem ./contracts/... ./mock/...

fuzz: ## fuzz the validator, the fixtures parser and the V4 client for a minute each
	$(GO) test -run '^$$' -fuzz FuzzValidate -fuzztime 60s ./contracts
	$(GO) test -run '^$$' -fuzz FuzzParseFixtures -fuzztime 60s ./suites
	$(GO) test -run '^$$' -fuzz FuzzV4Open -fuzztime 60s ./suites

golden: ## rewrite golden files from the current output
	$(GO) test ./cmd/jpcheck ./reports -update

errata: build ## regenerate docs/errata.md from the specs and samples
	@mkdir -p docs
	$(BIN) specs errata --format markdown > docs/errata.md

clean:
	rm -rf bin $(OUT)
