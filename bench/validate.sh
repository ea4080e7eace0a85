#!/usr/bin/env bash
# `stackup validate` on a file of 1,000 services and 1,000 secrets, against `docker-compose config -q`
# (Debian's docker-compose 1.29) and against a bare yaml-cpp parse of the same file. Prints ratios
# (the machines are noisy: ratios travel, seconds do not) and stackup's peak memory.
# Targets: >= 20x faster than docker-compose, <= 2x the bare parse, peak memory < 64 MiB.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
count=${BENCH_SERVICES:-1000}
runs=${BENCH_RUNS:-10}
command -v docker-compose >/dev/null || apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
command -v hyperfine >/dev/null || apt-get install -y -qq --no-install-recommends hyperfine >/dev/null
[ -x /usr/bin/time ] || apt-get install -y -qq --no-install-recommends time >/dev/null

build="$root/build-bench"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSTACKUP_BENCH=ON >/dev/null
cmake --build "$build" --target stackup bare_parse -j"$(nproc)" >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$root/bench/generate_compose.py" "$count" "$work"
file="$work/docker-compose.yml"
echo "file: $count services, $count secrets, $(wc -c <"$file") bytes"

"$build/stackup" validate --strict -q -c "$file" || { echo "the generated file does not validate" >&2; exit 1; }

cd "$work"
hyperfine --warmup 2 --runs "$runs" --export-json "$work/result.json" -N \
  "$build/stackup validate -q -c $file" \
  "$build/bench/bare_parse $file" \
  "docker-compose -f $file config -q" >/dev/null

python3 - "$work/result.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
median = {r["command"].split()[0].split("/")[-1]: r["median"] for r in results}
stackup, bare, compose = median["stackup"], median["bare_parse"], median["docker-compose"]
print(f"median: stackup validate {stackup*1000:.1f} ms, bare yaml-cpp parse {bare*1000:.1f} ms, docker-compose config -q {compose*1000:.1f} ms")
print(f"docker-compose / stackup = {compose/stackup:.1f}x  (target >= 20x)")
print(f"stackup / bare parse     = {stackup/bare:.2f}x  (target <= 2x)")
PY
peak_kb=$(/usr/bin/time -f "%M" "$build/stackup" validate -q -c "$file" 2>&1 >/dev/null | tail -n 1)
echo "stackup validate peak memory: $((peak_kb / 1024)) MiB  (target < 64 MiB)"
