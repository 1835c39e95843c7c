#!/usr/bin/env bash
# Makes sure a Chromium the HTML report tests drive headless (through playwright-core)
# is installed: Debian's `chromium` package, installed with apt-get when root.
set -euo pipefail
find_chromium() {
  local candidate
  for candidate in "${FLOE_CHROMIUM:-}" chromium chromium-browser; do
    [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 && { command -v "$candidate"; return 0; }
  done
  return 1
}
if chromium=$(find_chromium); then
  echo "Chromium: $chromium ($("$chromium" --version 2>/dev/null || echo unknown version))"
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Chromium with apt-get ..."
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  chromium=$(find_chromium) || { echo "apt-get installed chromium but no chromium is on PATH" >&2; exit 1; }
  echo "Chromium: $chromium"
  exit 0
fi
cat >&2 <<'MSG'
Chromium is not installed, and this set-up can only install it as root on
Debian/Ubuntu. The HTML report tests drive it headless. Install it, then re-run:
  Debian/Ubuntu:  sudo apt-get install chromium
or point FLOE_CHROMIUM at a Chromium or Chrome executable.
MSG
exit 1
