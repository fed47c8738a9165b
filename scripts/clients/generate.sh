#!/usr/bin/env bash
# Usage: generate.sh SPEC OUT_DIR — the shipped SDKs (make gen): OUT_DIR/clients/python
# (openapi-python-client) and OUT_DIR/clients/typescript (orval's fetch client with http.ts).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/scripts/clients"
spec="$(realpath "$1")"
out="$(realpath -m "$2/clients")"
rm -rf "$out"
mkdir -p "$out/typescript/src"
"$here/generate-python.sh" "$spec" "$out/python" >/dev/null
# The package's version is the contract's info.version, as openapi-python-client's is.
version="$("$root/.venv/bin/python" -c \
  'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["info"]["version"])' "$spec")"
sed "s/@CONTRACT_VERSION@/$version/" "$here/typescript/package.json" >"$out/typescript/package.json"
cp "$here/typescript/http.ts" "$out/typescript/src/"
ORVAL_INPUT="$spec" ORVAL_OUTPUT="$out/typescript/src/blog.ts" \
  "$root/node_modules/.bin/orval" --config "$here/orval.config.cjs" >/dev/null
