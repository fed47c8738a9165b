# Run `make help` for the targets. Everything installs into the project: .tools/, .venv/, node_modules/.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV_VERSION := 0.13.9
UV := .tools/uv/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

-include opa/opa.mk

# The Lambda side, for tests/deploy/test_lambda_emulator.py: the Runtime Interface Emulator (Go
# module) and the Web Adapter (crate) at the version of the adapter image in the Dockerfile.
LAMBDA_RIE_VERSION := v0.0.0-20261030222936-bef5c4ba774d
LAMBDA_ADAPTER_VERSION := 0.9.1

# The client generators (scripts/clients/): openapi-python-client from its own locked environment
# (its typer<0.28 would move the project's typer), and openapi-generator's jar from Maven Central.
CLIENT_TOOLS := .tools/client-tools/.synced
OPENAPI_GENERATOR_VERSION := 7.25.0
OPENAPI_GENERATOR_SHA256 := 41ce4f6b07f196676439d710759fa1ced7a08066d06ff1bf314681470289efae
OPENAPI_GENERATOR_JAR := .tools/openapi-generator-cli-$(OPENAPI_GENERATOR_VERSION).jar
OPENAPI_GENERATOR_URL := https://repo1.maven.org/maven2/org/openapitools/openapi-generator-cli/$(OPENAPI_GENERATOR_VERSION)/openapi-generator-cli-$(OPENAPI_GENERATOR_VERSION).jar

.PHONY: help install gen gen-check lint lint-docker lint-spec format run migrate set-role outbox-dead outbox-retry outbox-sweep test test-py contract oasdiff-tools oasdiff contract-diff release-contract cold-start lambda-tools clean

help: ## Show the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv .tools/uv
	.tools/uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

install: $(VENV)/.synced ## Create the virtualenv from uv.lock

# Generated into a scratch directory and swapped in, one run at a time (flock): a server or
# test reading generated/ meanwhile never sees it half-written, and a failed run changes nothing.
gen: install $(CLIENT_TOOLS) node_modules/.installed ## Extract the contract from docs/spec.md and regenerate spec/, generated/ and clients/
	mkdir -p .tools && flock .tools/gen.lock sh -c '\
	  tmp=$$(mktemp -d .tools/gen.XXXXXX) && trap "rm -rf $$tmp" EXIT \
	  && PATH=$(BIN):$$PATH scripts/codegen/gen.sh $$tmp \
	  && scripts/clients/generate.sh $$tmp/spec/openapi.yaml $$tmp \
	  && for d in spec generated clients; do rm -rf $$d.old; [ ! -e $$d ] || mv $$d $$d.old; mv $$tmp/$$d $$d; rm -rf $$d.old; done'

gen-check: install ## Fail when spec/ or generated/ differ from what docs/spec.md produces
	tmp=$$(mktemp -d) && PATH=$(BIN):$$PATH scripts/codegen/gen.sh $$tmp \
	  && diff -ru $$tmp/spec spec && diff -ru --exclude=__pycache__ $$tmp/generated generated \
	  && rm -rf $$tmp || { echo "generated code is stale: run 'make gen' and commit" >&2; exit 1; }
gen-check: docs-assets-check
gen-check: clients-gen-check

# The shipped SDKs (clients/, README "Clients") and the generator compatibility matrix
# (scripts/clients/check.sh); their tools are pinned at the top.
.PHONY: clients-gen-check clients-check

$(CLIENT_TOOLS): $(UV) scripts/clients/python-tools/pyproject.toml scripts/clients/python-tools/uv.lock
	UV_PROJECT_ENVIRONMENT=$(CURDIR)/.tools/client-tools \
	  $(UV) sync --frozen --project scripts/clients/python-tools --python $(PYTHON)
	touch $@

$(OPENAPI_GENERATOR_JAR):
	mkdir -p $(@D)
	$(PYTHON) -c 'import sys, urllib.request; urllib.request.urlretrieve(*sys.argv[1:])' \
	  $(OPENAPI_GENERATOR_URL) $@.part
	echo '$(OPENAPI_GENERATOR_SHA256)  $@.part' | sha256sum --check --quiet
	mv $@.part $@

clients-gen-check: $(CLIENT_TOOLS) node_modules/.installed ## Fail when clients/ differs from what spec/openapi.yaml produces
	tmp=$$(mktemp -d) && scripts/clients/generate.sh spec/openapi.yaml $$tmp \
	  && diff -ru --exclude=__pycache__ --exclude=.ruff_cache $$tmp/clients clients && rm -rf $$tmp \
	  || { echo "clients/ is stale: run 'make gen' and commit" >&2; exit 1; }

clients-check: install $(CLIENT_TOOLS) node_modules/.installed $(OPENAPI_GENERATOR_JAR) ## Generate and strictly typecheck a client with each pinned generator
	OPENAPI_GENERATOR_VERSION=$(OPENAPI_GENERATOR_VERSION) scripts/clients/check.sh spec/openapi.yaml

# What /docs and /redoc serve (app/http/docs.py): files of the npm packages pinned in
# package.json, committed because the image has no Node.
DOCS_ASSETS := app/http/docs_assets/vendor
DOCS_VENDORED := swagger-ui-dist/package.json swagger-ui-dist/LICENSE swagger-ui-dist/NOTICE \
  swagger-ui-dist/swagger-ui-bundle.js swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt \
  swagger-ui-dist/swagger-ui.css swagger-ui-dist/favicon-32x32.png \
  redoc/package.json redoc/LICENSE redoc/bundles/redoc.standalone.js \
  redoc/bundles/redoc.standalone.js.LICENSE.txt
