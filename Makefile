# KubeMacPool for .NET — developer entry points. `make help` lists them.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

SOLUTION      := KubeMacPool.slnx
CONFIGURATION ?= Release
OUTPUT        := _output
RESULTS       := $(OUTPUT)/test-results
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

.PHONY: build
build: ## Restore and build everything (warnings are errors)
	dotnet build $(SOLUTION) -c $(CONFIGURATION)

.PHONY: test
test: build ## Unit + functional tests; ends with one "N passed, N failed, N skipped" line
	@rm -rf $(RESULTS)
	@status=0; dotnet test --solution $(SOLUTION) -c $(CONFIGURATION) --no-build \
		--report-xunit-trx --results-directory $(RESULTS) || status=$$?; \
	hack/test-summary.sh $(RESULTS) || status=1; exit $$status

.PHONY: unit-test
unit-test: build ## Unit tests only (no cluster needed)
	@rm -rf $(RESULTS)
	@status=0; for p in test/*.Tests; do \
		dotnet test --project $$p -c $(CONFIGURATION) --no-build \
			--report-xunit-trx --results-directory $(RESULTS) || status=$$?; done; \
	hack/test-summary.sh $(RESULTS) || status=1; exit $$status

.PHONY: bench
bench: ## BenchmarkDotNet micro-benchmarks (BENCH_FILTER='*Allocat*' to narrow)
	dotnet run -c Release --project test/KubeMacPool.Benchmarks -- --filter '$(or $(BENCH_FILTER),*)' \
		--artifacts $(OUTPUT)/benchmarks $(BENCH_ARGS)

.PHONY: fmt
fmt: ## Format the code in place
	dotnet format $(SOLUTION)

.PHONY: lint
lint: ## Fail when formatting or code style is off
	dotnet format $(SOLUTION) --verify-no-changes

.PHONY: clean
clean: ## Remove build outputs (keeps the cached control-plane binaries)
	rm -rf $(OUTPUT)/artifacts $(RESULTS) $(OUTPUT)/benchmarks
