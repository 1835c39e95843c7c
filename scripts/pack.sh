#!/usr/bin/env bash
# Packs the npm workspaces into tarballs that install into any project:
#   npm install ./floe-quality-sdk-0.1.0.tgz ./floe-quality-host-0.1.0.tgz \
#     ./floe-quality-plugin-sql-0.1.0.tgz [./floe-quality-plugin-dbt-0.1.0.tgz ...]
# The host's tarball carries examples/ (for `demo`) and proto/ (for server
# reflection). Prints the tarball paths, one a line.
#   scripts/pack.sh [OUT_DIR] [--no-build]    (default OUT_DIR: .floe/packages)
set -euo pipefail
cd "$(dirname "$0")/.."
out=.floe/packages
build=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    -*) echo "usage: scripts/pack.sh [OUT_DIR] [--no-build]" >&2; exit 2 ;;
    *) out=$arg ;;
  esac
done
mkdir -p "$out"
[ "$build" = 1 ] && npm run --silent build
workspaces=(sdk host plugins/sql plugins/dbt conformance)
npm pack --silent --pack-destination "$out" "${workspaces[@]/#/--workspace=}" >/dev/null
for ws in "${workspaces[@]}"; do
  name=$(node -p "const p=require('./$ws/package.json'); p.name.replace('@','').replace('/','-')+'-'+p.version+'.tgz'")
  echo "$(cd "$out" && pwd)/$name"
done
