#!/usr/bin/env bash
# examples/secret-rotation/README.md, step by step on a real engine (it FAILS without one): a
# `secret rotate` from standard input and a changed file each reach, at the next deploy, exactly the
# containers that use them, with the same target and mode; the other container is left running.
# The example runs the offline test image itself: no stand-in.
source "$(dirname "$0")/lib/engine_test.bash"
source "$(dirname "$0")/lib/example_test.bash"
begin_example secret-rotation rot
api=$stack-api-1 web=$stack-web-1

# 1. Offline check, and the external token from standard input (secret create prints its ID).
expect_eq "validate" "$("$stackup" validate --strict 2>&1)" "compose.yaml: valid (0 errors, 0 warnings)"
id=$(printf 'demo-token-1' | "$stackup" secret create api_token - 2>/dev/null) || fail "secret create"
[[ "$id" =~ ^[0-9a-z]{25}$ ]] || fail "secret create printed: $id"

# 2. Plan, deploy, and each service's value through its *_FILE variable.
expect_eq "dry run" "$("$stackup" deploy --dry-run "$stack" 2>&1)" \
  "secret api_token: version 1 (external)
secret ${stack}_session_key: version 1 (new)
network ${stack}_default: create
container $api: create (new service)
container $web: create (new service)
dry run: nothing was changed"
out=$("$stackup" deploy "$stack" 2>&1) || fail "deploy: $out"
expect_eq "deploy" "$(final_statuses <<<"$out")" "$(sort <<EOF
 Secret ${stack}_session_key Created
 Network ${stack}_default Created
 Container $api Started
 Container $web Started
EOF
)"
expect_eq "API_TOKEN_FILE" "$(docker exec "$api" sh -c 'cat "$API_TOKEN_FILE"')" "demo-token-1"
expect_eq "SESSION_KEY_FILE" "$(docker exec "$web" sh -c 'cat "$SESSION_KEY_FILE"')" "demo-session-key-1"
# Beyond the README: each service holds only its own secret.
expect_eq "api's secrets" "$(docker exec "$api" ls /run/secrets)" "api_token"
expect_eq "web's secrets" "$(docker exec "$web" ls /run/secrets)" "session_key"
api_before=$(container_id "$api") web_before=$(container_id "$web")

# 3. A new version of the external secret; the running container keeps the value it was given.
expect_eq "secret rotate" "$(printf 'demo-token-2' | "$stackup" secret rotate api_token - 2>&1)" "$id version 2"
expect_eq "before the deploy" "$(docker exec "$api" cat /run/secrets/api_token)" "demo-token-1"

# 4. The plan: api recreated, web kept.
expect_eq "rotate dry run" "$("$stackup" deploy --dry-run "$stack" 2>&1)" \
  "secret api_token: version 2 (external)
secret ${stack}_session_key: version 1 (unchanged)
container $api: recreate (secret api_token version 2)
container $web: keep (unchanged)
dry run: nothing was changed"

# 5. Applied: the new value at the same target with the same mode; web's container untouched.
out=$("$stackup" deploy "$stack" 2>&1) || fail "rotate deploy: $out"
expect_eq "rotate deploy" "$(final_statuses <<<"$out")" "$(sort <<EOF
 Container $api Recreated
 Container $web Running (unchanged)
EOF
)"
expect_eq "api_token's owner and mode" "$(docker exec "$api" stat -c '%u %g %a %n' /run/secrets/api_token)" \
  "0 0 400 /run/secrets/api_token"
expect_eq "rotated token" "$(docker exec "$api" cat /run/secrets/api_token)" "demo-token-2"
expect_eq "the old version" "$("$stackup" secret reveal api_token --version 1)" "demo-token-1"
[ "$(container_id "$api")" != "$api_before" ] || fail "api was not recreated"
[ "$(container_id "$web")" = "$web_before" ] || fail "web was recreated, though it does not use api_token"
api_before=$(container_id "$api")

# 6. A changed file: the plan recreates web only.
printf 'demo-session-key-2' > secrets/session_key.txt
expect_eq "file dry run" "$("$stackup" deploy --dry-run "$stack" 2>&1)" \
  "secret api_token: version 2 (external)
secret ${stack}_session_key: version 2 (content changed)
container $api: keep (unchanged)
container $web: recreate (secret ${stack}_session_key version 2)
dry run: nothing was changed"

# 7. Applied.
out=$("$stackup" deploy "$stack" 2>&1) || fail "file deploy: $out"
expect_eq "file deploy" "$(final_statuses <<<"$out")" "$(sort <<EOF
 Secret ${stack}_session_key Rotated to version 2
 Container $api Running (unchanged)
 Container $web Recreated
EOF
)"
expect_eq "rotated session key" "$(docker exec "$web" cat /run/secrets/session_key)" "demo-session-key-2"
[ "$(container_id "$web")" != "$web_before" ] || fail "web was not recreated"
[ "$(container_id "$api")" = "$api_before" ] || fail "api was recreated, though it does not use session_key"

# 8. History, then a rollback that the next deploy brings to api.
"$stackup" secret history api_token | head -n 1 | grep -q '^VERSION  *CREATED  *HOW  *BY  *SIZE  *HELD BY$' || fail "history table"
expect_eq "history json" "$("$stackup" secret history api_token --format json | python3 -c 'import json, sys
print([(v["Version"], v["How"], v["HeldBy"]) for v in json.load(sys.stdin)])')" \
  "[(1, 'create', []), (2, 'rotate', ['$stack/api'])]"
expect_eq "rollback" "$("$stackup" secret rollback api_token 2>&1)" "$id version 3"
"$stackup" deploy -q "$stack" || fail "deploy after the rollback"
expect_eq "rolled back token" "$(docker exec "$api" cat /run/secrets/api_token)" "demo-token-1"
expect_eq "history after" "$("$stackup" secret history api_token --format json | python3 -c 'import json, sys
print(json.load(sys.stdin)[-1]["How"])')" "rollback to version 1"

# 9. A file secret's source of truth is its file: no rollback.
out=$("$stackup" secret rollback "${stack}_session_key" 2>&1) && fail "rollback of a file secret succeeded"
expect_eq "rollback of a file secret" "$out" "stackup: error: secret ${stack}_session_key comes from stack $stack's compose file (a file:, environment: or x-stackup.command source), which is the source of truth, so rollback does not apply: put the old value back at that source and deploy"

# 10. Down: the stack's secret goes, the external token stays until removed by name.
out=$("$stackup" down "$stack" --secrets 2>&1) || fail "down: $out"
expect_eq "down" "$(final_statuses <<<"$out")" "$(sort <<EOF
 Container $api Removed
 Container $web Removed
 Network ${stack}_default Removed
 Secret ${stack}_session_key Removed
EOF
)"
[ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] || fail "containers are left"
expect_eq "secret rm" "$("$stackup" secret rm api_token 2>&1)" "api_token"
printf 'demo-session-key-1' > secrets/session_key.txt
[ -z "$("$stackup" secret ls --format '{{.Name}}')" ] || fail "secrets are left in the store"
echo "example_secret_rotation: ok"
