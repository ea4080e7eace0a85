#!/usr/bin/env bash
# The real stackup binary on real files: exit codes, output on stdout, and the environment it reads.
set -euo pipefail
stackup=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Valid examples exit 0, with --strict too (their secret files exist).
for example in wordpress nginx-tls external-secret; do
  (cd "$root/examples/$example" && "$stackup" validate --strict >/dev/null) || fail "examples/$example is not valid"
done

# An invalid file exits 1 and says where.
cat > "$work/compose.yaml" <<'YAML'
services:
  web:
    image: nginx
    secrets: [missing]
YAML
set +e
out=$(cd "$work" && "$stackup" validate 2>&1); code=$?
set -e
[ "$code" -eq 1 ] || fail "invalid file: exit $code, want 1"
grep -qF 'compose.yaml:4:15: error: services.web.secrets[0].source: service "web" refers to undefined secret missing' <<<"$out" \
  || fail "unexpected output: $out"

# A missing file exits 2; a usage error exits 2.
set +e
(cd "$work" && "$stackup" validate -c nope.yaml >/dev/null 2>&1); code=$?
[ "$code" -eq 2 ] || fail "missing file: exit $code, want 2"
"$stackup" validate --bogus >/dev/null 2>&1; code=$?
[ "$code" -eq 2 ] || fail "usage error: exit $code, want 2"
set -e

# COMPOSE_FILE and .env are read; the process environment wins over .env.
cat > "$work/app.yml" <<'YAML'
services:
  web:
    image: "nginx:${TAG:?set TAG}"
YAML
echo "TAG=from-dotenv" > "$work/.env"
(cd "$work" && COMPOSE_FILE=app.yml "$stackup" config | grep -q "nginx:from-dotenv") || fail ".env not read"
(cd "$work" && TAG=from-env COMPOSE_FILE=app.yml "$stackup" config | grep -q "nginx:from-env") || fail "environment does not win"

# config never prints a secret's value, even for an environment-sourced secret.
cat > "$work/env-secret.yml" <<'YAML'
services:
  web:
    image: nginx
    secrets: [token]
secrets:
  token:
    environment: CANARY_TOKEN
YAML
out=$(cd "$work" && CANARY_TOKEN=canary-3f9a1c "$stackup" config -c env-secret.yml 2>&1)
grep -q "canary-3f9a1c" <<<"$out" && fail "config printed a secret value"
echo "validate_binary: ok"
