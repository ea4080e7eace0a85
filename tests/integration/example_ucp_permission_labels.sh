#!/usr/bin/env bash
# examples/ucp-permission-labels/README.md, step by step on a real engine (it FAILS without one), the
# images replaced by the offline stand-in: a labelled secret used by two services with the same
# permission label; a service without it refused by validate --store and by deploy, which creates
# nothing; secret inspect naming the users; the rotation to -v2 under the old target; rm of -v1.
source "$(dirname "$0")/lib/engine_test.bash"
source "$(dirname "$0")/lib/example_test.bash"
begin_example ucp-permission-labels ucp
db=$stack-wordpress-db-1 wp=$stack-wordpress-1
refusal='service "backup" may not use secret "wordpress-password-v1": the secret has permission label com.docker.ucp.access.label=blog, and the service has none; a service and a secret must have the same permission label (or each none): give the service the label com.docker.ucp.access.label=blog (in labels: or deploy.labels:)'

# 1. The password, labelled, from standard input.
printf 'password-one' | "$stackup" secret create --label com.docker.ucp.access.label=blog wordpress-password-v1 - >/dev/null 2>&1 \
  || fail "secret create"

# 2. validate --store.
expect_eq "validate --store" "$("$stackup" validate --store 2>&1)" \
  "compose.yaml, $root/tests/integration/stand-ins/ucp-permission-labels.yaml: valid (0 errors, 0 warnings)"

# 3. Deploy; both services see the password at the guide's path.
"$stackup" deploy -q "$stack" || fail "deploy"
expect_eq "wordpress's file" "$(docker exec "$wp" sh -c 'cat "$WORDPRESS_DB_PASSWORD_FILE"')" "password-one"
expect_eq "wordpress-db's file" "$(docker exec "$db" sh -c 'cat "$MYSQL_ROOT_PASSWORD_FILE"')" "password-one"

# 4. A service without the label: refused where it asks for the secret, and by deploy.
out=$(COMPOSE_FILE= "$stackup" validate --store -c intruder.yaml 2>&1) && fail "validate --store accepted the intruder"
expect_eq "validate --store intruder" "$(head -n 1 <<<"$out")" "intruder.yaml:7:9: error: services.backup.secrets[0]: $refusal [permission-label]"
out=$(COMPOSE_FILE= "$stackup" deploy -c intruder.yaml "${stack}x" 2>&1) && fail "deploy accepted the intruder"
expect_eq "deploy intruder" "$out" "stackup: error: $refusal"
[ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=${stack}x")" ] || fail "the refused deploy created a container"

# 5. secret inspect names the services to update.
expect_eq "used by" "$("$stackup" secret inspect wordpress-password-v1 | python3 -c 'import json, sys
print(" ".join(u["Stack"] + "/" + u["Service"] for u in json.load(sys.stdin)[0]["UsedBy"]))')" \
  "$stack/wordpress $stack/wordpress-db"

# 6. The rotation under the old target.
printf 'password-two' | "$stackup" secret create --label com.docker.ucp.access.label=blog wordpress-password-v2 - >/dev/null 2>&1 \
  || fail "secret create v2"
export WORDPRESS_PASSWORD_SECRET=wordpress-password-v2
expect_eq "rotation plan" "$("$stackup" deploy --dry-run "$stack" 2>&1)" "secret wordpress-password-v2: version 1 (external)
container $db: recreate (secret wordpress-password-v2 is new to it)
container $wp: recreate (secret wordpress-password-v2 is new to it)
dry run: nothing was changed"
"$stackup" deploy -q "$stack" || fail "rotation deploy"
expect_eq "rotated file" "$(docker exec "$wp" cat /run/secrets/wordpress-password-v1)" "password-two"
expect_eq "rotated db file" "$(docker exec "$db" cat /run/secrets/wordpress-password-v1)" "password-two"

# 7. The old version is no longer used: rm accepted.
"$stackup" secret rm wordpress-password-v1 >/dev/null || fail "secret rm of the unused v1"
"$stackup" down -q "$stack" || fail "down"
echo "example_ucp_permission_labels: ok"
