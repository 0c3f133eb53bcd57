# jpcheck: contract and latency checks for Juspay-compatible payment services.
# The quick start is two commands: `make run` (the main job) and `make test`.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)
IMAGE   ?= jpcheck:$(VERSION)
BIN     := bin/jpcheck
OUT     := out
# make run's latency check: 40,000 requests (1,000/s for 40 s), enough to decide every SLO check
# (a pass of TP99.99 or of the 0.01% budget needs at least 36,887). The reference implementation
# answers within the documented SLO with a margin (its `juspay` table sits exactly on the limits,
# so any overhead fails TP50). The default --max-lag (20 ms) holds: generator lag only ever voids
# a fail, never a pass, so a busy machine cannot fail this run. The output says the rate achieved.
RUN_LOAD := --duration 40s --rate 1000 --mock-latency p50=5ms,p90=15ms,p99=100ms,p99.9=250ms,p99.99=600ms

.PHONY: all run test test-deps mutation build lint bench bench-load fuzz golden errata clean deps browser image

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
	@# Every step runs even when an earlier one fails, so the report always shows the whole
	@# run; make run's exit code is the first failing step's.
	@rc=0; \
	  $(BIN) conform --report-dir $(OUT) --junit $(OUT)/junit.xml || rc=$$?; \
	  $(BIN) load $(RUN_LOAD) --out $(OUT)/load || { s=$$?; [ $$rc -ne 0 ] || rc=$$s; }; \
	  mkdir -p $(OUT)/history; \
	  echo "also in $(OUT)/: examples.txt (every documented sample checked), errata.md, load/ (the latency check), report.md, history/"; \
	  $(BIN) report --in $(OUT) --in $(OUT)/load --history $(OUT)/history --out $(OUT) || { s=$$?; [ $$rc -ne 0 ] || rc=$$s; }; \
	  cp $(OUT)/run.json $(OUT)/history/run-$$(date -u +%Y%m%dT%H%M%SZ).json; \
	  exit $$rc

# make test installs the tools its tests need (scripts/test-deps.sh) and then requires them:
# JPCHECK_REQUIRE_TOOLS=1 turns a test's skip for a missing tool into a failure.
# Under the race detector (5-10x slower) the load engine and the CLI skip what runs one
# goroutine for minutes or only shells out, already run above without -race: the mutation score
# (its own target), the diffs of whole spec trees, the builds and the go list checks; the
# verdict and shard runs whose outcome needs the generator to keep hundreds of requests a second, which
# the detector's slowdown prevents (the same code paths are raced at lower rates), among them the
# shard processes test, whose jpcheck processes are not race builds anyway; and the
# command tests that only render or validate in one goroutine (their packages are raced above).
RACE_SKIP := ^(TestConformMutationScore|TestLoadFindCapacityFindsTheKnee|TestLoadInsideSLOPassesWithDefaults|TestLoadFastFailuresFail|TestShardsMergeLikeOneGenerator|TestLoadShardProcessesMatchOneProcess|TestDiff|TestDiffConsumers|TestStaticBuild|TestGitHubAction|TestGoReleaserConfig|TestImports|TestOnlyCmdImportsCobra|TestValidate|TestValidateEveryKind|TestConformLabelFilterAndFocus|TestRunsFromADirectoryWithAnExtension)$$

test: deps test-deps lint ## the tools tests need, lint, every test, the race detector on the engine, mock, suites, load and the CLI, the mutation score
	JPCHECK_REQUIRE_TOOLS=1 JPCHECK_ARTIFACTS=$(CURDIR)/$(OUT)/artifacts $(GO) test -count=1 -skip '^TestConformMutationScore$$' ./...
	$(GO) test -count=1 -race ./contracts/... ./mock/... ./suites/...
	$(GO) test -count=1 -race -skip '$(RACE_SKIP)' ./load/... ./cmd/jpcheck/...
	@$(MAKE) --no-print-directory mutation

test-deps: ## install Chromium, Node.js and npm (Debian packages) when missing; not root: print the command and stop
	@./scripts/test-deps.sh

mutation: deps ## break one field at a time in the reference implementation; conform must name each (100%)
	@mkdir -p $(OUT)
	@$(GO) test -count=1 -run '^TestConformMutationScore$$' -v ./cmd/jpcheck > $(OUT)/mutation.log 2>&1; rc=$$?; \
	  grep -E '^(mutation score|survivor|--- FAIL|FAIL|ok)' $(OUT)/mutation.log; exit $$rc

browser: deps test-deps ## open a report in headless Chromium; the screenshot goes to out/artifacts/
	@mkdir -p $(OUT)/artifacts
	JPCHECK_REQUIRE_TOOLS=1 JPCHECK_ARTIFACTS=$(CURDIR)/$(OUT)/artifacts $(GO) test -count=1 -run '^TestBrowser' -v ./reports

lint: ## gofmt check and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench: deps ## benchmarks, including the libopenapi-validator baseline side by side, then bench-load
	$(GO) test -run '^$$' -bench . -benchmem ./contracts/... ./mock/...
	$(GO) test -run '^$$' -bench BenchmarkWriteHTML -benchmem ./reports
	@$(MAKE) --no-print-directory bench-load

bench-load: deps ## jpcheck load unthrottled vs the vegeta CLI and wrk on one loopback target; a 1,000,000-request run's memory
	./scripts/bench-load.sh

fuzz: ## fuzz each parser (payloads, the JSON reader against encoding/json, fixtures, V4 bodies, SLO files, histograms) for a minute
	$(GO) test -run '^$$' -fuzz FuzzValidate -fuzztime 60s ./contracts
	$(GO) test -run '^$$' -fuzz '^FuzzReader$$' -fuzztime 60s ./contracts
	$(GO) test -run '^$$' -fuzz FuzzParseFixtures -fuzztime 60s ./suites
	$(GO) test -run '^$$' -fuzz FuzzOpen -fuzztime 60s ./jwe
	$(GO) test -run '^$$' -fuzz FuzzParseSLO -fuzztime 60s ./load
	$(GO) test -run '^$$' -fuzz FuzzDecodeHistogram -fuzztime 60s ./load

golden: ## rewrite golden files from the current output
	$(GO) test ./cmd/jpcheck ./reports -update

errata: build ## regenerate docs/errata.md from the specs and samples
	@mkdir -p docs
	$(BIN) specs errata --format markdown > docs/errata.md

image: ## build the container image (Dockerfile) with docker or podman, tagged $(IMAGE)
	@engine=$$(command -v docker || command -v podman) || { \
	  echo "make image: neither docker nor podman is installed; install one (the image is built from ./Dockerfile)" >&2; exit 2; }; \
	$$engine info >/dev/null 2>&1 || { \
	  echo "make image: $$engine is installed but no engine answers ($$engine info failed): start the daemon, or use podman" >&2; exit 2; }; \
	$$engine build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) -t $(IMAGE) .

clean:
	rm -rf bin $(OUT)
