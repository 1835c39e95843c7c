#!/usr/bin/env bash
# Makes sure the PostgreSQL server binaries (initdb, postgres, pg_ctl) are installed.
# Tests start their own throwaway servers from them; nothing is started here.
set -euo pipefail
find_initdb() {
  if command -v initdb >/dev/null 2>&1; then command -v initdb; return 0; fi
  local candidate
  for candidate in /usr/lib/postgresql/*/bin/initdb /usr/local/pgsql/bin/initdb; do
    [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  return 1
}
if initdb=$(find_initdb); then
  echo "PostgreSQL server binaries: $(dirname "$initdb") ($("$(dirname "$initdb")/postgres" --version))"
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing PostgreSQL server binaries with apt-get ..."
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  initdb=$(find_initdb) || { echo "apt-get installed postgresql but no initdb was found" >&2; exit 1; }
  echo "PostgreSQL server binaries: $(dirname "$initdb")"
  exit 0
fi
cat >&2 <<'MSG'
The PostgreSQL server binaries (initdb, postgres) are not installed, and this
set-up can only install them as root on Debian/Ubuntu. Install them, then re-run:
  Debian/Ubuntu:  sudo apt-get install postgresql
  Fedora/RHEL:    sudo dnf install postgresql-server
  macOS:          brew install postgresql@15
They only need to be on PATH or under /usr/lib/postgresql/<version>/bin; no server
has to run: the tests start and stop their own.
MSG
exit 1
