#!/usr/bin/env bash
# `--orchestrator swarm` on a real one-node swarm (made by the test when the engine has none, and
# left as found): secrets pushed from the store reach exactly their services with their uid/gid/mode
# at relative and absolute targets; a redeploy with no change updates nothing; a changed file rotates
# the secret (new Swarm secret, same path, old one removed); docker stack ps/rm understand the stack;
# down leaves nothing; a failed first deploy leaves nothing; the canary is never on disk outside the
# store's ciphertext. It FAILS without an engine.
source "$(dirname "$0")/lib/engine_test.bash"
begin_stack sw
export STACKUP_ORCHESTRATOR=swarm
made_swarm=
leave_swarm() { [ -z "$made_swarm" ] || docker swarm leave --force >/dev/null 2>&1 || true; }
ext="ext$$"
trap '"$stackup" down -q --secrets "$stack" >/dev/null 2>&1 || true; docker secret rm "$ext" "$ext-v2" >/dev/null 2>&1 || true; leave_swarm; rm -rf "$work"' EXIT

canary="swarm-canary-$$"
printf '%s' "$canary" > token.txt
printf '%s-key' "$canary" > key.txt
printf 'hello' > motd.txt
cat > compose.yaml <<YAML
services:
  web:
    image: $image
    command: ["sh", "-c", "\${WEB_COMMAND:-sleep 3600}"]
    stop_grace_period: 1s
    deploy:
      update_config: {failure_action: rollback, monitor: 3s}
    environment:
      TOKEN_FILE: /run/secrets/token
    secrets:
      - source: token
        uid: "1000"
        gid: "1001"
        mode: 0400
      - source: key
        target: /etc/app/key
      - ext
    configs:
      - source: settings
        target: /etc/app/settings.conf
      - source: motd
        target: /etc/motd
    volumes: [data:/data]
    tmpfs: [/scratch]
  worker:
    image: $image
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    deploy:
      replicas: 2
secrets:
  token:
    file: ./token.txt
  key:
    environment: APP_KEY
  ext:
    external: true
    name: $ext
configs:
  settings:
    content: "level=debug"
  motd:
    file: ./motd.txt
volumes:
  data:
YAML
export APP_KEY="$canary-env"

if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
  out=$("$stackup" deploy -q "$stack" 2>&1) && fail "deploy without a swarm succeeded"
  [ "$out" = "stackup: error: this Docker engine is not a swarm manager: run \`docker swarm init\`, or point DOCKER_HOST at a manager" ] \
    || fail "not a manager: $out"
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null || fail "docker swarm init"
  made_swarm=1
fi

# The container of a service's running task.
task_container() {
  local id=""
  for _ in $(seq 1 120); do
    id=$(docker ps -q --filter "label=com.docker.swarm.service.name=${stack}_$1" | head -n 1)
    [ -n "$id" ] && break
    sleep 0.5
  done
  echo "$id"
}
version_of() { docker service inspect -f '{{.Version.Index}}' "${stack}_$1"; }

