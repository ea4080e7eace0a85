#!/usr/bin/env bash
# examples/nginx-tls/README.md, step by step on a real engine (it FAILS without one), nginx replaced
# by the offline stand-in: a freshly made key and certificate and the site configuration reach their
# absolute targets with their owner and mode.
source "$(dirname "$0")/lib/engine_test.bash"
source "$(dirname "$0")/lib/example_test.bash"
begin_example nginx-tls tls

# 1. A real key and certificate in place of the placeholders.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout secrets/site.key -out secrets/site.crt 2>/dev/null || fail "openssl"

# 2. Offline check.
expect_eq "validate" "$("$stackup" validate --strict 2>&1)" \
  "compose.yaml, $root/tests/integration/stand-ins/nginx-tls.yaml: valid (0 errors, 0 warnings)"

# 3. The plan (no image line: the stand-in image is here already).
expect_eq "dry run" "$("$stackup" deploy --dry-run "$stack" 2>&1)" \
  "secret ${stack}_site.conf: version 1 (new)
secret ${stack}_site.crt: version 1 (new)
secret ${stack}_site.key: version 1 (new)
network ${stack}_default: create
container $stack-web-1: create (new service)
dry run: nothing was changed"

# 4. Deploy (a new store: stackup first says where its key is), and ps.
out=$("$stackup" deploy "$stack" 2>&1) || fail "deploy: $out"
expect_eq "deploy" "$(final_statuses <<<"$out")" "$(sort <<EOF
stackup: created the secret store's key at $STACKUP_STORE/master.key; back it up: without it the secrets cannot be read
 Secret ${stack}_site.conf Created
 Secret ${stack}_site.crt Created
 Secret ${stack}_site.key Created
 Network ${stack}_default Created
 Container $stack-web-1 Started
EOF
)"
expect_eq "ps" "$("$stackup" ps "$stack" | awk 'NR > 1 { print $1, $2, $3, $4 }')" "$stack-web-1 web $image Up"

# 5. From inside.
expect_eq "owners and modes" \
  "$(docker exec "$stack-web-1" stat -c '%u %g %a %n' /etc/nginx/tls/site.key /etc/nginx/tls/site.crt /etc/nginx/conf.d/site.conf)" \
  "101 101 400 /etc/nginx/tls/site.key
0 0 444 /etc/nginx/tls/site.crt
0 0 444 /etc/nginx/conf.d/site.conf"
expect_eq "read-only tmpfs" "$(docker exec "$stack-web-1" grep -c ' /etc/nginx/[a-z.]*/site\.[a-z]* tmpfs ro,' /proc/mounts)" "3"
expect_eq "certificate" \
  "$(docker exec "$stack-web-1" cat /etc/nginx/tls/site.crt | cmp - secrets/site.crt && echo same)" "same"
# Beyond the README: the key and the configuration are the files too, and nothing else is mounted.
docker exec "$stack-web-1" cat /etc/nginx/tls/site.key | cmp -s - secrets/site.key || fail "the key differs"
docker exec "$stack-web-1" cat /etc/nginx/conf.d/site.conf | cmp -s - secrets/site.conf || fail "site.conf differs"
in_container "$stack-web-1" 'test ! -e /run/secrets' || fail "/run/secrets exists: every target is absolute"

# 6. Down, with the stack's secrets.
out=$("$stackup" down "$stack" --secrets 2>&1) || fail "down: $out"
expect_eq "down" "$(final_statuses <<<"$out")" "$(sort <<EOF
 Container $stack-web-1 Removed
 Network ${stack}_default Removed
 Secret ${stack}_site.conf Removed
 Secret ${stack}_site.crt Removed
 Secret ${stack}_site.key Removed
EOF
)"
[ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] || fail "the container is left"
[ -z "$("$stackup" secret ls --format '{{.Name}}')" ] || fail "secrets are left in the store"
echo "example_nginx_tls: ok"
