#!/usr/bin/env bash
# stackup deploy/down/ps/ls against a real Docker engine (started if none runs; the test FAILS when
# none can be had, it never skips), with secrets on a real tmpfs, checked from inside the containers.
source "$(dirname "$0")/lib/engine_test.bash"
stack="it$$"
cleanup() {
  docker rm -f "${stack}-intruder" >/dev/null 2>&1 || true
  "$stackup" down "$stack" -t 0 --volumes --secrets >/dev/null 2>&1 || true
  "$stackup" down "${stack}x" -t 0 >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
canary_db="canary-db-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
canary_key="canary-key-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
mkdir -p "$work/app/secrets"
printf '%s' "$canary_db" > "$work/app/secrets/db_password.txt"
printf '%s' "$canary_key" > "$work/app/secrets/site.key"
cat > "$work/app/compose.yaml" <<YAML
services:
  db:
    image: $image
    command: ["sleep", "3600"]
    init: true
    secrets:
      - source: db_password
        uid: "999"
        gid: "999"
        mode: 0400
  web:
    image: $image
    command: sleep 3600
    stop_signal: SIGKILL
    depends_on: [db]
    deploy:
      replicas: 2
    secrets:
      - db_password
      - source: site_key
        target: /etc/ssl/private/site.key
        mode: 0440
      - source: api_token
        target: token
secrets:
  db_password:
    file: ./secrets/db_password.txt
  site_key:
    file: ./secrets/site.key
  api_token:
    external: true
YAML
cd "$work/app"
in_container() { docker exec "$1" sh -c "$2"; }
container_id() { docker inspect -f '{{.Id}}' "$1"; }

# An external secret that is missing stops the deploy before anything is created.
set +e
out=$("$stackup" --log-level debug deploy "$stack" 2>&1); code=$?
set -e
[ "$code" -eq 1 ] || fail "deploy without the external secret: exit $code"
grep -qF "secret not found: api_token; create it first: stackup secret create api_token FILE" <<<"$out" || fail "missing external: $out"
[ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] || fail "containers were created"
[ -z "$(docker network ls -q --filter "label=com.docker.stack.namespace=$stack")" ] || fail "a network was created"
[ -z "$("$stackup" secret ls --format '{{.Name}}')" ] || fail "secrets were stored"
[ ! -e "/run/stackup/$stack" ] && [ ! -e "/run/stackup/$stack.lock" ] || fail "files were left in /run/stackup"

printf 'shared-token' | "$stackup" secret create api_token - >/dev/null
"$stackup" --log-level debug deploy "$stack" >"$work/deploy.log" 2>&1 || { cat "$work/deploy.log"; fail "deploy"; }

# Contents, modes, owners, read-only tmpfs mounts, relative and absolute targets.
[ "$(in_container "$stack-web-1" 'cat /run/secrets/db_password')" = "$canary_db" ] || fail "db_password content in web"
[ "$(in_container "$stack-web-2" 'cat /etc/ssl/private/site.key')" = "$canary_key" ] || fail "absolute target in web-2"
[ "$(in_container "$stack-web-1" 'cat /run/secrets/token')" = "shared-token" ] || fail "external secret with a target"
[ "$(in_container "$stack-db-1" 'stat -c "%a %u %g" /run/secrets/db_password')" = "400 999 999" ] || fail "db mode/owner"
[ "$(in_container "$stack-web-1" 'stat -c "%a %u %g" /run/secrets/db_password')" = "444 0 0" ] || fail "default mode/owner"
[ "$(in_container "$stack-web-1" 'stat -c "%a" /etc/ssl/private/site.key')" = "440" ] || fail "mode 0440"
for target in /run/secrets/db_password /etc/ssl/private/site.key /run/secrets/token; do
  in_container "$stack-web-1" "grep -q ' $target tmpfs ro,' /proc/mounts" || fail "$target is not a read-only tmpfs mount"
done
in_container "$stack-web-1" 'echo x > /run/secrets/db_password' 2>/dev/null && fail "a secret is writable"
# Isolation: db gets only its own secret.
[ "$(in_container "$stack-db-1" 'ls /run/secrets')" = "db_password" ] || fail "db sees other secrets"
in_container "$stack-db-1" 'test ! -e /etc/ssl/private/site.key' || fail "db sees site.key"
# ps and ls.
"$stackup" ps "$stack" | grep -q "$stack-web-2 .* web " || fail "ps"
"$stackup" ls | grep -q "^$stack .* 2 .*running(3)" || fail "ls: $("$stackup" ls)"

# A redeploy with no change touches nothing.
web_before=$(container_id "$stack-web-1"); db_before=$(container_id "$stack-db-1")
"$stackup" deploy "$stack" 2>&1 | grep -q "Up to date: nothing changed" || fail "no-change redeploy"
[ "$(container_id "$stack-web-1")" = "$web_before" ] || fail "no-change redeploy recreated web"

# Rotation: a changed file is a new version; only the services using it are recreated.
printf 'rotated-key' > secrets/site.key
"$stackup" deploy "$stack" >/dev/null 2>&1 || fail "rotation deploy"
[ "$(container_id "$stack-db-1")" = "$db_before" ] || fail "rotation recreated db, which does not use site_key"
[ "$(container_id "$stack-web-1")" != "$web_before" ] || fail "rotation did not recreate web"
[ "$(in_container "$stack-web-2" 'cat /etc/ssl/private/site.key')" = "rotated-key" ] || fail "rotated value"
"$stackup" secret inspect "${stack}_site_key" | grep -q '"Version": 2' || fail "rotation version"

# A changed owner or mode with the same value: the service's container is made again with it.
web_before=$(container_id "$stack-web-1"); db_before=$(container_id "$stack-db-1")
sed -i 's/mode: 0400/mode: 0440/' compose.yaml
"$stackup" deploy "$stack" >/dev/null 2>&1 || fail "deploy with a changed mode"
[ "$(in_container "$stack-db-1" 'stat -c "%a %u %g" /run/secrets/db_password')" = "440 999 999" ] || fail "the changed mode"
[ "$(container_id "$stack-db-1")" != "$db_before" ] || fail "a changed mode did not reach db"
[ "$(container_id "$stack-web-1")" = "$web_before" ] || fail "db's changed mode recreated web"

# A secret in use cannot be removed.
set +e
out=$("$stackup" secret rm "${stack}_db_password" 2>&1); code=$?
set -e
[ "$code" -eq 1 ] && grep -qF "secret '${stack}_db_password' is in use by the following services: ${stack}_db, ${stack}_web" <<<"$out" \
  || fail "secret rm while in use: $out"

# After docker restart the secrets are still there.
docker restart -t 0 "$stack-db-1" >/dev/null
[ "$(in_container "$stack-db-1" 'cat /run/secrets/db_password')" = "$canary_db" ] || fail "secret gone after docker restart"

# A host reboot empties /run: the containers stop and their tmpfs are gone. Simulated here by stopping
# them and unmounting and removing every secrets directory; deploy then restores everything.
for name in $(docker ps -q --filter "label=com.docker.stack.namespace=$stack"); do
  directory="/run/stackup/$stack/$(docker inspect -f '{{index .Config.Labels "com.stackup.secrets-directory"}}' "$name")"
  docker stop -t 0 "$name" >/dev/null
  umount "$directory" && rmdir "$directory"
done
docker start "$stack-db-1" >/dev/null 2>&1 && fail "db started without its secrets directory"
"$stackup" deploy -q "$stack" || fail "deploy after a reboot"
[ "$(in_container "$stack-db-1" 'cat /run/secrets/db_password')" = "$canary_db" ] || fail "db secret not restored after a reboot"
[ "$(in_container "$stack-web-2" 'cat /etc/ssl/private/site.key')" = rotated-key ] || fail "web secret not restored after a reboot"

# Two deploys of one stack never interleave: the second waits for the first (here, a held lock).
exec 8>"/run/stackup/$stack.lock"
flock 8
"$stackup" deploy "$stack" >"$work/waiting.log" 2>&1 8>&- &
waiter=$!
for _ in $(seq 1 100); do grep -q "Waiting" "$work/waiting.log" && break; sleep 0.1; done
grep -qF " Stack $stack Waiting for another stackup deploy or down of it to finish" "$work/waiting.log" || fail "no wait: $(cat "$work/waiting.log")"
kill -0 "$waiter" 2>/dev/null || fail "deploy did not wait for the stack's lock"
exec 8>&-
wait "$waiter" || fail "deploy after the lock was released: $(cat "$work/waiting.log")"
# A signal while waiting for the lock, before anything is touched, just ends stackup.
exec 8>"/run/stackup/$stack.lock"
flock 8
rm -f "$work/waiting.log"
"$stackup" deploy "$stack" >"$work/waiting.log" 2>&1 8>&- &
waiter=$!
for _ in $(seq 1 100); do grep -q "Waiting" "$work/waiting.log" 2>/dev/null && break; sleep 0.1; done
kill -TERM "$waiter"
set +e; wait "$waiter"; code=$?; set -e
exec 8>&-
[ "$code" -eq 143 ] || fail "a deploy waiting for the lock ignored SIGTERM: exit $code"

# A deploy that fails midway puts the previous state back: web's new command cannot start.
web_before=$(container_id "$stack-web-1")
sed -i 's/command: sleep 3600/command: no-such-binary/' compose.yaml
"$stackup" deploy "$stack" >/dev/null 2>&1 && fail "a deploy with a broken command succeeded"
[ "$(container_id "$stack-web-1")" = "$web_before" ] || fail "the previous web container was not put back"
[ "$(docker inspect -f '{{.State.Running}}' "$stack-web-1")" = true ] || fail "the previous web container is not running"
[ "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack" | wc -l)" -eq 3 ] || fail "leftover containers after rollback"
sed -i 's/command: no-such-binary/command: sleep 3600/' compose.yaml

# A first deploy that fails leaves nothing at all.
cat > "$work/broken.yaml" <<YAML
services:
  ok:
    image: $image
    command: ["sleep", "3600"]
    secrets: [fresh]
  bad:
    image: $image
    command: ["no-such-binary"]
    depends_on: [ok]
secrets:
  fresh:
    file: ./secrets/db_password.txt
YAML
"$stackup" deploy -c "$work/broken.yaml" "${stack}x" >/dev/null 2>&1 && fail "the broken stack deployed"
[ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=${stack}x")" ] || fail "the failed stack left containers"
[ -z "$(docker network ls -q --filter "label=com.docker.stack.namespace=${stack}x")" ] || fail "the failed stack left a network"
"$stackup" secret ls --format '{{.Name}}' | grep -q "${stack}x_fresh" && fail "the failed stack left its secret"
[ ! -e "/run/stackup/${stack}x" ] && [ ! -e "/run/stackup/${stack}x.lock" ] || fail "the failed stack left files in /run/stackup"

# The canaries are nowhere on disk but in the containers' tmpfs: not in the store, not in the engine's
# data, not in logs.
for place in "$STACKUP_STORE" /var/lib/docker "$work/deploy.log"; do
  grep -r -a -q -e "$canary_db" -e "$canary_key" "$place" 2>/dev/null && fail "a secret value is in $place"
done
docker logs "$stack-web-1" 2>&1 | grep -q -e "$canary_db" && fail "a secret value is in the container log"
grep -q "created secret ${stack}_db_password" "$work/deploy.log" || fail "the debug log is empty: the canary check proves nothing"

# No engine: a clear error, exit 1.
set +e
out=$(DOCKER_HOST=unix:///nonexistent/docker.sock "$stackup" ps "$stack" 2>&1); code=$?
set -e
[ "$code" -eq 1 ] && [ "$out" = "stackup: error: cannot connect to the Docker engine at unix:///nonexistent/docker.sock: there is no socket there: is the engine running? (or set DOCKER_HOST)" ] \
  || fail "no engine: exit $code: $out"

# driver: needs Swarm; the local orchestrator refuses it before touching anything.
printf 'services:\n  a:\n    image: %s\n    secrets: [vault]\nsecrets:\n  vault:\n    driver: vault\n' "$image" > "$work/driver.yaml"
set +e
out=$("$stackup" deploy -c "$work/driver.yaml" "${stack}x" 2>&1); code=$?
set -e
[ "$code" -eq 1 ] && grep -qF "secrets.vault.driver: driver and template_driver need Docker Swarm; the local orchestrator keeps secrets in stackup's store" <<<"$out" || fail "driver: $out"

# --prune removes services no longer in the file; without it they stay.
printf 'services:\n  keep:\n    image: %s\n    command: ["sleep", "3600"]\n    stop_signal: SIGKILL\n  drop:\n    image: %s\n    command: ["sleep", "3600"]\n    stop_signal: SIGKILL\n' "$image" "$image" > "$work/prune.yaml"
"$stackup" deploy -q -c "$work/prune.yaml" "${stack}x" || fail "prune stack"
printf 'services:\n  keep:\n    image: %s\n    command: ["sleep", "3600"]\n    stop_signal: SIGKILL\n' "$image" > "$work/prune.yaml"
"$stackup" deploy -q -c "$work/prune.yaml" "${stack}x" || fail "redeploy without prune"
docker inspect "${stack}x-drop-1" >/dev/null 2>&1 || fail "a service was removed without --prune"
"$stackup" deploy -q --prune -c "$work/prune.yaml" "${stack}x" || fail "redeploy with --prune"
docker inspect "${stack}x-drop-1" >/dev/null 2>&1 && fail "--prune left the dropped service"
docker inspect "${stack}x-keep-1" >/dev/null 2>&1 || fail "--prune removed a kept service"
"$stackup" down -q -t 0 "${stack}x" || fail "down of the prune stack"

# depends_on conditions: wait for a healthcheck, and for a one-shot job to complete.
cat > "$work/conditions.yaml" <<YAML
services:
  db:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD", "/bin/true"]
      interval: 1s
      retries: 3
  migrate:
    image: $image
    command: ["true"]
    depends_on:
      db:
        condition: service_healthy
  app:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    depends_on:
      migrate:
        condition: service_completed_successfully
YAML
"$stackup" deploy -c "$work/conditions.yaml" "${stack}x" >"$work/conditions.log" 2>&1 || { cat "$work/conditions.log"; fail "conditions deploy"; }
grep -q "Container ${stack}x-db-1 Waiting to be healthy" "$work/conditions.log" || fail "did not wait for db to be healthy"
grep -q "Container ${stack}x-migrate-1 Waiting to complete" "$work/conditions.log" || fail "did not wait for migrate"
[ "$(docker inspect -f '{{.State.Health.Status}}' "${stack}x-db-1")" = healthy ] || fail "db not healthy"
[ "$(docker inspect -f '{{.State.Running}}' "${stack}x-app-1")" = true ] || fail "app not running"
"$stackup" down -t 0 "${stack}x" >/dev/null 2>&1 || fail "down of the conditions stack"

# A container that is not the stack's keeps its network: down removes everything else, names it, and
# exits 1; once it is gone, down finishes.
docker run -d --name "${stack}-intruder" --network "${stack}_default" "$image" sleep 3600 >/dev/null
"$stackup" down -q "$stack" 2>"$work/down.err" && fail "down succeeded with a foreign container on its network"
expected="stackup: error: network ${stack}_default was left: containers that are not part of the stack use it (${stack}-intruder); disconnect them (docker network disconnect ${stack}_default CONTAINER) and run \`stackup down $stack\` again"
[ "$(cat "$work/down.err")" = "$expected" ] || fail "down's error: $(cat "$work/down.err")"
[ "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" = "" ] || fail "down left the stack's containers"
grep -q "/run/stackup/$stack" /proc/mounts && fail "down left a tmpfs mounted beside the foreign container"
docker rm -f "${stack}-intruder" >/dev/null

# down removes everything and wipes the secrets.
"$stackup" down "$stack" >/dev/null 2>&1 || fail "down"
[ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] || fail "down left containers"
[ -z "$(docker network ls -q --filter "label=com.docker.stack.namespace=$stack")" ] || fail "down left a network"
grep -q "/run/stackup/$stack" /proc/mounts && fail "down left a tmpfs mounted"
[ ! -e "/run/stackup/$stack" ] && [ ! -e "/run/stackup/$stack.lock" ] || fail "down left /run/stackup/$stack or its lock"
grep -r -a -q -e "$canary_db" -e "$canary_key" /var/lib/docker /run 2>/dev/null && fail "a secret value survived down"
"$stackup" secret rm "${stack}_db_password" >/dev/null || fail "secret still marked in use after down"
echo "deploy_engine: ok"
