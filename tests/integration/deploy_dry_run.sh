#!/usr/bin/env bash
# `deploy --dry-run` prints the plan and changes nothing: no store, no engine object, no tmpfs, no
# lock file; values never appear. On a real engine (it FAILS without one).
source "$(dirname "$0")/lib/engine_test.bash"
begin_stack dry
canary="dry-canary-$$"
printf '%s' "$canary" > token.txt
cat > compose.yaml <<YAML
services:
  db:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    secrets: [token]
  web:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    depends_on: [db]
secrets:
  token:
    file: ./token.txt
YAML
nothing_of_the_stack() {
  [ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] || fail "$1: containers"
  [ -z "$(docker network ls -q --filter "label=com.docker.stack.namespace=$stack")" ] || fail "$1: a network"
  [ ! -e "/run/stackup/$stack" ] && [ ! -e "/run/stackup/$stack.lock" ] || fail "$1: files in /run/stackup"
}

# A first deploy, planned: everything is new; not even the store is created.
out=$("$stackup" deploy --dry-run "$stack" 2>&1) || fail "dry run: $out"
expected="secret ${stack}_token: version 1 (new)
network ${stack}_default: create
container $stack-db-1: create (new service)
container $stack-web-1: create (new service)
dry run: nothing was changed"
[ "$out" = "$expected" ] || fail "first plan: $out"
[ ! -e "$STACKUP_STORE" ] || fail "the dry run created the store"
nothing_of_the_stack "first dry run"

# After a deploy, a changed secret: its new version and exactly its user, recreated.
"$stackup" deploy -q "$stack" || fail "deploy"
printf '%s-2' "$canary" > token.txt
db=$(docker inspect -f '{{.Id}}' "$stack-db-1")
out=$("$stackup" deploy --dry-run "$stack" 2>&1) || fail "second dry run: $out"
expected="secret ${stack}_token: version 2 (content changed)
container $stack-db-1: recreate (secret ${stack}_token version 2)
container $stack-web-1: keep (unchanged)
dry run: nothing was changed"
[ "$out" = "$expected" ] || fail "second plan: $out"
grep -qF "$canary" <<<"$out" && fail "the value appeared in the plan"
[ "$("$stackup" secret inspect "${stack}_token" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Version"])')" = 1 ] \
  || fail "the dry run stored a version"
[ "$(docker inspect -f '{{.Id}}' "$stack-db-1")" = "$db" ] || fail "the dry run recreated db"
json=$("$stackup" deploy --dry-run --format json "$stack") || fail "json plan"
python3 - "$json" "$stack" <<'PY' || fail "json plan: $json"
import json, sys
plan, stack = json.loads(sys.argv[1]), sys.argv[2]
assert plan["stack"] == stack and plan["changes"] is True, plan
assert plan["actions"][0] == {"type": "secret", "name": stack + "_token", "action": "rotate",
                              "reason": "content changed", "version": 2}, plan["actions"][0]
assert plan["actions"][1]["action"] == "recreate", plan["actions"][1]
PY
"$stackup" deploy -q "$stack" || fail "deploy the change"
out=$("$stackup" deploy --dry-run "$stack" 2>&1) || fail "third dry run: $out"
grep -qx "dry run: nothing to change" <<<"$out" || fail "an unchanged stack: $out"

# A store with a database but no key yet (what `down` leaves on a new host): planning a content:
# config, which needs a keyed digest, does not create the key.
STACKUP_STORE="$work/keyless" "$stackup" down -q "${stack}k" >/dev/null 2>&1 || true
[ -e "$work/keyless/stackup.db" ] || fail "down made no database to test with"
printf 'services:\n  a:\n    image: %s\n    configs: [motd]\nconfigs:\n  motd:\n    content: hello\n' "$image" > content.yaml
STACKUP_STORE="$work/keyless" "$stackup" deploy --dry-run -c content.yaml "${stack}k" >/dev/null || fail "content dry run"
[ ! -e "$work/keyless/master.key" ] || fail "the dry run created the store's key"

# down --dry-run names what down would remove, and removes nothing.
out=$("$stackup" down --dry-run --secrets "$stack" 2>&1) || fail "down dry run: $out"
expected="container $stack-db-1: remove, its secrets wiped
container $stack-web-1: remove, its secrets wiped
network ${stack}_default: remove
secret ${stack}_token: remove from the store (--secrets)
dry run: nothing was changed"
[ "$out" = "$expected" ] || fail "down plan: $out"
[ "$(docker ps -q --filter "label=com.docker.stack.namespace=$stack" | wc -l)" -eq 2 ] || fail "down --dry-run removed containers"
"$stackup" secret inspect "${stack}_token" >/dev/null || fail "down --dry-run removed the secret"

# No engine: exit 1, and still nothing written.
"$stackup" down -q -t 0 --secrets "$stack" || fail "down"
set +e
out=$(DOCKER_HOST=unix:///nonexistent.sock "$stackup" deploy --dry-run "$stack" 2>&1); code=$?
set -e
[ "$code" -eq 1 ] || fail "dry run without an engine: exit $code: $out"
nothing_of_the_stack "dry run without an engine"
echo "deploy_dry_run: ok"