printf '%s-ext' "$canary" | "$stackup" secret create "$ext" - >/dev/null || fail "secret create"
out=$("$stackup" deploy --dry-run "$stack" 2>&1) || fail "dry run: $out"
grep -qx "service ${stack}_web: create (new service)" <<<"$out" || fail "dry run: $out"
"$stackup" deploy -q "$stack" || fail "deploy"
web=$(task_container web)
[ -n "$web" ] || fail "no web task"
[ "$(docker exec "$web" stat -c '%u %g %a' /run/secrets/token)" = "1000 1001 400" ] || fail "token's owner and mode"
[ "$(docker exec "$web" cat /run/secrets/token)" = "$canary" ] || fail "token's value"
[ "$(docker exec "$web" cat /etc/app/key)" = "$canary-env" ] || fail "the environment: secret at an absolute target"
[ "$(docker exec "$web" cat /etc/app/settings.conf)" = "level=debug" ] || fail "the content: config"
[ "$(docker exec "$web" cat /etc/motd)" = "hello" ] || fail "the file: config"
[ "$(docker exec "$web" cat "/run/secrets/ext")" = "$canary-ext" ] || fail "the external secret, pushed from the store"
[ -z "$(docker secret inspect -f '{{index .Spec.Labels "com.docker.stack.namespace"}}' "$ext")" ] || fail "the external secret has the stack's label"
docker exec "$web" grep -q ' /scratch tmpfs' /proc/mounts || fail "tmpfs"
docker exec "$web" grep -q ' /data ' /proc/mounts || fail "the named volume"
[ "$(docker volume inspect -f '{{index .Labels "com.docker.stack.namespace"}}' "${stack}_data")" = "$stack" ] || fail "volume label"
worker=$(task_container worker)
docker exec "$worker" ls /run/secrets/token >/dev/null 2>&1 && fail "worker got a secret it does not use"
[ "$(docker service inspect -f '{{index .Spec.Labels "com.docker.stack.namespace"}}' "${stack}_web")" = "$stack" ] \
  || fail "namespace label"
docker stack ps "$stack" --format '{{.Name}} {{.CurrentState}}' | grep -q "^${stack}_web.1 Running" || fail "docker stack ps"
[ "$(docker stack services -q "$stack" | wc -l)" = 2 ] || fail "docker stack services"
"$stackup" ps "$stack" | grep -q "${stack}_worker.2 .* Running .* Running" || fail "stackup ps: $("$stackup" ps "$stack")"
"$stackup" ls | grep -q "^$stack  *2  *swarm  *running(3)" || fail "stackup ls: $("$stackup" ls)"

# A redeploy with no change touches no service.
web_version=$(version_of web)
worker_version=$(version_of worker)
out=$("$stackup" deploy --dry-run "$stack") || fail "unchanged dry run"
[ "$(tail -n 1 <<<"$out")" = "dry run: nothing to change" ] || fail "unchanged plan: $out"
"$stackup" deploy -q "$stack" || fail "redeploy"
[ "$(version_of web)" = "$web_version" ] && [ "$(version_of worker)" = "$worker_version" ] || fail "an unchanged service was updated"

# Rotation through a changed file: a new Swarm secret at the same path, only web updated, the old one gone.
printf '%s-2' "$canary" > token.txt
out=$("$stackup" deploy --dry-run "$stack") || fail "rotation dry run"
grep -qx "service ${stack}_web: update (secret ${stack}_token-v2)" <<<"$out" || fail "rotation plan: $out"
grep -qx "swarm secret ${stack}_token-v1: remove (no service uses it)" <<<"$out" || fail "rotation plan: $out"
"$stackup" deploy -q "$stack" 2>&1 | grep -q 'only updates to Labels' && fail "Swarm's update error reached the user"
[ "$(version_of worker)" = "$worker_version" ] || fail "rotation updated worker"
web=""
for _ in $(seq 1 60); do
  web=$(task_container web)
  [ "$(docker exec "$web" cat /run/secrets/token 2>/dev/null)" = "$canary-2" ] && break
  sleep 0.5
done
[ "$(docker exec "$web" cat /run/secrets/token)" = "$canary-2" ] || fail "the new value did not reach the task"
[ "$(docker exec "$web" stat -c '%u %g %a' /run/secrets/token)" = "1000 1001 400" ] || fail "rotated token's owner and mode"
docker secret inspect "${stack}_token-v1" >/dev/null 2>&1 && fail "the old Swarm secret is still there"
docker secret inspect "${stack}_token-v2" >/dev/null || fail "no new Swarm secret"

# `secret rotate` of the external secret reaches the task as a Swarm secret of its own, same path.
printf '%s-ext2' "$canary" | "$stackup" secret rotate "$ext" - >/dev/null || fail "secret rotate"
"$stackup" deploy -q "$stack" || fail "deploy after secret rotate"
for _ in $(seq 1 60); do
  [ "$(docker exec "$(task_container web)" cat /run/secrets/ext 2>/dev/null)" = "$canary-ext2" ] && break
  sleep 0.5
