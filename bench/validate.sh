#!/usr/bin/env bash
# `stackup validate` on files of 1,000 and 10,000 services (as many secrets), against
# `docker-compose config -q` (Debian's docker-compose 1.29), against dclint (the compose linter people
# use, from npm) and against a bare yaml-cpp parse of the same file. Prints ratios (the machines are
# noisy: ratios travel, seconds do not), how stackup scales from the smallest to the largest file,
# and its peak memory.
# Targets: >= 25x faster than docker-compose, >= 50x faster than dclint, <= 1.5x the bare parse,
# linear in the number of services, peak memory < 64 MiB at 1,000 services.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=${BENCH_SIZES:-${BENCH_SERVICES:-1000 10000}}
runs=${BENCH_RUNS:-10}
# The peers take seconds per run on 1,000 services and minutes on 10,000 (dclint: over ten): one run
# of each there.
slow_runs=${BENCH_SLOW_RUNS:-3}
command -v docker-compose >/dev/null || apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
command -v hyperfine >/dev/null || apt-get install -y -qq --no-install-recommends hyperfine >/dev/null
command -v npm >/dev/null || apt-get install -y -qq --no-install-recommends npm >/dev/null
[ -x /usr/bin/time ] || apt-get install -y -qq --no-install-recommends time >/dev/null
# The bare parse is yaml-cpp's, the parser stackup used before libyaml: the issue's yardstick.
[ -f /usr/include/yaml-cpp/yaml.h ] || apt-get install -y -qq --no-install-recommends libyaml-cpp-dev >/dev/null

build="$root/build-bench"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSTACKUP_BENCH=ON >/dev/null
cmake --build "$build" --target stackup bare_parse -j"$(nproc)" >/dev/null
dclint="$build/node/node_modules/.bin/dclint"
[ -x "$dclint" ] || npm install --prefix "$build/node" --no-audit --no-fund --silent dclint@3 >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
for count in $sizes; do
  mkdir -p "$work/$count"
  python3 "$root/bench/generate_compose.py" "$count" "$work/$count" >/dev/null
  file="$work/$count/docker-compose.yml"
  echo "== $count services, $count secrets, $(wc -c <"$file") bytes"
  "$build/stackup" validate --strict -q -c "$file" || { echo "the generated file does not validate" >&2; exit 1; }
  # dclint exits 1 when it finds style problems (it does, on any generated file): -i keeps it timed.
  hyperfine --warmup 1 --runs "$runs" --export-json "$work/$count/fast.json" -N \
    "$build/stackup validate -q -c $file" "$build/bench/bare_parse $file" >/dev/null
  hyperfine --runs "$([ "$count" -gt 1000 ] && echo 1 || echo "$slow_runs")" --export-json "$work/$count/slow.json" -N -i \
    "docker-compose -f $file config -q" "$dclint $file" >/dev/null
  python3 - "$work/$count" "$count" <<'PY'
import json, sys
median = {}
for name in ("fast", "slow"):
    for r in json.load(open(f"{sys.argv[1]}/{name}.json"))["results"]:
        median[r["command"].split()[0].split("/")[-1]] = r["median"]
stackup = median["stackup"]
print(f"median: stackup validate {stackup*1000:.1f} ms, bare yaml-cpp parse {median['bare_parse']*1000:.1f} ms, "
      f"docker-compose config -q {median['docker-compose']*1000:.0f} ms, dclint {median['dclint']*1000:.0f} ms")
print(f"docker-compose / stackup = {median['docker-compose']/stackup:.1f}x  (target >= 25x)")
print(f"dclint / stackup         = {median['dclint']/stackup:.1f}x  (target >= 50x)")
print(f"stackup / bare parse     = {stackup/median['bare_parse']:.2f}x  (target <= 1.5x)")
open(f"{sys.argv[1]}/../stackup-{sys.argv[2]}.ms", "w").write(str(stackup * 1000))
PY
done
smallest=$(tr ' ' '\n' <<<"$sizes" | sort -n | head -1)
largest=$(tr ' ' '\n' <<<"$sizes" | sort -n | tail -1)
if [ "$smallest" != "$largest" ]; then
  python3 -c "
small, large = float(open('$work/stackup-$smallest.ms').read()), float(open('$work/stackup-$largest.ms').read())
print(f'stackup $largest / $smallest services = {large/small:.1f}x for {$largest/$smallest:.0f}x the services  (linear: about {$largest/$smallest:.0f}x)')"
fi
file="$work/$smallest/docker-compose.yml"
peak_kb=$(/usr/bin/time -f "%M" "$build/stackup" validate -q -c "$file" 2>&1 >/dev/null | tail -n 1)
echo "stackup validate peak memory at $smallest services: $((peak_kb / 1024)) MiB  (target < 64 MiB)"
