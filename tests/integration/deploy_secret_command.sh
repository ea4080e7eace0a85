#!/usr/bin/env bash
# Values from a real password manager (Debian's pass, with a throwaway GPG key made here), on a real
# engine (it FAILS without one): deploy runs `pass show` without a shell, the container gets the
# value; an unchanged value adds no version, a changed one a new version and exactly its users
# recreated; a failing command is a clear error and nothing is created; the value is never in the
# audit log, the history or stackup's output.
source "$(dirname "$0")/lib/engine_test.bash"
begin_stack cmd
export GNUPGHOME="$work/gnupg" PASSWORD_STORE_DIR="$work/pass"
trap '"$stackup" down -q -t 0 --secrets "$stack" >/dev/null 2>&1 || true; gpgconf --kill gpg-agent 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -m 700 "$GNUPGHOME"
gpg --batch --pinentry-mode loopback --passphrase '' --quick-gen-key "stackup test <test@stackup.invalid>" default default never \
  >/dev/null 2>&1 || fail "cannot make a GPG key"
pass init "test@stackup.invalid" >/dev/null || fail "pass init"
canary="pass-canary-$$"
printf '%s\n' "$canary" | pass insert -m shop/db >/dev/null || fail "pass insert"

cat > compose.yaml <<YAML
services:
  db:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    secrets: [db_password]
  web:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
secrets:
  db_password:
    x-stackup:
      command: [pass, show, shop/db]
      timeout: 20s
YAML
"$stackup" validate -q || fail "validate"
out=$("$stackup" deploy "$stack" 2>&1) || fail "deploy: $out"
grep -qF "$canary" <<<"$out" && fail "the value is in deploy's output"
[ "$(docker exec "$stack-db-1" cat /run/secrets/db_password)" = "$canary" ] || fail "the container's value"
db=$(docker inspect -f '{{.Id}}' "$stack-db-1")

"$stackup" deploy -q "$stack" || fail "redeploy"
[ "$("$stackup" secret inspect "${stack}_db_password" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["Version"])')" = 1 ] \
  || fail "an unchanged value added a version"
[ "$(docker inspect -f '{{.Id}}' "$stack-db-1")" = "$db" ] || fail "an unchanged value recreated db"

printf '%s-2\n' "$canary" | pass insert -m -f shop/db >/dev/null || fail "pass insert -f"
"$stackup" deploy -q "$stack" || fail "deploy of the changed value"
[ "$(docker exec "$stack-db-1" cat /run/secrets/db_password)" = "$canary-2" ] || fail "the changed value"
[ "$("$stackup" secret history "${stack}_db_password" --format json | python3 -c 'import json, sys
print([v["How"] for v in json.load(sys.stdin)])')" = "['deploy', 'deploy']" ] || fail "history"

# A failing command: a clear error naming the secret and the command's own words; nothing created.
sed -i 's|command: \[pass, show, shop/db\]|command: [pass, show, shop/missing]|' compose.yaml
out=$("$stackup" deploy -q "${stack}x" 2>&1) && fail "a failing command deployed"
[ "$out" = "stackup: error: secret \"db_password\": pass show shop/missing exited with code 1: Error: shop/missing is not in the password store." ] \
  || fail "failing command: $out"
[ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=${stack}x")" ] || fail "the failed deploy created a container"

for text in "$("$stackup" audit --format json)" "$("$stackup" secret history "${stack}_db_password" --format json)"; do
  grep -qF "$canary" <<<"$text" && fail "the value is in the audit log or the history"
done
echo "deploy_secret_command: ok"
