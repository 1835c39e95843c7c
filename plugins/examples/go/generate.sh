#!/usr/bin/env bash
# Regenerates the Go stubs in gen/ from ../../../proto with buf and the code
# generators pinned in go.mod (`tool` directives). Offline once the module cache
# holds go.mod's modules (`go mod download`). `--check` fails when gen/ is stale.
set -euo pipefail
cd "$(dirname "$0")"
buf=../../../node_modules/.bin/buf
protos=(--path ../../../proto/floe/quality/v1/plugin.proto --path ../../../proto/floe/quality/v1/types.proto)
if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  "$buf" generate ../../.. "${protos[@]}" --output "$tmp"
  if ! diff -r "$tmp/gen" gen >/dev/null; then
    echo "plugins/examples/go/gen is out of date with proto/: run plugins/examples/go/generate.sh and commit the result." >&2
    exit 1
  fi
  echo "Go stubs are up to date"
  exit 0
fi
rm -rf gen
"$buf" generate ../../.. "${protos[@]}"
echo "generated plugins/examples/go/gen from proto/"
