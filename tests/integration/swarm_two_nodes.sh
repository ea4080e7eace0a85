#!/usr/bin/env bash
# A real two-node swarm on one machine: two more Docker engines, a manager and a worker, each in a
# network namespace of its own joined by a veth pair on addresses of the test's own (10.231.N.1/.2),
# each with its own --data-root, --exec-root and socket. The host's engine is left as it is (it only
# lends its test image). A placement constraint puts a task on the worker, the task there sees its
# secret with its uid/gid/mode, and the worker's disk and log never hold the plaintext. It FAILS when
# an engine cannot be had; what it needs of the kernel: network namespaces, veth and vxlan.
source "$(dirname "$0")/lib/engine_test.bash"
net=$(( ($$ % 200) + 20 ))
prefix=10.231.$net
tag=su$$
nodes=$(mktemp -d /var/tmp/stackup-nodes.XXXXXX)  # on disk: the canary check reads the worker's files
pids=()
cleanup() {
  for node in worker manager; do
    [ -S "$nodes/$node/docker.sock" ] && docker -H "unix://$nodes/$node/docker.sock" swarm leave --force >/dev/null 2>&1 || true
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; done
  ip netns del "$tag-m" 2>/dev/null || true
  ip netns del "$tag-w" 2>/dev/null || true
  grep -o " $nodes/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$nodes" "$work"
}
trap cleanup EXIT

ip netns add "$tag-m" && ip netns add "$tag-w" || fail "cannot make network namespaces"
ip link add "$tag-a" netns "$tag-m" type veth peer name "$tag-b" netns "$tag-w" || fail "cannot make a veth pair"
ip -n "$tag-m" addr add "$prefix.1/24" dev "$tag-a"
ip -n "$tag-w" addr add "$prefix.2/24" dev "$tag-b"
for ns in "$tag-m" "$tag-w"; do ip -n "$ns" link set lo up; done
ip -n "$tag-m" link set "$tag-a" up
ip -n "$tag-w" link set "$tag-b" up

start_node() {  # name namespace
  local dir="$nodes/$1"
  mkdir -p "$dir/data" "$dir/exec"
  # nsenter, not ip netns exec: that one mounts a sysfs of its own, without the cgroup mounts dockerd needs.
  nsenter --net="/run/netns/$2" dockerd --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/docker.pid" \
    -H "unix://$dir/docker.sock" --storage-driver=vfs --iptables=false </dev/null >"$dir/dockerd.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 120); do docker -H "unix://$dir/docker.sock" info >/dev/null 2>&1 && break; sleep 0.5; done
  docker -H "unix://$dir/docker.sock" info >/dev/null 2>&1 || { tail -n 20 "$dir/dockerd.log" >&2; fail "engine $1 did not start"; }
  docker save "$image" | docker -H "unix://$dir/docker.sock" load >/dev/null || fail "cannot load the test image into $1"
}
start_node manager "$tag-m"
start_node worker "$tag-w"
manager="unix://$nodes/manager/docker.sock"
worker="unix://$nodes/worker/docker.sock"
docker -H "$manager" swarm init --advertise-addr "$prefix.1" >/dev/null || fail "swarm init on the manager"
token=$(docker -H "$manager" swarm join-token -q worker)
docker -H "$worker" swarm join --token "$token" --advertise-addr "$prefix.2" "$prefix.1:2377" >/dev/null || fail "the worker did not join"
[ "$(docker -H "$manager" node ls -q | wc -l)" = 2 ] || fail "the swarm has not two nodes"

mkdir -p "$work/app" && cd "$work/app"
canary="two-nodes-canary-$$"
printf '%s' "$canary" > token.txt
cat > compose.yaml <<YAML
services:
  placed:
    image: $image
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    deploy:
      placement:
        constraints: [node.role == worker]
    secrets:
      - source: token
        uid: "1000"
        gid: "1000"
        mode: 0440
secrets:
  token:
    file: ./token.txt
YAML
export STACKUP_ORCHESTRATOR=swarm
out=$(DOCKER_HOST="$worker" "$stackup" deploy -q two 2>&1) && fail "a deploy through a worker succeeded"
[ "$out" = "stackup: error: this Docker engine is not a swarm manager: run \`docker swarm init\`, or point DOCKER_HOST at a manager" ] \
  || fail "not a manager: $out"
export DOCKER_HOST="$manager"
"$stackup" deploy -q two || fail "deploy on the two-node swarm"
task=$(docker -H "$worker" ps -q --filter label=com.docker.swarm.service.name=two_placed)
[ -n "$task" ] || fail "the task is not on the worker: $("$stackup" ps two)"
[ -z "$(docker -H "$manager" ps -q --filter label=com.docker.swarm.service.name=two_placed)" ] || fail "a task ran on the manager"
[ "$(docker -H "$worker" exec "$task" cat /run/secrets/token)" = "$canary" ] || fail "the task on the worker does not see its secret"
[ "$(docker -H "$worker" exec "$task" stat -c '%u %g %a' /run/secrets/token)" = "1000 1000 440" ] || fail "owner and mode on the worker"
found=$(find "$nodes/worker" -xdev -type f -print0 | xargs -0 grep -lF "$canary" 2>/dev/null || true)
[ -z "$found" ] || fail "the plaintext is on the worker's disk: $found"

# A constraint no node meets fails the deploy at once, saying why, and leaves nothing.
sed -i 's/node.role == worker/node.labels.zone == nowhere/' compose.yaml
out=$("$stackup" deploy -q three 2>&1) && fail "an unplaceable deploy succeeded"
grep -q "^stackup: error: service three_placed cannot be placed: no suitable node" <<<"$out" || fail "unplaceable: $out"
[ -z "$(docker -H "$manager" service ls -q --filter label=com.docker.stack.namespace=three)" ] || fail "the failed deploy left its service"
"$stackup" down -q two || fail "down"
[ -z "$(docker -H "$manager" secret ls --format '{{.Name}}')" ] || fail "down left a secret"
echo "two-node swarm: ok"
