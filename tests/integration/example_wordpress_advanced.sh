#!/usr/bin/env bash
# examples/wordpress-advanced/README.md, step by step on a real engine (it FAILS without one), the
# images replaced by the offline stand-in: passwords made in the store from standard input, used as
# external secrets under other file names; the guide's rotation to mysql_password_v2 under the old
# targets; `secret rm` of the old password refused while deployed services use it, accepted after.
source "$(dirname "$0")/lib/engine_test.bash"
source "$(dirname "$0")/lib/example_test.bash"
begin_example wordpress-advanced wpadv
mysql=$stack-mysql-1 wordpress=$stack-wordpress-1
# The services of the stack, as the refusal names them.
in_use="stackup: error: secret 'mysql_password' is in use by the following services: ${stack}_mysql, ${stack}_wordpress"
# holds CONTAINER COMMAND SECRET: what COMMAND prints in CONTAINER is the store's value of SECRET
# (the README's `cmp <(docker exec ...) <(stackup secret reveal ...)`).
holds() { cmp -s <(docker exec "$1" sh -c "$2") <("$stackup" secret reveal "$3"); }
nothing_of_the_stack() {
  [ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] || fail "$1: containers"
  [ -z "$(docker network ls -q --filter "label=com.docker.stack.namespace=$stack")" ] || fail "$1: a network"
  [ -z "$(docker volume ls -q --filter "name=${stack}_")" ] || fail "$1: volumes"
}

# 1. Offline check.
expect_eq "validate" "$("$stackup" validate --strict 2>&1)" \
  "compose.yaml, $root/tests/integration/stand-ins/wordpress-advanced.yaml: valid (0 errors, 0 warnings)"

# 2. Without the passwords in the store, the deploy stops before it creates anything.
set +e
out=$("$stackup" deploy "$stack" 2>&1); code=$?
set -e
[ "$code" -eq 1 ] || fail "deploy without the passwords: exit $code"
expect_eq "deploy without the passwords" "$out" \
  "stackup: error: secret not found: mysql_root_password; create it first: stackup secret create mysql_root_password FILE
stackup: error: secret not found: mysql_password; create it first: stackup secret create mysql_password FILE"
nothing_of_the_stack "a deploy that was refused"

# 3. The passwords, from standard input; secret create prints an ID, secret ls the two.
for name in mysql_password mysql_root_password; do
  id=$(openssl rand -base64 20 | "$stackup" secret create "$name" - 2>/dev/null) || fail "secret create $name"
  [[ "$id" =~ ^[0-9a-z]{25}$ ]] || fail "secret create $name printed: $id"
done
expect_eq "secret ls" "$("$stackup" secret ls | awk 'NR > 1 { print $2, $3 }')" "mysql_password 1
mysql_root_password 1"

# 4. Plan, deploy, ps.
expect_eq "dry run" "$("$stackup" deploy --dry-run "$stack" 2>&1)" \
  "secret mysql_password: version 1 (external)
secret mysql_root_password: version 1 (external)
network ${stack}_mysql_private: create
volume ${stack}_mydata: create
volume ${stack}_wpdata: create
container $mysql: create (new service)
container $wordpress: create (new service)
dry run: nothing was changed"
out=$("$stackup" deploy "$stack" 2>&1) || fail "deploy: $out"
expect_eq "deploy" "$(final_statuses <<<"$out")" "$(sort <<EOF
 Network ${stack}_mysql_private Created
 Volume ${stack}_mydata Created
 Volume ${stack}_wpdata Created
 Container $mysql Started
 Container $wordpress Started
EOF
)"
expect_eq "ps" "$("$stackup" ps "$stack" | awk 'NR > 1 { print $1, $2, $3, $4 }')" \
  "$mysql mysql $image Up
$wordpress wordpress $image Up"

# 5. From inside.
expect_eq "wp_db_password" "$(docker exec "$wordpress" stat -c '%u %g %a %n' /run/secrets/wp_db_password)" \
  "0 0 400 /run/secrets/wp_db_password"
