#!/usr/bin/env bash
# The benchmark environment .venv-bench for bench/peers.ts: Soda Core v4 (DuckDB
# and PostgreSQL), pinned in requirements-bench.txt. Separate from the product's
# .venv and not part of `npm run setup`. Idempotent: re-run to re-create.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-}"
if [ -z "$python" ]; then
  for candidate in .venv/bin/python python3.11 python3; do
    if command -v "$candidate" > /dev/null 2>&1; then python="$candidate"; break; fi
  done
fi
[ -n "$python" ] || { echo "setup-bench: no Python 3.11 found (set PYTHON=...)" >&2; exit 1; }
"$python" -m venv --clear .venv-bench
.venv-bench/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-bench.txt
.venv-bench/bin/python -m pip check
SODA_CORE_TELEMETRY_ENABLED=false .venv-bench/bin/soda --help > /dev/null
echo "setup-bench: .venv-bench ready ($(.venv-bench/bin/python --version); soda-core $(.venv-bench/bin/python -c 'from importlib.metadata import version; print(version("soda-core"))'))"
