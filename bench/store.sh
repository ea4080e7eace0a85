#!/usr/bin/env bash
# The secret store with 10,000 secrets: the cost of one `secret create` and one `secret reveal`
# (each a whole process: start, open, unlock, commit with fsync), and `secret ls` over all of them.
# Target: `secret ls` under 100 ms with 10,000 secrets.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
count=${BENCH_SECRETS:-10000}
command -v hyperfine >/dev/null || apt-get install -y -qq --no-install-recommends hyperfine >/dev/null
bash "$root/scripts/build.sh" >/dev/null
stackup="$root/build/stackup"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export STACKUP_STORE="$work/store"
"$stackup" store init >/dev/null 2>&1

seconds() { date +%s.%N; }
start=$(seconds)
for i in $(seq 1 "$count"); do printf 'value-%s' "$i" | "$stackup" secret create "bench/secret-$i" - >/dev/null; done
created=$(seconds)
for i in $(seq 1 "$count"); do "$stackup" secret reveal "bench/secret-$i" >/dev/null; done
revealed=$(seconds)

hyperfine --warmup 2 --runs 10 -N --export-json "$work/ls.json" "$stackup secret ls" "$stackup secret ls --format json" >/dev/null
python3 - "$start" "$created" "$revealed" "$count" "$work/ls.json" "$(du -sk "$STACKUP_STORE" | cut -f1)" <<'PY'
import json, sys
start, created, revealed, count = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
results = json.load(open(sys.argv[5]))["results"]
print(f"{count} secrets; store size {int(sys.argv[6]) // 1024} MiB")
print(f"secret create: {(created - start) / count * 1000:.2f} ms per secret (a process each, fsync'd commit)")
print(f"secret reveal: {(revealed - created) / count * 1000:.2f} ms per secret (a process each)")
for r in results:
    print(f"{r['command'].split('stackup ')[-1]}: median {r['median'] * 1000:.1f} ms over {count} secrets (target < 100 ms)")
PY
