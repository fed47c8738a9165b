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
cp "$here/typescript/package.json" "$out/typescript/"
cp "$here/typescript/http.ts" "$out/typescript/src/"
ORVAL_INPUT="$spec" ORVAL_OUTPUT="$out/typescript/src/blog.ts" \
  "$root/node_modules/.bin/orval" --config "$here/orval.config.cjs" >/dev/null
