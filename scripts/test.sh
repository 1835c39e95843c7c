#!/usr/bin/env bash
# The test command: lint and format check, proto lint and stub freshness, build and
# type-check, vitest, pytest; ends with one line totalling every runner.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .floe
rm -f .floe/vitest.json .floe/pytest.xml
status=0
run() { printf '\n== %s\n' "$*"; "$@" || status=1; }

run node_modules/.bin/biome check .
run node_modules/.bin/buf lint
run bash scripts/generate.sh --check
run node_modules/.bin/tsc -b
run node_modules/.bin/tsc -p tsconfig.test.json
printf '\n== vitest\n'
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json=.floe/vitest.json "$@" || status=1

pytest_dirs=$(ls -d sdk/python/tests sdk/python/client/tests sdk/python/dagster/tests plugins/gx/tests plugins/spark/tests 2>/dev/null | tr '\n' ' ')
if [ -n "$pytest_dirs" ]; then
  printf '\n== pytest\n'
  if [ -x .venv/bin/python ]; then
    .venv/bin/python -m pytest -q --junitxml=.floe/pytest.xml $pytest_dirs || status=1
  else
    echo "no .venv: run 'npm run setup' first (it creates the Python environment)" >&2
    status=1
  fi
fi

node scripts/test-totals.mjs .floe/vitest.json .floe/pytest.xml | tee .floe/test-totals.txt
exit $status
