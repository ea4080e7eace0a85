#!/usr/bin/env bash
# Where the machine's CPU goes while `stackup deploy` brings up the bench's 30 services: the share of
# each command (perf, system-wide), how busy the cores were, and what the engine executed per
# container. It shows why no client of this engine can be much faster than its floor.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
services=${BENCH_SERVICES:-30}
command -v perf >/dev/null || apt-get install -y -qq --no-install-recommends linux-perf >/dev/null
bash "$root/scripts/build.sh" >/dev/null
bash "$root/scripts/start-engine.sh"
stackup="$root/build/stackup"
work=$(mktemp -d)
export STACKUP_STORE="$work/store"
trap '"$stackup" down -q profile >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
{
  echo "services:"
  for i in $(seq 1 "$services"); do
    printf '  svc%s:\n    image: stackup-test/busybox:1\n    command: ["sleep", "86400"]\n    stop_signal: SIGKILL\n' "$i"
  done
} > "$work/compose.yaml"

perf record -q -a -F 499 -e cpu-clock -o "$work/cpu.data" -- "$stackup" deploy -q -c "$work/compose.yaml" profile >/dev/null 2>&1
"$stackup" down -q profile >/dev/null 2>&1 || true
perf record -q -a -e sched:sched_process_exec -o "$work/exec.data" -- "$stackup" deploy -q -c "$work/compose.yaml" profile >/dev/null 2>&1

shares=$(perf report -i "$work/cpu.data" --sort comm --stdio 2>/dev/null | grep -E '^ +[0-9]')
echo "cores busy during the deploy: $(awk '$2 == "swapper" {idle = $1 + 0} END {printf "%.0f%%", 100 - idle}' <<<"$shares")"
echo "CPU share by command (exe: dockerd re-executing itself as its libnetwork-setkey prestart hook,"
echo "once per container that has its own network namespace):"
grep -v swapper <<<"$shares" | head -7
echo "stackup itself: $(awk '$2 == "stackup" {print $1}' <<<"$shares")"
echo "programs executed per container:"
perf script -i "$work/exec.data" 2>/dev/null | grep -o 'filename=[^ ]*' | sed 's/filename=//; s|/proc/[0-9]*/exe|/proc/PID/exe (the engine re-executing itself)|' |
  sort | uniq -c | sort -rn | awk -v n="$services" '$1 >= n {printf "  %5.1f  %s\n", $1 / n, substr($0, index($0, $2))}'
