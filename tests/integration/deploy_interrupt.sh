#!/usr/bin/env bash
# A deploy stopped by a signal rolls back: SIGINT on a first deploy leaves nothing, SIGTERM on a
# redeploy puts the previous containers back. A deploy killed with SIGKILL cannot clean up, so the
# next deploy of the stack removes what it left: the container it had set aside and unused secrets.
# Each deploy is caught while it waits for db to be healthy (db is healthy once /tmp/ready exists).
source "$(dirname "$0")/lib/engine_test.bash"
begin_stack sig
printf 'v1' > token.txt
cat > compose.yaml <<YAML
services:
  db:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    secrets: [token]
    healthcheck:
      test: ["CMD-SHELL", "[ -e /tmp/ready ]"]
      interval: 1s
      retries: 100
  web:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    depends_on:
      db: {condition: service_healthy}
YAML
printf 'secrets:\n  token:\n    file: ./token.txt\n' >> compose.yaml

stack_containers() { docker ps -aq --filter "label=com.docker.stack.namespace=$stack"; }
# Starts a deploy in the background and waits until it waits for db's health.
start_deploy() {
  rm -f "$work/deploy.log"  # else the wait below may read the previous deploy's log before this one starts
  "$stackup" deploy "$stack" >"$work/deploy.log" 2>&1 &
  deployer=$!
  for _ in $(seq 1 200); do grep -q "Waiting to be healthy" "$work/deploy.log" && return 0; sleep 0.05; done
  fail "the deploy never waited for db: $(cat "$work/deploy.log")"
}
make_ready() { docker exec "$stack-db-1" touch /tmp/ready; }

# SIGINT on a first deploy: exit 1, and nothing is left.
start_deploy
kill -INT "$deployer"
set +e; wait "$deployer"; code=$?; set -e
[ "$code" -eq 1 ] || fail "interrupted deploy: exit $code"
grep -qF "error: interrupted: the deploy was stopped and what it changed was rolled back" "$work/deploy.log" || fail "message: $(cat "$work/deploy.log")"
grep -qF "stackup: stopping at the next step and rolling back; interrupt again to quit at once" "$work/deploy.log" || fail "no notice: $(cat "$work/deploy.log")"
[ -z "$(stack_containers)" ] || fail "the interrupted first deploy left containers"
[ -z "$(docker network ls -q --filter "label=com.docker.stack.namespace=$stack")" ] || fail "it left a network"
[ ! -e "/run/stackup/$stack" ] && [ ! -e "/run/stackup/$stack.lock" ] || fail "it left files in /run/stackup"
[ -z "$("$stackup" secret ls --format '{{.Name}}')" ] || fail "it left its secret in the store"

# A deploy that completes.
start_deploy
make_ready
wait "$deployer" || fail "deploy: $(cat "$work/deploy.log")"
db_before=$(docker inspect -f '{{.Id}}' "$stack-db-1")
web_before=$(docker inspect -f '{{.Id}}' "$stack-web-1")

# SIGTERM on a redeploy: the previous containers are back, running, with the previous secret.
printf 'v2' > token.txt
start_deploy
kill -TERM "$deployer"
set +e; wait "$deployer"; code=$?; set -e
[ "$code" -eq 1 ] || fail "terminated redeploy: exit $code"
[ "$(docker inspect -f '{{.Id}} {{.State.Running}}' "$stack-db-1")" = "$db_before true" ] || fail "db was not put back"
[ "$(docker inspect -f '{{.Id}} {{.State.Running}}' "$stack-web-1")" = "$web_before true" ] || fail "web was not kept"
[ "$(stack_containers | wc -l)" -eq 2 ] || fail "the terminated redeploy left containers"
[ "$(docker exec "$stack-db-1" cat /run/secrets/token)" = v1 ] || fail "db lost its secret"
[ "$(ls /run/stackup/$stack | wc -l)" -eq 1 ] || fail "the terminated redeploy left secrets: $(ls /run/stackup/$stack)"

# SIGKILL on a redeploy leaves db set aside and a second secrets directory; the next deploy clears both.
start_deploy
kill -KILL "$deployer"
wait "$deployer" || true
docker ps -a --format '{{.Names}}' | grep -q "^$stack-db-1-replaced-" || fail "the killed deploy set nothing aside"
start_deploy
make_ready
wait "$deployer" || fail "deploy after a killed one: $(cat "$work/deploy.log")"
[ "$(stack_containers | wc -l)" -eq 2 ] || fail "the set-aside container is still there: $(docker ps -a --format '{{.Names}}')"
[ "$(ls /run/stackup/$stack | wc -l)" -eq 1 ] || fail "unused secrets are still there: $(ls /run/stackup/$stack)"
[ "$(docker exec "$stack-db-1" cat /run/secrets/token)" = v2 ] || fail "db has not the new secret"
echo "deploy_interrupt: ok"
