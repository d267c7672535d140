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

.PHONY: control-plane
control-plane: ## Provide kube-apiserver, kube-controller-manager, etcd (first time: apt + a ~7 min build, cached)
	hack/control-plane/provide-binaries.sh

.PHONY: dhcp-clients
dhcp-clients: ## Install the DHCP clients the agent tests drive (busybox udhcpc, ISC dhclient, iproute2) when one is missing
	@missing=; for tool in busybox dhclient ip; do \
		command -v $$tool >/dev/null || [ -x /usr/sbin/$$tool ] || [ -x /sbin/$$tool ] || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "dhcp-clients: missing$$missing and not root: the real-client DHCP tests need root and will skip" >&2; exit 0; fi; \
		echo "dhcp-clients: installing for$$missing"; \
		apt-get install -y --no-install-recommends busybox isc-dhcp-client iproute2 || \
			{ apt-get update && apt-get install -y --no-install-recommends busybox isc-dhcp-client iproute2; }; \
	fi

.PHONY: prometheus
prometheus: ## Provide a Prometheus server for the alert test (Debian's package, unpacked into ~/.cache/kubemacpool)
	@hack/prometheus/provide.sh >/dev/null || echo "prometheus: not available here; the alert test will skip and say why" >&2

.PHONY: test
test: control-plane dhcp-clients prometheus build ## Unit + functional tests (starts a local control plane); ends with "N passed, N failed, N skipped"
	@rm -rf $(RESULTS)
	@status=0; dotnet test --solution $(SOLUTION) -c $(CONFIGURATION) --no-build \
		--report-xunit-trx --results-directory $(RESULTS) || status=$$?; \
	hack/test-summary.sh $(RESULTS) || status=1; exit $$status

.PHONY: unit-test
unit-test: dhcp-clients build ## Unit tests only (no cluster needed)
	@rm -rf $(RESULTS)
	@status=0; for p in test/*.Tests; do \
		dotnet test --project $$p -c $(CONFIGURATION) --no-build \
			--report-xunit-trx --results-directory $(RESULTS) || status=$$?; done; \
	hack/test-summary.sh $(RESULTS) || status=1; exit $$status

.PHONY: functest
functest: prometheus build ## Functional tests only, against cluster/up.sh's cluster or KUBEVIRT_PROVIDER=external + KUBECONFIG
	@rm -rf $(RESULTS)
	@status=0; dotnet test --project test/KubeMacPool.FuncTests -c $(CONFIGURATION) --no-build \
		--report-xunit-trx --results-directory $(RESULTS) || status=$$?; \
	hack/test-summary.sh $(RESULTS) || status=1; exit $$status

.PHONY: cluster-up
cluster-up: ## Start the local control plane (KUBEVIRT_PROVIDER=local) or check the external one
	cluster/up.sh

.PHONY: cluster-down
cluster-down: ## Stop the local control plane and remove its state
	cluster/down.sh

.PHONY: cluster-sync
cluster-sync: ## Build and (re)start kubemacpool against the cluster (local: a process the webhooks call by URL; REPLICAS=2: two behind HAProxy)
	REPLICAS=$(or $(REPLICAS),1) cluster/sync.sh

.PHONY: cluster-clean
cluster-clean: ## Remove what cluster-sync deployed, keep the cluster
	cluster/clean.sh

.PHONY: manifests
manifests: ## Render config/release and config/test into _output/manifests
	@mkdir -p $(OUTPUT)/manifests
	kubectl kustomize --load-restrictor=LoadRestrictionsNone config/release > $(OUTPUT)/manifests/kubemacpool.yaml
	kubectl kustomize --load-restrictor=LoadRestrictionsNone config/test > $(OUTPUT)/manifests/kubemacpool-test.yaml
	kubectl kustomize config/monitoring > $(OUTPUT)/manifests/kubemacpool-monitoring.yaml

.PHONY: bench
bench: ## BenchmarkDotNet micro-benchmarks (BENCH_FILTER='*Allocat*' to narrow)
	dotnet run -c Release --project test/KubeMacPool.Benchmarks -- --filter '$(or $(BENCH_FILTER),*)' \
		--artifacts $(OUTPUT)/benchmarks $(BENCH_ARGS)
	dotnet run -c Release --project test/KubeMacPool.Benchmarks --no-build -- --memory

.PHONY: publish
publish: ## Publish the manager as the image ships it (ReadyToRun, linux-x64) into _output/publish
	dotnet publish src/KubeMacPool.Manager -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
		-o $(OUTPUT)/publish -p:ArtifactsPath=$(CURDIR)/$(OUTPUT)/publish-artifacts

PLUGIN_DIR ?= $(HOME)/.local/bin

.PHONY: plugin
plugin: ## Build kubectl-macpool (one framework-dependent file) into _output/plugin and install it on PATH (PLUGIN_DIR, default ~/.local/bin)
	dotnet publish src/KubeMacPool.Plugin -c Release -r linux-x64 --self-contained false -p:PublishSingleFile=true \
		-o $(OUTPUT)/plugin -p:ArtifactsPath=$(CURDIR)/$(OUTPUT)/plugin-artifacts
	install -D -m 0755 $(OUTPUT)/plugin/kubectl-macpool $(PLUGIN_DIR)/kubectl-macpool
	@echo "installed $(PLUGIN_DIR)/kubectl-macpool; try: kubectl macpool status"

.PHONY: bench-scale
bench-scale: publish ## Startup rebuild at scale against the local cluster (SCALE=10000; BEFORE=path/to/kubemacpool.dll to compare)
	KUBECONFIG=$${KUBECONFIG:-$(CURDIR)/_output/cluster/kubeconfig} dotnet run -c Release --project test/KubeMacPool.Benchmarks -- \
		--scale $(or $(SCALE),10000) --compare published=$(OUTPUT)/publish/kubemacpool.dll $(if $(BEFORE),--compare before=$(BEFORE))

.PHONY: bench-admission
bench-admission: ## Admission load beside a bare Kestrel TLS floor, retry and heal storms, against cluster-sync's service (restarted with KMP_WAIT_TIME=40; KMP_MANAGER_DLL=... measures another build)
	KMP_WAIT_TIME=$(or $(KMP_WAIT_TIME),40) cluster/sync.sh
	dotnet build test/KubeMacPool.Benchmarks -c $(CONFIGURATION) -v quiet -nologo
	. $(OUTPUT)/cluster/endpoint.env && dotnet run -c $(CONFIGURATION) --project test/KubeMacPool.Benchmarks --no-build -- \
		--admission "$$KMP_WEBHOOK_URL" --pid "$$(cat $(OUTPUT)/cluster/pids/kubemacpool.pid)" \
		--log $(OUTPUT)/cluster/logs/kubemacpool.log $(BENCH_ARGS)

.PHONY: fmt
fmt: ## Format the code in place
	dotnet format $(SOLUTION)

.PHONY: lint
lint: ## Fail when formatting or code style is off
	dotnet format $(SOLUTION) --verify-no-changes

.PHONY: clean
clean: ## Remove build outputs (keeps the cached control-plane binaries)
	rm -rf $(OUTPUT)/artifacts $(RESULTS) $(OUTPUT)/benchmarks $(OUTPUT)/publish $(OUTPUT)/publish-artifacts $(OUTPUT)/plugin $(OUTPUT)/plugin-artifacts
