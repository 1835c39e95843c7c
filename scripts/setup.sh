#!/usr/bin/env bash
# Sets up floe-quality from a fresh clone: Node packages and build, the Python
# virtual environment (Great Expectations, dbt, the Python SDK) and the PostgreSQL
# server binaries the tests start throwaway databases with.
#   --minimal   Node only: enough for `npm run demo` (embedded DuckDB, no server, no Python).
set -euo pipefail
cd "$(dirname "$0")/.."
minimal=0
for arg in "$@"; do
  case "$arg" in
    --minimal) minimal=1 ;;
    *) echo "usage: scripts/setup.sh [--minimal]" >&2; exit 2 ;;
  esac
done

step() { printf '\n== %s\n' "$*"; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "floe-quality needs Node.js 20 or later (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

step "Node packages (npm ci)"
npm ci --no-audit --no-fund --loglevel=error

step "Build (tsc -b)"
npm run --silent build

if [ "$minimal" = 1 ]; then
  echo "minimal set-up done"
  exit 0
fi

step "Go example plugin (plugins/examples/go)"
if command -v go >/dev/null 2>&1; then
  (cd plugins/examples/go && go build -trimpath -o bin/floe-go-example .)
  echo "built plugins/examples/go/bin/floe-go-example"
else
  echo "Go is not installed: skipping the Go example plugin (its conformance test will fail). Install Go 1.26+ and re-run." >&2
fi

# grpcurl: the reflection client the tests call serve with (a real standard client).
GRPCURL_VERSION=v1.9.4
step "grpcurl $GRPCURL_VERSION (.floe/bin, from the Go module proxy)"
# `go install` builds report no version: a marker file records which one is there.
if [ -x .floe/bin/grpcurl ] && [ "$(cat .floe/bin/grpcurl.version 2>/dev/null)" = "$GRPCURL_VERSION" ]; then
  echo "already installed: .floe/bin/grpcurl"
elif command -v go >/dev/null 2>&1; then
  mkdir -p .floe/bin
  GOBIN="$PWD/.floe/bin" GOFLAGS=-mod=mod go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION"
  echo "$GRPCURL_VERSION" >.floe/bin/grpcurl.version
  echo "installed .floe/bin/grpcurl"
else
  echo "Go is not installed: skipping grpcurl (the reflection test will fail). Install Go 1.26+ and re-run." >&2
fi

if [ -f requirements.txt ]; then
  step "Python virtual environment (.venv, pinned requirements.txt)"
  bash scripts/setup-python.sh
fi

if [ -f requirements-tools.txt ]; then
  step "Tool environment (.venv-tools: the ODCS linter, pinned requirements-tools.txt)"
  bash scripts/setup-tools.sh
fi

step "PostgreSQL server binaries"
bash scripts/setup-postgres.sh

step "Chromium (the HTML report tests drive it headless)"
bash scripts/setup-chromium.sh
echo "set-up done"
