#!/usr/bin/env bash
# Runs a browser test ($2, reader_pages.mjs by default) against the `tinhop` executable
# given as $1. Needs Debian's
# chromium, node and npm; installs package-lock.json's packages with the machine's own npm
# configuration when they are missing. Outside CI a missing tool skips (exit 77); in CI
# ($CI set) it fails.
set -euo pipefail
# Paths given relative to where the script was called from (the README's commands).
tinhop=$(realpath "$1")
if [ -n "${TINHOP_SCREENSHOTS:-}" ]; then
  mkdir -p "$TINHOP_SCREENSHOTS"
  TINHOP_SCREENSHOTS=$(realpath "$TINHOP_SCREENSHOTS")
  export TINHOP_SCREENSHOTS
fi
cd "$(dirname "$0")"
chromium=${CHROMIUM:-/usr/bin/chromium}

missing=()
[ -x "$chromium" ] || missing+=("chromium")
command -v node >/dev/null || missing+=("node")
command -v npm >/dev/null || missing+=("npm")
if [ ${#missing[@]} -gt 0 ]; then
  if [ -n "${CI:-}" ]; then
    echo "browser tests: ${missing[*]} missing (scripts/install-deps installs them)" >&2
    exit 1
  fi
  echo "browser tests skipped: ${missing[*]} missing (scripts/install-deps installs them)"
  exit 77
fi
# ctest -j starts both browser tests at once: in a fresh clone one installs while the other
# waits on this script's lock, rather than running node against a half-made node_modules.
exec 9<"$(basename "$0")"
flock 9
if [ ! -d node_modules/puppeteer-core ] || [ ! -d node_modules/axe-core ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
flock -u 9
exec node "${2:-reader_pages.mjs}" "$tinhop"
