#!/usr/bin/env bash
# Usage: gen.sh OUT_DIR — writes OUT_DIR/spec/openapi.yaml and OUT_DIR/generated/ from docs/spec.md.
set -euo pipefail
out="$1"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$out/spec" "$out/generated"
mkdir -p "$out/spec" "$out/generated"
python "$here/extract_spec.py" docs/spec.md "$out/spec/openapi.yaml"
fastapi-codegen --input "$out/spec/openapi.yaml" --output "$out/generated" \
  --template-dir "$here/templates" --generate-routers --disable-timestamp \
  --python-version 3.11 --model-template-dir "$here/model_templates" 2> >(grep -v -e FutureWarning -e warn_deprecated >&2)
# The header names the input file; keep it stable whatever OUT_DIR is.
find "$out/generated" -name '*.py' -exec sed -i 's|^#   filename:  .*$|#   filename:  spec/openapi.yaml|' {} +
