#!/usr/bin/env bash
# On a one-node swarm (made here when the engine has none, and left as found): time until every task
# of 30 services with 2 secrets each runs, `stackup deploy --orchestrator swarm` against
# `docker stack deploy` of the same file; then the time for a rotation of one secret used by one
# service until its task sees the new value: stackup (the file changed, a deploy) against the
# documented manual procedure (docker secret create x_v2; docker service update --secret-rm x
# --secret-add source=x_v2,target=x). Target: deploy at most 1.0x docker stack deploy.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
services=${BENCH_SERVICES:-30}
rounds=${BENCH_ROUNDS:-3}
bash "$root/scripts/build.sh" >/dev/null
bash "$root/scripts/start-engine.sh"
stackup="$root/build/stackup"
image=stackup-test/busybox:1
work=$(mktemp -d)
export STACKUP_STORE="$work/store" STACKUP_ORCHESTRATOR=swarm
made_swarm=
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  made_swarm=1
fi
cleanup() {
  "$stackup" down -q --secrets benchsu >/dev/null 2>&1 || true
  docker stack rm benchds >/dev/null 2>&1 || true
  [ -z "$made_swarm" ] || docker swarm leave --force >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/secrets"
{
  echo 'version: "3.8"'
  echo "services:"
  for i in $(seq 1 "$services"); do
    printf '  svc%s:\n    image: %s\n    command: ["sleep", "86400"]\n    stop_grace_period: 1s\n' "$i" "$image"
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
all_running() {  # stack: until each service has its one task running
  until [ "$(docker stack services "$1" --format '{{.Replicas}}' | grep -c '^1/1')" = "$services" ]; do sleep 0.1; done
}
gone() {  # stack: until no service, network or container of it is left
  while [ -n "$(docker service ls -q --filter "label=com.docker.stack.namespace=$1")$(docker ps -aq --filter "label=com.docker.stack.namespace=$1")$(docker network ls -q --filter "label=com.docker.stack.namespace=$1")" ]; do
    sleep 0.2
  done
}
sees() {  # stack, value: until svc1's task reads it at /run/secrets/a1
  local c
  while true; do
    c=$(docker ps -q --filter "label=com.docker.swarm.service.name=${1}_svc1" | head -n 1)
    [ -n "$c" ] && [ "$(docker exec "$c" cat /run/secrets/a1 2>/dev/null)" = "$2" ] && return
    sleep 0.05
  done
}
declare -a su_up ds_up su_rotate ds_rotate
for round in $(seq 1 "$rounds"); do
  printf 'value-a-1' > secrets/a1
  t0=$(now); "$stackup" deploy -q benchsu; all_running benchsu; t1=$(now)
  su_up+=("$(elapsed "$t0" "$t1")")
  printf 'rotated-%s' "$round" > secrets/a1
  t0=$(now); "$stackup" deploy -q benchsu; sees benchsu "rotated-$round"; t1=$(now)
  su_rotate+=("$(elapsed "$t0" "$t1")")
  "$stackup" down -q --secrets benchsu; gone benchsu

  printf 'value-a-1' > secrets/a1
  t0=$(now); docker stack deploy -c docker-compose.yml benchds >/dev/null 2>&1; all_running benchds; t1=$(now)
  ds_up+=("$(elapsed "$t0" "$t1")")
  t0=$(now)
  printf 'rotated-%s' "$round" | docker secret create "benchds_a1_v$round" - >/dev/null
  docker service update -d --secret-rm benchds_a1 --secret-add "source=benchds_a1_v$round,target=a1,mode=0400" benchds_svc1 >/dev/null
  sees benchds "rotated-$round"; t1=$(now)
  ds_rotate+=("$(elapsed "$t0" "$t1")")
  docker stack rm benchds >/dev/null; gone benchds
  docker secret rm "benchds_a1_v$round" >/dev/null 2>&1 || true
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}x')"; }
su=$(median "${su_up[@]}"); ds=$(median "${ds_up[@]}"); sr=$(median "${su_rotate[@]}"); dr=$(median "${ds_rotate[@]}")
echo "deploy of $services services on a one-node swarm, median of $rounds: stackup ${su}s, docker stack deploy ${ds}s: $(ratio "$su" "$ds")"
echo "rotation of one secret until its task sees it: stackup ${sr}s, manual docker secret create + service update ${dr}s: $(ratio "$sr" "$dr")"
