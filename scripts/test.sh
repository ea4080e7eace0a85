#!/usr/bin/env bash
# Every test, as CI runs them: install what is missing, build, run the unit, fixture, corpus and
# integration tests; then the same tests under ASan+UBSan; then a short fuzz run of the loader.
# Ends with one line "N passed, N failed".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh

passed=0
failed=0
run_ctest() {  # build directory, label, extra ctest arguments
  local log
  log=$(mktemp)
  set +e
  # Integration tests are listed as they end, so a CI log shows how far a run got.
  ctest --test-dir "$1" --output-on-failure --timeout 900 -j"$(nproc)" "${@:3}" 2>&1 | tee "$log" |
    grep --line-buffered -E "integration\.|tests passed|FAILED|\*\*\*" || true
  local status=${PIPESTATUS[0]}
  set -e
  local total failures
  total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -n 1)
  failures=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' "$log" | tail -n 1)
  total=${total:-0}
  failures=${failures:-0}
  if [ "$status" -ne 0 ] && [ "$failures" -eq 0 ]; then failures=1; fi
  passed=$((passed + total - failures))
  failed=$((failed + failures))
  echo "$2: $((total - failures)) passed, $failures failed"
  rm -f "$log"
}

echo "== Docker engine for the integration tests"
# Started once here; an integration test that still finds no engine fails (it never skips).
bash scripts/start-engine.sh || echo "no Docker engine could be started: the engine tests will fail"

echo "== build (Release)"
bash scripts/build.sh
run_ctest build release

echo "== build with AddressSanitizer and UndefinedBehaviorSanitizer"
BUILD_DIR="$root/build-asan" bash scripts/build.sh -DCMAKE_BUILD_TYPE=Debug -DSTACKUP_SANITIZE=ON
# Stress loops run a fifth of their rounds here (tests/integration/lib/rounds.bash).
# Some tests run no stackup code that the release pass's run of them leaves unchecked under the
# sanitizers, and cost minutes: a second engine joining a swarm, packaging the binary, the guides'
# walkthroughs (deploy, rotate and down, as the deploy tests run them), and planning every valid
# fixture on the engine (the loader and the plan run under the sanitizers in the unit tests and
# the fuzzer). Left out here.
STACKUP_TEST_QUICK=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run_ctest build-asan sanitizers -E 'integration\.(swarm_two_nodes|package|example_.*|valid_files_deploy)$'

echo "== fuzz the loader for ${FUZZ_SECONDS:-60} s"
if bash scripts/fuzz.sh; then
  passed=$((passed + 1))
  echo "fuzz: 1 passed, 0 failed"
else
  failed=$((failed + 1))
  echo "fuzz: 0 passed, 1 failed"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
