#!/usr/bin/env bash
# Usage: check.sh [SPEC] — the generator compatibility matrix (`make clients-check`).
# Generates a client from SPEC (default spec/openapi.yaml) with each pinned generator, then
# typechecks it strictly together with a smoke file that uses it the way a consumer would
# (an envelope's data, error.code, a 304, a header parameter). Prints one row per generator and
# fails when any of them does not generate or typecheck.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/scripts/clients"
spec="$(realpath "${1:-spec/openapi.yaml}")"
jar="$root/.tools/openapi-generator-cli-${OPENAPI_GENERATOR_VERSION:?}.jar"
bin="$root/node_modules/.bin"
# Under the repository, so that tsc resolves openapi-fetch from its node_modules.
work="$(mktemp -d "$root/.tools/clients-check.XXXXXX")"
# KEEP_WORK=1 keeps the generated clients for a look.
if [[ ${KEEP_WORK:-} == 1 ]]; then echo "clients in $work" >&2; else trap 'rm -rf "$work"' EXIT; fi
cp "$here/tsconfig.json" "$work/tsconfig.base.json"
rows=()
failed=0

# run NAME VERSION GENERATE TYPECHECK: times both steps, keeps their output in $work/NAME.log.
run() {
  local name="$1" version="$2" generate="$3" typecheck="$4" gen_ok=no check_ok=no start log
  log="$work/${name//[^a-z-]/_}.log"
  start=$(date +%s%N)
  if (eval "$generate") >"$log" 2>&1; then
    gen_ok=yes
    if (eval "$typecheck") >>"$log" 2>&1; then check_ok=yes; fi
  fi
  local tenths=$((($(date +%s%N) - start) / 100000000))
  rows+=("$(printf '%-34s %-8s %-9s %-10s %4d.%ds' "$name" "$version" "$gen_ok" "$check_ok" \
    $((tenths / 10)) $((tenths % 10)))")
  if [[ $check_ok != yes ]]; then
    failed=1
    echo "--- $name failed:" >&2
    tail -n 40 "$log" >&2
  fi
}

tsc_in() {
  local dir="$1" smoke="$2"
  cp "$here/smoke/$smoke" "$dir/smoke.ts"
  printf '{"extends": "../tsconfig.base.json", "include": ["**/*.ts"]}\n' >"$dir/tsconfig.json"
  "$bin/tsc" -p "$dir/tsconfig.json"
}

# mypy_in DIR SMOKE [PACKAGE]: the smoke file, and the generated package when it is named.
mypy_in() {
  local dir="$1" smoke="$2"
  cp "$here/smoke/$smoke" "$dir/smoke.py"
  (cd "$dir" && "$root/.venv/bin/mypy" --config-file "$here/mypy.ini" --cache-dir=/dev/null \
    smoke.py "${@:3}")
}

npm_version() { node -p "require('$root/node_modules/$1/package.json').version"; }
opc_version="$("$root/.tools/client-tools/bin/python" -c \
  'import importlib.metadata as m; print(m.version("openapi-python-client"))')"

run openapi-python-client "$opc_version" \
  '"$here/generate-python.sh" "$spec" "$work/opc"' \
  'mypy_in "$work/opc" openapi_python_client.py blog_api_client'
run openapi-typescript "$(npm_version openapi-typescript)" \
  '"$bin/openapi-typescript" "$spec" --redocly "$here/redocly.yaml" -o "$work/openapi-typescript/schema.d.ts"' \
  'tsc_in "$work/openapi-typescript" openapi_typescript.ts'
run @hey-api/openapi-ts "$(npm_version @hey-api/openapi-ts)" \
  '"$bin/openapi-ts" -i "$spec" -o "$work/hey-api" -c @hey-api/client-fetch' \
  'tsc_in "$work/hey-api" hey_api.ts'
run orval "$(npm_version orval)" \
  'mkdir -p "$work/orval" && cp "$here/typescript/http.ts" "$work/orval/" &&
   ORVAL_INPUT="$spec" ORVAL_OUTPUT="$work/orval/blog.ts" "$bin/orval" --config "$here/orval.config.cjs"' \
  'tsc_in "$work/orval" orval.ts'
# --skip-validate-spec: its validator (swagger-parser) rejects the links' object requestBody,
# which OpenAPI 3.1 allows (Schemathesis follows it); make lint-spec validates the document.
for generator in python typescript-fetch; do
  smoke=openapi_generator_${generator//-/_}
  if [[ $generator == python ]]; then
    check='mypy_in "$work/$generator" '"$smoke.py"
  else
    check='tsc_in "$work/$generator" '"$smoke.ts"
  fi
  run "openapi-generator $generator" "$OPENAPI_GENERATOR_VERSION" \
    'java -jar "$jar" generate --generator-name '"$generator"' --input-spec "$spec" --output "$work/'"$generator"'" \
       --config "$here/openapi-generator-'"$generator"'.yaml" --skip-validate-spec \
       --global-property apiTests=false,modelTests=false,apiDocs=false,modelDocs=false' \
    "$check"
done

printf '%-34s %-8s %-9s %-10s %6s\n' generator version generated typechecks time
printf '%s\n' "${rows[@]}"
exit "$failed"