done
[ "$(docker exec "$(task_container web)" cat /run/secrets/ext)" = "$canary-ext2" ] || fail "the rotated external secret"
docker secret inspect "$ext-v2" >/dev/null || fail "no Swarm secret for the external's version 2"

# An update whose task fails: Swarm rolls it back (update_config), and stackup says so and fails.
out=$(WEB_COMMAND="exit 3" "$stackup" deploy -q "$stack" 2>&1) && fail "a failing update succeeded"
grep -q "^stackup: error: service ${stack}_web: the update was rolled back by Swarm" <<<"$out" || fail "failed update: $out"
for _ in $(seq 1 60); do
  [ "$(docker service inspect -f '{{.UpdateStatus.State}}' "${stack}_web")" = rollback_completed ] && break
  sleep 0.5
done
docker service inspect -f '{{json .Spec.TaskTemplate.ContainerSpec.Args}}' "${stack}_web" | grep -q 'sleep 3600' \
  || fail "web was not rolled back"
for _ in $(seq 1 60); do
  [ "$(docker exec "$(task_container web)" cat /run/secrets/token 2>/dev/null)" = "$canary-2" ] && break
  sleep 0.5
done
[ "$(docker exec "$(task_container web)" cat /run/secrets/token)" = "$canary-2" ] || fail "the rolled back task lost its secret"

# The canary is on no disk: not in the engine's files (the swarm's raft log is encrypted) nor its log.
found=$(find /var/lib/docker -xdev -type f -not -path '*/swarm/raft/*' -print0 2>/dev/null | xargs -0 grep -lF "$canary" 2>/dev/null || true)
[ -z "$found" ] || fail "the value is on disk: $found"
grep -qF "$canary" /tmp/stackup-dockerd.log 2>/dev/null && fail "the value is in the engine's log"

# docker stack rm understands a stackup stack; stackup down then removes the rest.
docker stack rm "$stack" >/dev/null || fail "docker stack rm"
[ -z "$(docker service ls -q --filter "label=com.docker.stack.namespace=$stack")" ] || fail "docker stack rm left services"
# Swarm removes the stack's network a moment later (docker stack deploy right after rm has the same race).
for _ in $(seq 1 60); do
  [ -z "$(docker network ls -q --filter "label=com.docker.stack.namespace=$stack")" ] && break
  sleep 0.5
done
"$stackup" deploy -q "$stack" || fail "deploy after docker stack rm"
"$stackup" down -q "$stack" || fail "down"
[ -z "$(docker service ls -q --filter "label=com.docker.stack.namespace=$stack")" ] || fail "down left services"
[ -z "$(docker network ls -q --filter "label=com.docker.stack.namespace=$stack")" ] || fail "down left networks"
[ -z "$(docker secret ls --format '{{.Name}}' --filter "label=com.docker.stack.namespace=$stack")" ] || fail "down left secrets"
[ -z "$(docker config ls -q --filter "label=com.docker.stack.namespace=$stack")" ] || fail "down left configs"
docker secret inspect "$ext-v2" >/dev/null || fail "down removed an external secret"

# A failed first deploy (an image no node has) says why and leaves nothing behind.
cat > missing.yaml <<YAML
services:
  web:
    image: stackup-test/missing:1
    secrets: [token]
secrets:
  token:
    file: ./token.txt
YAML
out=$("$stackup" deploy -q -c missing.yaml "${stack}x" 2>&1) && fail "a deploy with a missing image succeeded"
grep -q "service ${stack}x_web did not start" <<<"$out" || fail "missing image: $out"
[ -z "$(docker service ls -q --filter "label=com.docker.stack.namespace=${stack}x")" ] || fail "the failed deploy left services"
[ -z "$(docker secret ls --format '{{.Name}}' --filter "label=com.docker.stack.namespace=${stack}x")" ] || fail "the failed deploy left secrets"
echo "swarm deploy: ok"
