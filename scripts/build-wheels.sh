#!/usr/bin/env bash
# Builds the Python distributions as wheels with the project's .venv (no network:
# setuptools comes from the pinned requirements): floe-quality-sdk (with the stubs
# generated from proto/ by scripts/setup-python.sh), floe-quality-client,
# floe-quality-dagster and floe-quality-gx. Prints the wheel paths, one a line.
#   scripts/build-wheels.sh [OUT_DIR]    (default: .floe/wheels)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.floe/wheels}
python=.venv/bin/python
if [ ! -x "$python" ] || [ ! -f sdk/python/src/floe/quality/v1/host_pb2.py ]; then
  echo "no .venv with generated stubs: run 'npm run setup' (or bash scripts/setup-python.sh) first" >&2
  exit 1
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
for pkg in sdk/python sdk/python/client sdk/python/dagster plugins/gx; do
  # A copy keeps build/ and *.egg-info out of the source tree.
  mkdir -p "$build/$pkg"
  cp -R "$pkg"/. "$build/$pkg"
  rm -rf "$build/$pkg"/{tests,client,dagster,build} "$build/$pkg"/src/*.egg-info "$build/$pkg"/*.egg-info
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$python" -m pip wheel --quiet --no-deps --no-build-isolation -w "$out" "$build/$pkg"
done
ls "$out"/floe_quality_sdk-*.whl "$out"/floe_quality_client-*.whl "$out"/floe_quality_dagster-*.whl "$out"/floe_quality_gx-*.whl
