#!/usr/bin/env bash
# Fails when proto/ has a wire- or source-breaking change against a git ref
# (default: the main branch). Inside floe.quality.v1 only additive changes land.
set -euo pipefail
cd "$(dirname "$0")/.."
against="${1:-main}"
if ! git rev-parse --verify --quiet "$against" >/dev/null; then
  echo "no ref '$against' to compare against" >&2
  exit 2
fi
if ! git cat-file -e "$against:proto" 2>/dev/null; then
  echo "'$against' has no proto/ yet: nothing to break"
  exit 0
fi
node_modules/.bin/buf breaking proto --against ".git#ref=$against,subdir=proto"
echo "no breaking proto changes against $against"
