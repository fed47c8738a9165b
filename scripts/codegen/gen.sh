#!/usr/bin/env bash
# Usage: gen.sh OUT_DIR — writes OUT_DIR/spec/openapi.yaml and OUT_DIR/generated/ from docs/spec.md.
set -euo pipefail
out="$1"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$out/spec" "$out/generated"
mkdir -p "$out/spec" "$out/generated"
python "$here/extract_spec.py" docs/spec.md "$out/spec/openapi.yaml"
input="$(mktemp)"
trap 'rm -f "$input"' EXIT
python "$here/codegen_input.py" "$out/spec/openapi.yaml" "$input"
# --use-annotated types the models' constraints as Annotated, which mypy reads; the routes'
# parameters come from visitor.py, as the generator's own lose their constraints with it.
fastapi-codegen --input "$input" --output "$out/generated" \
  --template-dir "$here/templates" --generate-routers --disable-timestamp --use-annotated \
  --custom-visitor "$here/visitor.py" \
  --python-version 3.11 --model-template-dir "$here/model_templates" 2> >(grep -v -e FutureWarning -e warn_deprecated >&2)
# The header names the input file; keep it stable whatever OUT_DIR is.
find "$out/generated" -name '*.py' -exec sed -i 's|^#   filename:  .*$|#   filename:  spec/openapi.yaml|' {} +
# The model templates' refusals (null, a date-time that is not RFC 3339, repeated items) use
# field_validator, AfterValidator and re, which the model generator does not import; ruff then
# drops what is unused, sorts, modernises and formats. The models go without postponed
# annotations: the generator orders them so that each names only those before it, and Pydantic
# then reads their annotations as objects instead of compiling each string at import (about a
# quarter of importing the module, in a cold start).
sed -i 's|^from __future__ import annotations$|import re\nfrom pydantic import AfterValidator, field_validator|' "$out/generated/models.py"
# One module per schema, each loaded when first named (split_models.py says why).
python "$here/split_models.py" "$out/generated"
# The settings are spelled out: OUT_DIR may lie outside the project, away from pyproject.toml.
style=(--line-length 100 --target-version py311)
ruff check --quiet "${style[@]}" --config "lint.isort.known-first-party = ['app', 'handlers']" \
  --fix-only --select F401,I,UP "$out/generated"
ruff format --quiet "${style[@]}" "$out/generated"
