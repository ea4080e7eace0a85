# Sourced by the tests that need the Docker engine. Gives them their arguments ($stackup, the binary;
# $root, the source tree), fail(), a running engine (started when none runs: without one the test
# FAILS, it never skips), the offline test $image, and a scratch directory $work holding the test's
# own secret store.
set -euo pipefail
stackup=$1
root=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
bash "$root/scripts/start-engine.sh" || fail "no Docker engine: the engine tests cannot run"
image=stackup-test/busybox:1
work=$(mktemp -d)
export STACKUP_STORE="$work/store"
trap 'rm -rf "$work"' EXIT

# Names the test's stack "<prefix><pid>", takes it down with its secrets when the test ends, and
# moves into a fresh project directory, $work/app.
begin_stack() {
  stack="$1$$"
  trap '"$stackup" down -q -t 0 --secrets "$stack" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  mkdir -p "$work/app"
  cd "$work/app"
}
