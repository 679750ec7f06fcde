#!/usr/bin/env bash
# The quick start and the developer loop, on plain bash (a fresh Debian 12 has no make).
#   ./tinhop.sh run      install dependencies, build (release), run the daemon on the built-in demo
#   ./tinhop.sh test     install dependencies, build (release), run every test
#   ./tinhop.sh asan     the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   ./tinhop.sh build [PRESET] | format | format-check | clean
set -euo pipefail
cd "$(dirname "$0")"
# ccache hits across clones in other folders (CI clones afresh each run).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

# build PRESET [TARGET...]: configure and build (every target when none is named).
build() {
  local preset=$1
  shift
  scripts/install-deps
  # Warnings are errors everywhere, so CI and local builds share one ccache.
  cmake --preset "$preset" -DTINHOP_WERROR=ON >/dev/null
  if [ $# -gt 0 ]; then
    cmake --build --preset "$preset" --target "$@"
  else
    cmake --build --preset "$preset"
  fi
}

sources() { git ls-files '*.cpp' '*.hpp'; }

case "${1:-}" in
  run)
    build release tinhop
    shift
    exec build/release/daemon/tinhop serve --demo "$@"
    ;;
  test)
    build release
    ctest --preset release
    ;;
  asan)
    build asan
    ctest --preset asan
    ;;
  build) build "${2:-release}" ;;
  format) sources | xargs clang-format -i ;;
  format-check) sources | xargs clang-format --dry-run -Werror ;;
  clean) rm -rf build ;;
  *)
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
