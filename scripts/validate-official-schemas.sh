#!/usr/bin/env bash
# CI step after the tests: validate emitted lineage (and, where present, dbt artifacts)
# against the official schemas in ../shared/spec.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f .floe/schema-samples/demo.jsonl
FLOE_LINEAGE_TRANSPORT=file FLOE_LINEAGE_FILE=.floe/schema-samples/demo.jsonl node host/dist/cli/main.js demo >/dev/null
files=()
for f in .floe/schema-samples/*.jsonl; do [ -f "$f" ] && files+=("$f"); done
node scripts/validate-official-schemas.mjs "${files[@]}"
