#!/usr/bin/env bash
# Time until every container runs: `stackup deploy` of 30 services with 2 secrets each, against
# `docker-compose up -d` of the same file (Debian's docker-compose 1.29, plaintext bind mounts) and
# against the floor of 30 parallel `docker run -d` of the same image; then the same for teardown.
# Targets: deploy at most 1.3x the floor and at most half of docker-compose's time; likewise down.
# Also measured, to show where the time goes: the floor on a user-defined network (what a stack needs
# for service discovery, and what both stackup and docker-compose create), and stackup's own CPU time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
services=${BENCH_SERVICES:-30}
rounds=${BENCH_ROUNDS:-3}
command -v docker-compose >/dev/null || apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
[ -x /usr/bin/time ] || apt-get install -y -qq --no-install-recommends time >/dev/null
bash "$root/scripts/build.sh" >/dev/null
bash "$root/scripts/start-engine.sh"
stackup="$root/build/stackup"
image=stackup-test/busybox:1
work=$(mktemp -d)
export STACKUP_STORE="$work/store"
trap 'docker rm -f $(docker ps -aq --filter label=bench=floor) >/dev/null 2>&1 || true; docker network rm benchfloor >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

mkdir -p "$work/secrets"
{
  echo 'version: "3.8"'
  echo "services:"
  for i in $(seq 1 "$services"); do
    printf '  svc%s:\n    image: %s\n    command: ["sleep", "86400"]\n    stop_signal: SIGKILL\n' "$i" "$image"
    printf '    secrets:\n      - source: a%s\n        mode: 0400\n      - b%s\n' "$i" "$i"
  done
  echo "secrets:"
  for i in $(seq 1 "$services"); do
    printf '  a%s:\n    file: ./secrets/a%s\n  b%s:\n    file: ./secrets/b%s\n' "$i" "$i" "$i" "$i"
    printf 'value-a-%s' "$i" > "$work/secrets/a$i"; printf 'value-b-%s' "$i" > "$work/secrets/b$i"
  done
} > "$work/docker-compose.yml"
cd "$work"

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.3f}')"; }
run_floor() {  # extra `docker run` options
  for i in $(seq 1 "$services"); do docker run -d "$@" --label bench=floor --name "floor-$i" "$image" sleep 86400 >/dev/null & done
  wait
}
declare -a floor_up floor_down net_up net_down stackup_up stackup_down stackup_cpu compose_up compose_down
for round in $(seq 1 "$rounds"); do
  t0=$(now); run_floor; t1=$(now)
  docker rm -f $(docker ps -aq --filter label=bench=floor) >/dev/null
  t2=$(now)
  floor_up+=("$(elapsed "$t0" "$t1")"); floor_down+=("$(elapsed "$t1" "$t2")")

  t0=$(now); docker network create --label bench=floor benchfloor >/dev/null; run_floor --network benchfloor; t1=$(now)
  docker rm -f $(docker ps -aq --filter label=bench=floor) >/dev/null; docker network rm benchfloor >/dev/null
  t2=$(now)
  net_up+=("$(elapsed "$t0" "$t1")"); net_down+=("$(elapsed "$t1" "$t2")")

  t0=$(now); /usr/bin/time -o "$work/cpu" -f "%U %S" "$stackup" deploy -q bench >/dev/null; t1=$(now)
  # down exits 1, after removing everything else, when the engine miscounts the network's endpoints
  # (README, "Deploying"); the next deploy reuses that network, so the rounds go on.
  "$stackup" down -q bench >/dev/null || true; t2=$(now)
  stackup_up+=("$(elapsed "$t0" "$t1")"); stackup_down+=("$(elapsed "$t1" "$t2")")
  stackup_cpu+=("$(awk '{print $1 + $2}' "$work/cpu")")

  t0=$(now); docker-compose -p benchcompose up -d >/dev/null 2>&1; t1=$(now)
  docker-compose -p benchcompose down -t 0 >/dev/null 2>&1; t2=$(now)
  compose_up+=("$(elapsed "$t0" "$t1")"); compose_down+=("$(elapsed "$t1" "$t2")")
done
python3 - "$services" "${floor_up[*]}" "${floor_down[*]}" "${net_up[*]}" "${net_down[*]}" "${stackup_up[*]}" \
  "${stackup_down[*]}" "${compose_up[*]}" "${compose_down[*]}" "${stackup_cpu[*]}" <<'PY'
import statistics, sys
med = lambda s: statistics.median(float(x) for x in s.split())
fu, fd, nu, nd, su, sd, cu, cd, cpu = (med(a) for a in sys.argv[2:11])
print(f"{sys.argv[1]} services x 2 secrets, medians: floor up {fu:.2f}s down {fd:.2f}s; floor on a network up {nu:.2f}s "
      f"down {nd:.2f}s; stackup up {su:.2f}s down {sd:.2f}s; docker-compose up {cu:.2f}s down {cd:.2f}s")
print(f"deploy: stackup / floor = {su/fu:.2f}x (target <= 1.3x); stackup / docker-compose = {su/cu:.2f}x (target <= 0.5x)")
print(f"down:   stackup / floor = {sd/fd:.2f}x (target <= 1.3x); stackup / docker-compose = {sd/cd:.2f}x (target <= 0.5x)")
print(f"where the time goes: stackup / floor on a network = {su/nu:.2f}x up, {sd/nd:.2f}x down; "
      f"docker-compose / floor on a network = {cu/nu:.2f}x up, {cd/nd:.2f}x down; "
      f"stackup's own CPU = {100*cpu/su:.0f}% of its deploy's wall time")
PY
