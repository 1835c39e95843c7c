#!/usr/bin/env bash
# Creates or refreshes the tool environment (.venv-tools) from the pinned
# requirements-tools.txt: tools the tests run on fixtures (the ODCS linter
# `datacontract`), kept out of the product's .venv. Quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore
venv=.venv-tools
stamp="$venv/.floe-setup-stamp"
python=${FLOE_SETUP_PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.11 python3; do
    if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      python=$candidate
      break
    fi
  done
fi
if [ -z "$python" ]; then
  echo "No Python 3.11+ interpreter found for $venv: install Python 3.11 or set FLOE_SETUP_PYTHON." >&2
  exit 1
fi
key=$({ "$python" --version; cat requirements-tools.txt scripts/setup-tools.sh; } | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -x "$venv/bin/datacontract" ]; then
  echo "tool environment is up to date ($venv)"
  exit 0
fi
rm -f "$stamp"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet -r requirements-tools.txt
"$venv/bin/python" -m pip check
"$venv/bin/datacontract" --version >/dev/null
echo "$key" >"$stamp"
echo "tool environment ready ($venv: datacontract $("$venv/bin/datacontract" --version 2>/dev/null | tail -n1))"
