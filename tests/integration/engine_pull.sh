#!/usr/bin/env bash
# Deploy pulls a missing image, with progress, from a registry on this machine (Debian's
# docker-registry on 127.0.0.1: loopback registries need no TLS); a missing one is a clear error
# that touches nothing.
source "$(dirname "$0")/lib/engine_test.bash"
command -v docker-registry >/dev/null || fail "docker-registry is not installed (scripts/install-deps.sh)"
port=$((20000 + RANDOM % 20000))
stack="pull$$"
registry_pid=""
cleanup() {
  "$stackup" down -q -t 0 "$stack" >/dev/null 2>&1 || true
  docker rmi -f "127.0.0.1:$port/stackup/busybox:1" >/dev/null 2>&1 || true
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cat > "$work/registry.yml" <<YAML
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 50); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
image="127.0.0.1:$port/stackup/busybox:1"
docker tag stackup-test/busybox:1 "$image"
docker push "$image" >/dev/null || { cat "$work/registry.log"; fail "push to the local registry"; }
docker rmi "$image" >/dev/null

printf 'services:\n  app:\n    image: %s\n    command: ["sleep", "3600"]\n    stop_signal: SIGKILL\n' "$image" > "$work/compose.yaml"
"$stackup" deploy -c "$work/compose.yaml" "$stack" >"$work/deploy.log" 2>&1 || { cat "$work/deploy.log"; fail "deploy with a pull"; }
grep -q "Image $image Pulling" "$work/deploy.log" || fail "no pull progress: $(cat "$work/deploy.log")"
grep -q "Image $image Pulled" "$work/deploy.log" || fail "pull not reported as done"
grep -q "Image $image .*\(Download complete\|Pull complete\|Downloaded newer image\)" "$work/deploy.log" || fail "no layer progress"
[ "$(docker inspect -f '{{.State.Running}}' "$stack-app-1")" = true ] || fail "the pulled image does not run"
"$stackup" down -q -t 0 "$stack"

printf 'services:\n  app:\n    image: 127.0.0.1:%s/stackup/missing:1\n' "$port" > "$work/missing.yaml"
set +e
out=$("$stackup" deploy -c "$work/missing.yaml" "$stack" 2>&1); code=$?
set -e
[ "$code" -eq 1 ] && grep -q "stackup: error: image 127.0.0.1:$port/stackup/missing:1 is not available: " <<<"$out" || fail "missing image: $out"
[ -z "$(docker network ls -q --filter "label=com.docker.stack.namespace=$stack")" ] || fail "a failed pull left a network"
echo "engine_pull: ok"
