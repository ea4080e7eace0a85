#!/usr/bin/env bash
# The secret store through the real binary, on a real database file.
set -euo pipefail
stackup=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_error() {  # expected stderr line, then the command
  local want=$1; shift
  set +e
  local got
  got=$("$@" 2>&1 >/dev/null); local code=$?
  set -e
  [ "$code" -eq 1 ] || fail "exit $code, want 1: $*"
  [ "$got" = "$want" ] || fail "stderr: '$got', want '$want'"
}
export STACKUP_STORE="$work/store"
canary="canary-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# Round trip: standard input and a file; ls and inspect never show values.
printf '%s' "$canary" | "$stackup" --log-level debug secret create app/db-password - --label team=data 2>"$work/debug.log" >/dev/null
[ "$("$stackup" secret reveal app/db-password)" = "$canary" ] || fail "reveal after create"
printf 'second value' > "$work/v2"
"$stackup" secret rotate app/db-password "$work/v2" >/dev/null
[ "$("$stackup" secret reveal app/db-password)" = "second value" ] || fail "reveal after rotate"
[ "$("$stackup" secret reveal app/db-password --version 1)" = "$canary" ] || fail "reveal of version 1"
"$stackup" secret ls | grep -q "app/db-password .* 2 " || fail "ls"
"$stackup" secret inspect app/db-password | grep -q '"Size": 12' || fail "inspect"
("$stackup" secret ls --format json; "$stackup" secret inspect app/db-password) | grep -q "$canary" && fail "metadata shows a value"
[ "$(stat -c %a "$STACKUP_STORE")" = 700 ] || fail "store directory mode"
[ "$(stat -c %a "$STACKUP_STORE/stackup.db")" = 600 ] || fail "database mode"
[ "$(stat -c %a "$STACKUP_STORE/master.key")" = 600 ] || fail "key file mode"

# Limits and names.
head -c 511999 /dev/zero | tr '\0' x > "$work/largest"
"$stackup" secret create largest "$work/largest" >/dev/null || fail "511999 bytes refused"
head -c 512000 /dev/zero | tr '\0' x > "$work/too-big"
expect_error "stackup: error: secret data must be larger than 0 and less than 512000 bytes" \
  "$stackup" secret create too-big "$work/too-big"
: > "$work/empty"
expect_error "stackup: error: secret data must be larger than 0 and less than 512000 bytes" \
  "$stackup" secret create empty "$work/empty"
expect_error "stackup: error: secret app/db-password already exists" "$stackup" secret create app/db-password "$work/v2"
expect_error "stackup: error: invalid secret name \"team//x\": only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]; group names with '/' (team/app/db-password)" \
  "$stackup" secret create team//x "$work/v2"
expect_error "stackup: error: secret not found: nope" "$stackup" secret rm nope

# A wrong key: a clear error, no value on stdout.
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/other.key"; chmod 600 "$work/other.key"
expect_error "stackup: error: cannot unlock the secret store at $STACKUP_STORE: wrong key or passphrase" \
  env STACKUP_KEY_FILE="$work/other.key" "$stackup" secret reveal app/db-password

# Permissions are checked as ssh does.
chmod 644 "$STACKUP_STORE/master.key"
expect_error "stackup: error: cannot unlock the secret store at $STACKUP_STORE: permissions 0644 for $STACKUP_STORE/master.key are too open: other users could read it; run: chmod 600 $STACKUP_STORE/master.key" \
  "$stackup" secret reveal app/db-password
chmod 600 "$STACKUP_STORE/master.key"
chmod 755 "$STACKUP_STORE"
expect_error "stackup: error: permissions 0755 for $STACKUP_STORE are too open: other users could read it; run: chmod 700 $STACKUP_STORE" \
  "$stackup" secret ls
chmod 700 "$STACKUP_STORE"

# Tampering: a flipped byte, and a ciphertext moved to another secret's row, both fail to open.
"$stackup" secret create other "$work/v2" >/dev/null
python3 - "$STACKUP_STORE/stackup.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
sealed = db.execute("SELECT v.sealed FROM versions v JOIN secrets s ON s.id = v.secret_id WHERE s.name = 'app/db-password' AND v.version = 2").fetchone()[0]
flipped = bytearray(sealed); flipped[20] ^= 1
db.execute("UPDATE versions SET sealed = ? WHERE version = 2 AND secret_id = (SELECT id FROM secrets WHERE name = 'app/db-password')", (bytes(flipped),))
db.execute("UPDATE versions SET sealed = (SELECT v.sealed FROM versions v JOIN secrets s ON s.id = v.secret_id WHERE s.name = 'app/db-password' AND v.version = 1) WHERE secret_id = (SELECT id FROM secrets WHERE name = 'other')")
db.commit()
PY
expect_error "stackup: error: integrity check failed for secret 'app/db-password' (version 2)" "$stackup" secret reveal app/db-password
expect_error "stackup: error: integrity check failed for secret 'other' (version 1)" "$stackup" secret reveal other

