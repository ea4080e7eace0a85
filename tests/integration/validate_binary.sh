#!/usr/bin/env bash
# The real stackup binary on real files: exit codes, output on stdout, and the environment it reads.
set -euo pipefail
stackup=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")  # absolute: the checks below change directory
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Valid examples exit 0, with --strict too (their secret files exist).
for example in wordpress nginx-tls wordpress-advanced secret-rotation ucp-permission-labels dcos-path-spaces; do
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
# Only regular files are read: /dev/zero and a FIFO no one writes to are refused at once (exit 2).
mkfifo "$work/fifo.yaml"
for file in /dev/zero "$work/fifo.yaml"; do
  set +e
  out=$(cd "$work" && timeout 10 "$stackup" validate -c "$file" 2>&1); code=$?
  set -e
  [ "$code" -eq 2 ] || fail "$file: exit $code, want 2"
  grep -qxF "error: cannot read compose file $file: is not a regular file [file-unreadable]" <<<"$out" || fail "unexpected output: $out"
done

# A label stackup uses to find its own objects cannot come from a compose file: `down` would trust it.
cat > "$work/labels.yml" <<'YAML'
services:
  web:
    image: nginx
    labels: {com.stackup.secrets-directory: /etc}
YAML
set +e
out=$(cd "$work" && "$stackup" validate -c labels.yml 2>&1); code=$?
set -e
[ "$code" -eq 1 ] || fail "reserved label: exit $code, want 1"
grep -qF 'labels.yml:4:14: error: services.web.labels: label com.stackup.secrets-directory is reserved' <<<"$out" \
  || fail "unexpected output: $out"

# Hostile nesting is an error, not a crash: 20,000 nested ${A:-...} and 100,000 nested [.
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
with open(f"{work}/deep-interpolation.yml", "w") as out:
    out.write('services:\n  web:\n    image: "' + "${A:-" * 20000 + "nginx" + "}" * 20000 + '"\n')
with open(f"{work}/deep-yaml.yml", "w") as out:
    out.write("services:\n  web:\n    image: " + "[" * 100000 + "\n")
PY
for file in deep-interpolation.yml deep-yaml.yml; do
  set +e
  out=$(cd "$work" && "$stackup" validate -c "$file" 2>&1); code=$?
  set -e
  [ "$code" -eq 1 ] || fail "$file: exit $code, want 1: $out"
  grep -qF "levels deep" <<<"$out" || fail "unexpected output: $out"
done

# An empty environment secret is a warning, and an error with --strict.
set +e
out=$(cd "$work" && CANARY_TOKEN= "$stackup" validate --strict -c env-secret.yml 2>&1); code=$?
set -e
[ "$code" -eq 1 ] || fail "empty environment secret: exit $code, want 1"
grep -qF 'error: secrets.token.environment: environment variable "CANARY_TOKEN" is empty' <<<"$out" \
  || fail "unexpected output: $out"
echo "validate_binary: ok"