copy_docs_assets = for f in $(DOCS_VENDORED); do install -D -m 644 node_modules/$$f $(1)/$$f; done
.PHONY: docs-assets docs-assets-check

docs-assets: node_modules/.installed ## Copy the pinned Swagger UI and Redoc files that /docs and /redoc serve
	rm -rf $(DOCS_ASSETS) && $(call copy_docs_assets,$(DOCS_ASSETS))

docs-assets-check: node_modules/.installed ## Fail when those files differ from the pinned packages'
	tmp=$$(mktemp -d) && $(call copy_docs_assets,$$tmp) && diff -r $$tmp $(DOCS_ASSETS) \
	  && rm -rf $$tmp || { echo "docs assets are stale: run 'make docs-assets' and commit" >&2; exit 1; }

lint-spec: node_modules/.installed ## Lint the contract with Redocly and Spectral (OWASP rules)
	npx --no-install redocly lint spec/openapi.yaml --format stylish
	npx --no-install spectral lint spec/openapi.yaml --ruleset .spectral.yaml --format stylish --fail-severity error

lint: install lint-docker ## ruff, mypy, the import layers (import-linter) and hadolint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

lint-docker: install ## Lint the Dockerfile with hadolint (pinned in uv.lock)
	$(BIN)/hadolint Dockerfile

format: install ## Format and autofix with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

.env:
	@echo "TOKEN_PEPPER=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))')" > $@
	@echo "wrote .env with a fresh local TOKEN_PEPPER"

migrate: install .env ## Apply the migrations to DATABASE_URL (default: the local SQLite file)
	mkdir -p var
	$(BIN)/alembic upgrade head

run: migrate ## Serve on 127.0.0.1:$(PORT) with the embedded defaults and an AWS emulator
	$(BIN)/python -m scripts.dev.run_local --port $(PORT)

set-role: install .env ## Change a user's role: make set-role EMAIL=a@b.c ROLE=admin
	$(BIN)/python -m app.cli set-role --email "$(EMAIL)" --role "$(ROLE)"

outbox-dead: install .env ## List the outbox rows that gave up (dead letters)
	$(BIN)/python -m app.cli outbox-dead

outbox-retry: install .env ## Make dead outbox rows due again: make outbox-retry [ID=<uuid>] (all without ID)
	$(BIN)/python -m app.cli outbox-retry $(if $(ID),--id "$(ID)",--all)

outbox-sweep: install .env ## Deliver the due outbox rows once (the worker sweeps on its own schedule)
	$(BIN)/python -m app.cli outbox-sweep

test-py: install ## The pytest suite (starts PostgreSQL and Redis when no TEST_*_URL is set)
	$(BIN)/pytest

contract: install node_modules/.installed ## Schemathesis over the whole contract against the served app (SEED=N replays a run), then the SDK flow through Prism
	$(BIN)/python -m scripts.contract.contract_test $(if $(SEED),--seed $(SEED))
	$(BIN)/python -m scripts.contract.rate_limits
	PYTHONPATH=clients/python $(BIN)/python -m scripts.contract.prism_flow

# The breaking-change gate: oasdiff (Go module, pinned) compares spec/openapi.yaml with the last
# released contract in docs/released/, which `make release-contract` moves on.
OASDIFF_VERSION := v1.37.0
OASDIFF := .tools/bin/oasdiff
CONTRACT_DIFF := $(BIN)/python -m scripts.contract.contract_diff --oasdiff $(OASDIFF)

oasdiff-tools: ## Build the pinned oasdiff into .tools/bin (needs Go)
	GOBIN=$(CURDIR)/.tools/bin go install \
	  -ldflags '-X github.com/oasdiff/oasdiff/build.Version=$(OASDIFF_VERSION)' \
	  github.com/oasdiff/oasdiff@$(OASDIFF_VERSION)

$(OASDIFF):
	$(MAKE) oasdiff-tools

oasdiff: $(OASDIFF)
	@$(OASDIFF) --version | grep -qx 'oasdiff version $(OASDIFF_VERSION)' || \
	  { echo "$(OASDIFF) is not oasdiff $(OASDIFF_VERSION): run 'make oasdiff-tools'" >&2; exit 1; }

contract-diff: install oasdiff ## Fail on a breaking change since the release, or an info.version that does not fit
	$(CONTRACT_DIFF) check

release-contract: gen-check oasdiff ## Release the contract: docs/released/v<major>.yaml and a docs/CHANGELOG.md section
	$(CONTRACT_DIFF) release

.tools/bin/aws-lambda-rie:
	GOBIN=$(CURDIR)/.tools/bin go install \
	  github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(LAMBDA_RIE_VERSION)

.tools/bin/lambda-adapter:
	cargo install lambda_web_adapter --version $(LAMBDA_ADAPTER_VERSION) --locked --root .tools

lambda-tools: .tools/bin/aws-lambda-rie .tools/bin/lambda-adapter ## Build the Lambda emulator and Web Adapter into .tools/bin

cold-start: install ## Time to the first /health against a bare FastAPI app, and the heavy imports
	$(BIN)/python -m scripts.bench.cold_start

test: gen-check lint lint-spec clients-check contract contract-diff test-py ## Everything CI checks (pytest last)

clean: ## Remove local state (the SQLite database, caches)
	rm -rf var .pytest_cache .mypy_cache .ruff_cache schemathesis-report
