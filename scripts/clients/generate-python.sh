#!/usr/bin/env bash
# Usage: generate-python.sh SPEC OUT_DIR — the Python client (openapi-python-client, from its own
# locked environment in scripts/clients/python-tools) as an installable package in OUT_DIR.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tools="$root/.tools/client-tools"
rm -rf "$2"
# Its post hooks (ruff check --fix, ruff format) run the ruff of that environment.
RUFF_NO_CACHE=true PATH="$tools/bin:$PATH" "$tools/bin/openapi-python-client" generate --path "$1" --output-path "$2" \
  --meta uv --config "$root/scripts/clients/openapi-python-client.yaml" --fail-on-warning
