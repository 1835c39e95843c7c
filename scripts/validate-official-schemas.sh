#!/usr/bin/env bash
# CI step after the tests: validate emitted lineage (and, where present, dbt artifacts)
# against the official schemas in ../shared/spec.
set -euo pipefail
cd "$(dirname "$0")/.."
files=()
for f in .floe/schema-samples/*.jsonl; do [ -f "$f" ] && files+=("$f"); done
node scripts/validate-official-schemas.mjs "${files[@]}"
