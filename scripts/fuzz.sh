#!/usr/bin/env bash
# Builds the libFuzzer target with clang and runs it for FUZZ_SECONDS (default 60), seeded with the
# test fixtures, the examples and the real-world corpus. A crash, leak or hang fails the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTACKUP_FUZZ=ON >/dev/null
cmake --build "$build" --target fuzz_loader -j"$(nproc)"
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
find "$root/tests/testdata" "$root/examples" -name '*.yaml' -exec cp {} "$seeds/" \;
cp "$root"/tests/corpus/compose-real/*.y*ml "$seeds/"
mkdir -p "$build/corpus"
"$build/tests/fuzz/fuzz_loader" "$build/corpus" "$seeds" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -print_final_stats=1 2>&1 | tail -n 25