holds "$wordpress" 'cat "$WORDPRESS_DB_PASSWORD_FILE"' mysql_password || fail "WORDPRESS_DB_PASSWORD_FILE"
expect_eq "mysql's secrets" "$(docker exec "$mysql" ls /run/secrets)" "mysql_password
mysql_root_password"
# Beyond the README: mysql's *_FILE variables name the store's values; wordpress sees neither of
# mysql's file names; secret inspect names the stack's services that use the password.
holds "$mysql" 'cat "$MYSQL_PASSWORD_FILE"' mysql_password || fail "MYSQL_PASSWORD_FILE"
holds "$mysql" 'cat "$MYSQL_ROOT_PASSWORD_FILE"' mysql_root_password || fail "MYSQL_ROOT_PASSWORD_FILE"
expect_eq "wordpress's secrets" "$(docker exec "$wordpress" ls /run/secrets)" "wp_db_password"
used_by() {
  "$stackup" secret inspect "$1" | python3 -c 'import json, sys
print(" ".join(use["Stack"] + "/" + use["Service"] for use in json.load(sys.stdin)[0]["UsedBy"]))'
}
expect_eq "UsedBy" "$(used_by mysql_password)" "$stack/mysql $stack/wordpress"

# 6. The new password.
openssl rand -base64 20 | "$stackup" secret create mysql_password_v2 - >/dev/null 2>&1 || fail "secret create v2"

# 7. Removing the old one is refused, and changes nothing.
set +e
out=$("$stackup" secret rm mysql_password 2>&1); code=$?
set -e
[ "$code" -eq 1 ] || fail "secret rm while in use: exit $code"
expect_eq "secret rm while in use" "$out" "$in_use"
"$stackup" secret inspect mysql_password >/dev/null 2>&1 || fail "a refused secret rm removed the secret"

# 8. The services switched to v2 under their old targets.
cp compose.v2.yaml compose.yaml

# 9. Plan and deploy: both recreated, with v2 at the old file names.
expect_eq "rotation dry run" "$("$stackup" deploy --dry-run "$stack" 2>&1)" \
  "secret mysql_password_v2: version 1 (external)
secret mysql_root_password: version 1 (external)
container $mysql: recreate (secret mysql_password_v2 is new to it)
container $wordpress: recreate (secret mysql_password_v2 is new to it)
dry run: nothing was changed"
out=$("$stackup" deploy "$stack" 2>&1) || fail "rotation deploy: $out"
expect_eq "rotation deploy" "$(final_statuses <<<"$out")" "$(sort <<EOF
 Container $mysql Recreated
 Container $wordpress Recreated
EOF
)"
holds "$wordpress" 'cat /run/secrets/wp_db_password' mysql_password_v2 || fail "wp_db_password is not v2"
expect_eq "wp_db_password after the rotation" \
  "$(docker exec "$wordpress" stat -c '%u %g %a %n' /run/secrets/wp_db_password)" "0 0 400 /run/secrets/wp_db_password"
# Beyond the README: mysql's mysql_password is v2 too, and the *_FILE variables did not change.
holds "$mysql" 'cat "$MYSQL_PASSWORD_FILE"' mysql_password_v2 || fail "mysql's mysql_password is not v2"
cmp -s <("$stackup" secret reveal mysql_password) <("$stackup" secret reveal mysql_password_v2) && fail "v2 is the old password"

# 10. Nothing uses the old password now: it goes.
expect_eq "secret rm after the rotation" "$("$stackup" secret rm mysql_password 2>&1)" "mysql_password"

# 11. Down with volumes and --secrets: the external secrets stay; then they are removed by name.
out=$("$stackup" down "$stack" --volumes --secrets 2>&1) || fail "down: $out"
expect_eq "down" "$(final_statuses <<<"$out")" "$(sort <<EOF
 Container $mysql Removed
 Container $wordpress Removed
 Network ${stack}_mysql_private Removed
 Volume ${stack}_mydata Removed
 Volume ${stack}_wpdata Removed
EOF
)"
nothing_of_the_stack "down"
expect_eq "external secrets after down --secrets" "$("$stackup" secret ls --format '{{.Name}}')" "mysql_password_v2
mysql_root_password"
expect_eq "secret rm" "$("$stackup" secret rm mysql_password_v2 mysql_root_password 2>&1)" "mysql_password_v2
mysql_root_password"
[ -z "$("$stackup" secret ls --format '{{.Name}}')" ] || fail "secrets are left in the store"
echo "example_wordpress_advanced: ok"
