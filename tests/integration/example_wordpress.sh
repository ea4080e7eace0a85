#!/usr/bin/env bash
# examples/wordpress/README.md, step by step on a real engine (it FAILS without one), the images
# replaced by the offline stand-in: the file secrets reach each container with their owner and
# mode, through the *_FILE variables, and down takes everything away.
source "$(dirname "$0")/lib/engine_test.bash"
source "$(dirname "$0")/lib/example_test.bash"
begin_example wordpress wp

# 1. Offline check.
expect_eq "validate" "$("$stackup" validate --strict 2>&1)" \
  "compose.yaml, $root/tests/integration/stand-ins/wordpress.yaml: valid (0 errors, 0 warnings)"

# 2. The plan (no image line: the stand-in image is here already).
expect_eq "dry run" "$("$stackup" deploy --dry-run "$stack" 2>&1)" \
  "secret ${stack}_db_password: version 1 (new)
secret ${stack}_db_root_password: version 1 (new)
network ${stack}_default: create
volume ${stack}_db_data: create
container $stack-db-1: create (new service)
container $stack-wordpress-1: create (new service)
dry run: nothing was changed"
[ ! -e "$STACKUP_STORE" ] || fail "the dry run created the store"

# 3. Deploy (a new store: stackup first says where its key is).
out=$("$stackup" deploy "$stack" 2>&1) || fail "deploy: $out"
expect_eq "deploy" "$(final_statuses <<<"$out")" "$(sort <<EOF
stackup: created the secret store's key at $STACKUP_STORE/master.key; back it up: without it the secrets cannot be read
 Secret ${stack}_db_password Created
 Secret ${stack}_db_root_password Created
 Network ${stack}_default Created
 Volume ${stack}_db_data Created
 Container $stack-db-1 Started
 Container $stack-wordpress-1 Started
EOF
)"

# 4. ps: the columns hold the stand-in's image; the status is a running time.
expect_eq "ps" "$("$stackup" ps "$stack" | awk 'NR > 1 { print $1, $2, $3, $4 }')" \
  "$stack-db-1 db $image Up
$stack-wordpress-1 wordpress $image Up"

# 5. From inside: owners, modes, what each service sees, the *_FILE variables, read-only tmpfs.
expect_eq "db's secrets" \
  "$(docker exec "$stack-db-1" stat -c '%u %g %a %n' /run/secrets/db_password /run/secrets/db_root_password)" \
  "999 999 400 /run/secrets/db_password
999 999 400 /run/secrets/db_root_password"
expect_eq "wordpress's secrets" "$(docker exec "$stack-wordpress-1" ls /run/secrets)" "db_password"
expect_eq "WORDPRESS_DB_PASSWORD_FILE" "$(docker exec "$stack-wordpress-1" sh -c 'cat "$WORDPRESS_DB_PASSWORD_FILE"')" \
  "demo-wordpress-password"
expect_eq "read-only tmpfs" "$(docker exec "$stack-wordpress-1" grep -c ' /run/secrets/db_password tmpfs ro,' /proc/mounts)" "1"
# Beyond the README: db's *_FILE variables name the files it holds, wordpress's default owner and mode.
expect_eq "MYSQL_*_FILE" "$(in_container "$stack-db-1" 'cat "$MYSQL_PASSWORD_FILE"; echo; cat "$MYSQL_ROOT_PASSWORD_FILE"')" \
  "demo-wordpress-password
demo-root-password"
expect_eq "wordpress's owner and mode" "$(docker exec "$stack-wordpress-1" stat -c '%u %g %a' /run/secrets/db_password)" "0 0 444"

# 6. Down, with the volume and the stack's secrets.
out=$("$stackup" down "$stack" --volumes --secrets 2>&1) || fail "down: $out"
expect_eq "down" "$(final_statuses <<<"$out")" "$(sort <<EOF
 Container $stack-wordpress-1 Removed
 Container $stack-db-1 Removed
 Network ${stack}_default Removed
 Volume ${stack}_db_data Removed
 Secret ${stack}_db_password Removed
 Secret ${stack}_db_root_password Removed
EOF
)"
[ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] || fail "containers are left"
[ -z "$(docker volume ls -q --filter "name=${stack}_")" ] || fail "the volume is left"
[ -z "$("$stackup" secret ls --format '{{.Name}}')" ] || fail "secrets are left in the store"
[ ! -e "/run/stackup/$stack" ] || fail "secrets directories are left in /run/stackup"
echo "example_wordpress: ok"
