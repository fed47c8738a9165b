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

.PHONY: help install gen gen-check lint lint-docker lint-spec format run migrate set-role outbox-dead outbox-retry outbox-sweep test test-py contract cold-start lambda-tools clean

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

gen: install ## Extract the contract from docs/spec.md and regenerate spec/ and generated/
	PATH=$(BIN):$$PATH scripts/codegen/gen.sh .

gen-check: install ## Fail when spec/ or generated/ differ from what docs/spec.md produces
	tmp=$$(mktemp -d) && PATH=$(BIN):$$PATH scripts/codegen/gen.sh $$tmp \
	  && diff -ru $$tmp/spec spec && diff -ru --exclude=__pycache__ $$tmp/generated generated \
	  && rm -rf $$tmp || { echo "generated code is stale: run 'make gen' and commit" >&2; exit 1; }

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

contract: install ## Schemathesis over the whole contract against the served app
	$(BIN)/python -m scripts.contract.contract_test

.tools/bin/aws-lambda-rie:
	GOBIN=$(CURDIR)/.tools/bin go install \
	  github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(LAMBDA_RIE_VERSION)

.tools/bin/lambda-adapter:
	cargo install lambda_web_adapter --version $(LAMBDA_ADAPTER_VERSION) --locked --root .tools

lambda-tools: .tools/bin/aws-lambda-rie .tools/bin/lambda-adapter ## Build the Lambda emulator and Web Adapter into .tools/bin

cold-start: install ## Time to the first /health against a bare FastAPI app, and the heavy imports
	$(BIN)/python -m scripts.bench.cold_start

test: gen-check lint lint-spec contract test-py ## Everything CI checks (pytest last)

clean: ## Remove local state (the SQLite database, caches)
	rm -rf var .pytest_cache .mypy_cache .ruff_cache schemathesis-report
