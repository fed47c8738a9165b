# OPA policy toolchain. Included by the top-level Makefile (`include opa/opa.mk`).
# The CLI is pinned and built from source with the Go toolchain into .tools/bin.

OPA_VERSION      := v1.22.3
OPA_BIN          ?= $(CURDIR)/.tools/bin/opa
OPA_POLICY_DIR   := opa/policy
OPA_BUILD_DIR    := opa/build
OPA_CAPABILITIES := opa/capabilities.json
OPA_ENTRYPOINTS  := -e blog/authz/decision -e blog/authz/operations
OPA_COVERAGE_MIN := 90
OPA_FIXTURES_DIR := tests/opa/fixtures
OPA_PYTHON       ?= $(CURDIR)/.venv/bin/python
OPA_TMP          := $(CURDIR)/var/opa

.PHONY: opa-tools opa opa-check opa-fixtures opa-capabilities

opa-tools: ## Install the pinned OPA CLI into .tools/bin (needs Go)
	GOBIN=$(CURDIR)/.tools/bin go install github.com/open-policy-agent/opa@$(OPA_VERSION)

$(OPA_BIN):
	$(MAKE) opa-tools

opa: $(OPA_BIN) install ## Format check, strict check, Rego tests with coverage, wasm build into opa/build
	@$(OPA_BIN) version | grep -x 'Version: $(OPA_VERSION:v%=%)' >/dev/null || \
		{ echo "$(OPA_BIN) is not OPA $(OPA_VERSION): run 'make opa-tools'"; exit 1; }
	$(OPA_BIN) fmt --list --fail $(OPA_POLICY_DIR)
	$(OPA_BIN) check --strict --capabilities $(OPA_CAPABILITIES) $(OPA_POLICY_DIR)
	@mkdir -p $(OPA_TMP)
	$(OPA_BIN) test --coverage $(OPA_POLICY_DIR) > $(OPA_TMP)/coverage.json || \
		{ $(OPA_BIN) test -v $(OPA_POLICY_DIR); exit 1; }
	@$(OPA_PYTHON) opa/tools/check_coverage.py $(OPA_TMP)/coverage.json $(OPA_COVERAGE_MIN)
	$(OPA_BIN) build -t wasm --capabilities $(OPA_CAPABILITIES) --ignore '*_test.rego' \
		$(OPA_ENTRYPOINTS) -o $(OPA_TMP)/bundle.tar.gz $(OPA_POLICY_DIR)
	$(OPA_PYTHON) opa/tools/extract_bundle.py $(OPA_TMP)/bundle.tar.gz $(OPA_BUILD_DIR)

opa-check: opa ## `opa`, then fail if opa/build differs from what is committed
	@drift="$$(git status --porcelain $(OPA_BUILD_DIR))"; \
	if [ -n "$$drift" ]; then \
		echo "opa/build is out of date with opa/policy; run 'make opa' and commit:"; \
		echo "$$drift"; exit 1; fi

# Prebuilt bundles for the host's load-failure, abort and builtin tests, so pytest
# does not need Go. needs_sha256 is built without the capabilities file on purpose.
opa-fixtures: $(OPA_BIN) ## Rebuild the prebuilt test bundles in tests/opa/fixtures
	$(OPA_BIN) build -t wasm -e blog/authz/decision \
		-o $(OPA_FIXTURES_DIR)/needs_sha256.tar.gz $(OPA_FIXTURES_DIR)/needs_sha256
	$(OPA_BIN) build -t wasm --capabilities $(OPA_CAPABILITIES) \
		-e blog/authz/decision -e blog/authz/now_ns \
		-o $(OPA_FIXTURES_DIR)/host_builtin.tar.gz $(OPA_FIXTURES_DIR)/host_builtin
	$(OPA_BIN) build -t wasm --capabilities $(OPA_CAPABILITIES) -e blog/authz/decision \
		-o $(OPA_FIXTURES_DIR)/conflict.tar.gz $(OPA_FIXTURES_DIR)/conflict
	$(OPA_BIN) build -t wasm --capabilities $(OPA_CAPABILITIES) -e blog/other/decision \
		-o $(OPA_FIXTURES_DIR)/wrong_entrypoint.tar.gz $(OPA_FIXTURES_DIR)/wrong_entrypoint

# Regenerate the capabilities file from the pinned OPA source (after go install).
opa-capabilities: $(OPA_BIN) install ## Regenerate opa/capabilities.json from the pinned OPA source
	$(OPA_PYTHON) opa/tools/gen_capabilities.py \
		"$$(go env GOMODCACHE)/github.com/open-policy-agent/opa@$(OPA_VERSION)" \
		$(OPA_BIN) $(OPA_CAPABILITIES)