# Passphrase mode and rekey, in a second store.
export STACKUP_STORE="$work/locked"
printf 'correct horse battery staple\n' > "$work/pass"; printf 'wrong\n' > "$work/wrong"; printf 'new passphrase\n' > "$work/new"
chmod 600 "$work/pass" "$work/wrong" "$work/new"
STACKUP_PASSPHRASE_FILE="$work/pass" "$stackup" store init --passphrase >/dev/null
[ ! -e "$STACKUP_STORE/master.key" ] || fail "passphrase store has a key file"
printf '%s' "$canary" | STACKUP_PASSPHRASE_FILE="$work/pass" "$stackup" secret create locked - >/dev/null
expect_error "stackup: error: cannot unlock the secret store at $STACKUP_STORE: wrong key or passphrase" \
  env STACKUP_PASSPHRASE_FILE="$work/wrong" "$stackup" secret reveal locked
expect_error "stackup: error: cannot unlock the secret store at $STACKUP_STORE: no terminal to ask for the passphrase on; set STACKUP_PASSPHRASE_FILE" \
  setsid "$stackup" secret reveal locked
STACKUP_PASSPHRASE_FILE="$work/pass" STACKUP_NEW_PASSPHRASE_FILE="$work/new" "$stackup" store rekey --passphrase >/dev/null
[ "$(STACKUP_PASSPHRASE_FILE="$work/new" "$stackup" secret reveal locked)" = "$canary" ] || fail "reveal after rekey"
STACKUP_PASSPHRASE_FILE="$work/new" "$stackup" store rekey --key-file >/dev/null 2>&1
[ "$("$stackup" secret reveal locked)" = "$canary" ] || fail "reveal after rekey to a key file"

# Eight processes creating at once: none lost, none corrupted.
source "$(dirname "$0")/lib/rounds.bash"
each=$(rounds 25)
export STACKUP_STORE="$work/concurrent"
"$stackup" store init >/dev/null 2>&1
for writer in 1 2 3 4 5 6 7 8; do
  (for i in $(seq 1 "$each"); do printf 'value-%s-%s' "$writer" "$i" | "$stackup" secret create "w$writer/s$i" - >/dev/null; done) &
done
wait
[ "$("$stackup" secret ls --format '{{.Name}}' | wc -l)" -eq $((8 * each)) ] || fail "concurrent creates lost secrets"
for writer in 1 8; do for i in 1 "$each"; do
  [ "$("$stackup" secret reveal "w$writer/s$i")" = "value-$writer-$i" ] || fail "concurrent value w$writer/s$i"
done; done

# Eight processes making the first write to a brand-new store at once, again and again: none fails
# (turning a new database to WAL used to fail with "database is locked", busy timeout or not).
for round in $(seq 1 "$(rounds 30)"); do
  export STACKUP_STORE="$work/fresh-$round"
  for writer in 1 2 3 4 5 6 7 8; do
    (printf 'fresh-%s' "$writer" | "$stackup" secret create "w$writer" - 2>&1 >/dev/null | grep -v "^stackup: created the secret store's key" >>"$work/fresh.err" || true) &
  done
  wait
  [ ! -s "$work/fresh.err" ] || fail "concurrent first writes to a new store: $(head -3 "$work/fresh.err")"
  [ "$("$stackup" secret ls --format '{{.Name}}' | wc -l)" -eq 8 ] || fail "concurrent first writes to a new store lost secrets"
  [ "$("$stackup" secret reveal w8)" = fresh-8 ] || fail "concurrent first write w8"
done

# kill -9 at random points of 200 creates: the store opens and every secret it lists verifies.
export STACKUP_STORE="$work/killed"
"$stackup" store init >/dev/null 2>&1
(for i in $(seq 1 "$(rounds 200)"); do printf 'v%s' "$i" | "$stackup" secret create "k$i" - >/dev/null 2>&1 || true; done) 2>/dev/null &
creator=$!
for round in $(seq 1 "$(rounds 25)"); do
  sleep "0.0$((RANDOM % 9 + 1))"
  pkill -9 -f "secret create k" || true
done
wait "$creator" || true
python3 - "$STACKUP_STORE/stackup.db" <<'PY'
import sqlite3, sys
result = sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0]
sys.exit(0 if result == "ok" else f"integrity_check: {result}")
PY
listed=$("$stackup" secret ls --format '{{.Name}}')
[ -n "$listed" ] || fail "no secret survived"
for name in $listed; do
  [ "$("$stackup" secret reveal "$name")" = "v${name#k}" ] || fail "secret $name does not verify after kill -9"
done

# The canary never reached a file of the store or a log line.
grep -r -a -q "$canary" "$work/store" "$work/locked" && fail "a plaintext value is on disk in the store"
grep -a -q "$canary" "$work/debug.log" && fail "a plaintext value is in the debug log"
grep -q "created secret app/db-password" "$work/debug.log" || fail "the debug log is empty: the canary check proves nothing"
echo "store_binary: ok ($(echo "$listed" | wc -l) of 200 creates survived kill -9)"
