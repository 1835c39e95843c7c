#!/usr/bin/env bash
# Creates or refreshes the project's Python environment (.venv): the pinned
# requirements.txt (Dagster included), the Python SDK (sdk/python), the host
# client (sdk/python/client), the Dagster integration (sdk/python/dagster) and
# the Great Expectations and Spark plugins (plugins/gx, plugins/spark) installed editable without dependencies, and the Python gRPC stubs
# generated from proto/ into sdk/python/src/floe/quality/v1 (not committed: proto/
# is the one source, and the stubs are rebuilt whenever it changes).
# Quick when nothing changed: a stamp keyed on the requirements, the proto files,
# the package definitions and the interpreter skips the work.
#   FLOE_SETUP_PYTHON   interpreter to build the venv with (default: python3.11, else python3)
#   --force             redo everything even when the stamp matches
set -euo pipefail
cd "$(dirname "$0")/.."

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    *) echo "usage: scripts/setup-python.sh [--force]" >&2; exit 2 ;;
  esac
done

venv=.venv
stamp="$venv/.floe-setup-stamp"
stub_root=sdk/python/src
stub_dir="$stub_root/floe/quality/v1"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore

current_step="start"
fail() {
  echo "Python set-up failed while: $current_step." >&2
  echo "Fix the error above and run 'bash scripts/setup-python.sh' again (add --force to rebuild)." >&2
}
trap 'fail' ERR

# A candidate counts only when it runs: a pyenv shim exists for versions that
# are not active.
runs() { "$1" -c 'import sys' >/dev/null 2>&1; }

pick_python() {
  for candidate in python3.11 python3; do
    if runs "$candidate"; then echo "$candidate"; return; fi
  done
  echo ""
}

current_step="finding a Python interpreter"
if [ -n "${FLOE_SETUP_PYTHON:-}" ]; then
  python=$FLOE_SETUP_PYTHON
  if ! runs "$python"; then
    echo "FLOE_SETUP_PYTHON=$python does not run; point it at a Python 3.11+ interpreter." >&2
    exit 1
  fi
else
  python=$(pick_python)
fi
if [ -z "$python" ]; then
  echo "No Python interpreter found: install Python 3.11 (python3.11) or set FLOE_SETUP_PYTHON." >&2
  exit 1
fi
py_version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "floe-quality needs Python 3.11 or later for .venv ($python is $py_version)." >&2
  exit 1
fi

editable_packages=(sdk/python sdk/python/client sdk/python/dagster)
[ -f plugins/gx/pyproject.toml ] && editable_packages+=(plugins/gx)
[ -f plugins/spark/pyproject.toml ] && editable_packages+=(plugins/spark)

stamp_key() {
  {
    echo "python $py_version"
    cat requirements.txt
    cat scripts/setup-python.sh
    find proto -name '*.proto' -print0 | sort -z | xargs -0 cat
    for pkg in "${editable_packages[@]}"; do echo "$pkg"; cat "$pkg/pyproject.toml"; done
  } | sha256sum | cut -d' ' -f1
}
key=$(stamp_key)

if [ "$force" = 0 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] \
  && [ -f "$stub_dir/plugin_pb2_grpc.py" ] && "$venv/bin/python" -c 'import floe_quality_sdk' 2>/dev/null; then
  echo "Python environment is up to date ($venv, Python $py_version)"
  exit 0
fi

started=$(date +%s)
rm -f "$stamp"

current_step="creating $venv with $python"
if [ -x "$venv/bin/python" ]; then
  venv_version=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo broken)
  if [ "$venv_version" != "$py_version" ]; then
    echo "recreating $venv (it has Python $venv_version, wanted $py_version)"
    rm -rf "$venv"
  fi
fi
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"

current_step="installing the pinned requirements (pip install -r requirements.txt)"
"$venv/bin/python" -m pip install --quiet -r requirements.txt
"$venv/bin/python" -m pip check

# A newer DuckDB than the pinned one, kept apart from the product's packages: the
# test that a file written by it stops with FLOE-DQ111 creates that file with it.
current_step="installing duckdb 2.0.1 apart, in $venv/duckdb-2.0.1 (test use only)"
"$venv/bin/python" -m pip install --quiet --upgrade --target "$venv/duckdb-2.0.1" duckdb==2.0.1

current_step="installing ${editable_packages[*]} (editable, no dependencies)"
for pkg in "${editable_packages[@]}"; do
  "$venv/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e "$pkg"
done

current_step="generating the Python stubs from proto/ (grpcio-tools)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$venv/bin/python" -m grpc_tools.protoc -I proto \
  --python_out="$tmp" --pyi_out="$tmp" --grpc_python_out="$tmp" \
  proto/floe/quality/v1/*.proto
rm -rf "$stub_root/floe"
mkdir -p "$stub_root"
mv "$tmp/floe" "$stub_root/floe"

current_step="checking that the SDK, the host client and the Dagster integration import"
"$venv/bin/python" -c 'import floe_quality_sdk, floe.quality.v1.plugin_pb2_grpc, floe_quality_client, floe_quality_dagster'

echo "$key" >"$stamp"
echo "Python environment ready in $(($(date +%s) - started)) s ($venv, Python $py_version)"
