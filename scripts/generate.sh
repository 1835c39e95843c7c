#!/usr/bin/env bash
# Regenerates the TypeScript stubs from proto/ with buf and ts-proto (offline: both
# come from node_modules), the descriptor set `serve` answers reflection from, and
# the check vocabulary's JSON export from sdk/src/checks.ts. `--check` fails when
# any committed file is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
buf=node_modules/.bin/buf
vocabulary=sdk/python/src/floe_quality_sdk/vocabulary.json
if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  node_modules/.bin/tsx sdk/scripts/vocabulary.ts "$tmp/vocabulary.json"
  if ! diff -q "$tmp/vocabulary.json" "$vocabulary" >/dev/null 2>&1; then
    echo "$vocabulary is out of date with sdk/src/checks.ts: run 'npm run generate' and commit the result." >&2
    diff "$tmp/vocabulary.json" "$vocabulary" | head -n 20 >&2
    exit 1
  fi
  echo "the vocabulary export is up to date"
  sed "s#out: sdk/src/gen#out: $tmp/gen#" buf.gen.yaml >"$tmp/buf.gen.yaml"
  "$buf" generate --template "$tmp/buf.gen.yaml"
  bash scripts/descriptor-set.sh "$tmp/descriptor-set.ts"
  if ! diff "$tmp/descriptor-set.ts" host/src/server/gen/descriptor-set.ts >/dev/null; then
    echo "host/src/server/gen/descriptor-set.ts is out of date with proto/: run 'npm run generate' and commit the result." >&2
    exit 1
  fi
  if ! diff -r "$tmp/gen" sdk/src/gen >/dev/null; then
    echo "sdk/src/gen is out of date with proto/: run 'npm run generate' and commit the result." >&2
    diff -r "$tmp/gen" sdk/src/gen | head -n 20 >&2
    exit 1
  fi
  echo "generated stubs are up to date"
  exit 0
fi
rm -rf sdk/src/gen
"$buf" generate
bash scripts/descriptor-set.sh host/src/server/gen/descriptor-set.ts
echo "generated sdk/src/gen and host/src/server/gen/descriptor-set.ts from proto/"
node_modules/.bin/tsx sdk/scripts/vocabulary.ts "$vocabulary"
echo "generated $vocabulary from sdk/src/checks.ts"
