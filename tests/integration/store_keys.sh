#!/usr/bin/env bash
# The secret store's keys through the real binary: the key file across kill -9 of a first write, no
# new store over a lost one, rekey --new-master-key, metadata MACs, passphrase files (and FIPS mode,
# where libgcrypt refuses scrypt), key file links.
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
  [ "$code" -eq 1 ] || fail "exit $code, want 1: $* ($got)"
  [ "$got" = "$want" ] || fail "stderr: '$got', want '$want'"
}
sql() {  # database, statements
  python3 - "$1" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript(sys.argv[2])
db.commit()
PY
}
new_store() { export STACKUP_STORE="$work/$1"; }
create() { printf '%s' "$2" | "$stackup" secret create "$1" - >/dev/null 2>&1 || fail "create $1: $(printf '%s' "$2" | "$stackup" secret create "$1" - 2>&1)"; }
reveal_is() { local got; got=$("$stackup" secret reveal "$@" 2>&1) || true; echo "$got"; }

# --- kill -9 of a first write, at random points: the next write works, and no temporary is left.
source "$(dirname "$0")/lib/rounds.bash"
for round in $(seq 1 "$(rounds 40)"); do
  new_store "killed-$round"
  printf 'first' | "$stackup" secret create first - >/dev/null 2>&1 &
  writer=$!
  sleep "0.$(printf %02d $((RANDOM % 25)))"
  kill -9 "$writer" 2>/dev/null || true
  wait "$writer" 2>/dev/null || true
  create after "after-$round"
  [ "$(reveal_is after)" = "after-$round" ] || fail "round $round: reveal after kill -9 of the first write"
  if "$stackup" secret ls --format '{{.Name}}' | grep -qx first; then
    [ "$(reveal_is first)" = first ] || fail "round $round: the killed write's secret does not verify"
  fi
  ls -a "$STACKUP_STORE" | grep -q '\.tmp-' && fail "round $round: a temporary key file was left: $(ls -a "$STACKUP_STORE")"
done

# The crash points, each made on purpose. A database set up but recording nothing (rm of a missing
# secret opens the store for writing without initializing it), beside:
new_store empty-key
expect_error "stackup: error: secret not found: nope" "$stackup" secret rm nope
: > "$STACKUP_STORE/master.key"; chmod 600 "$STACKUP_STORE/master.key"  # an older stackup killed before writing it
create x value
[ "$(reveal_is x)" = value ] || fail "a 0-byte key file left by a killed first write bricks the store"
[ "$(wc -c < "$STACKUP_STORE/master.key")" -eq 65 ] || fail "the 0-byte key file was not replaced"

new_store leftover-temporary
expect_error "stackup: error: secret not found: nope" "$stackup" secret rm nope
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$STACKUP_STORE/master.key.tmp-0123456789abcdef"  # killed before its link
create x value
[ "$(reveal_is x)" = value ] || fail "a leftover temporary breaks the next run"
[ "$(ls -a "$STACKUP_STORE" | grep -c tmp-)" -eq 0 ] || fail "the leftover temporary was not removed"

new_store linked-before-commit
expect_error "stackup: error: secret not found: nope" "$stackup" secret rm nope
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$STACKUP_STORE/master.key.tmp-fedcba9876543210"
chmod 600 "$STACKUP_STORE/master.key.tmp-fedcba9876543210"
ln "$STACKUP_STORE/master.key.tmp-fedcba9876543210" "$STACKUP_STORE/master.key"  # killed before the commit
cp "$STACKUP_STORE/master.key" "$work/linked.key"
create x value
[ "$(reveal_is x)" = value ] || fail "a key file linked before a killed commit is not used"
cmp -s "$STACKUP_STORE/master.key" "$work/linked.key" || fail "the linked key file was replaced"
[ "$(ls -a "$STACKUP_STORE" | grep -c tmp-)" -eq 0 ] || fail "the linked key file's temporary was not removed"

# --- a key file beside a database that lost its secrets is not a new store.
new_store lost
create x value
cp "$STACKUP_STORE/master.key" "$work/lost.key"
: > "$STACKUP_STORE/stackup.db"
expect_error "stackup: error: the secret store at $STACKUP_STORE has a key file ($STACKUP_STORE/master.key) but an empty database ($STACKUP_STORE/stackup.db): its secrets are gone, and stackup will not start a new store over them; restore stackup.db from your backup, or move $STACKUP_STORE/master.key away to start a new, empty store" \
  "$stackup" secret create y "$work/lost.key"
expect_error "stackup: error: the secret store at $STACKUP_STORE has a key file ($STACKUP_STORE/master.key) but an empty database ($STACKUP_STORE/stackup.db): its secrets are gone, and stackup will not start a new store over them; restore stackup.db from your backup, or move $STACKUP_STORE/master.key away to start a new, empty store" \
  "$stackup" secret ls
rm "$STACKUP_STORE/stackup.db"
expect_error "stackup: error: the secret store at $STACKUP_STORE has a key file ($STACKUP_STORE/master.key) but its database does not hold the master key that file unlocks: stackup.db was deleted or replaced, and stackup will not start a new store over it; restore stackup.db from your backup, set STACKUP_KEY_FILE=$STACKUP_STORE/master.key to start a new store locked by this key file, or move $STACKUP_STORE/master.key away to start a new, empty store" \
  "$stackup" secret create y "$work/lost.key"
cmp -s "$STACKUP_STORE/master.key" "$work/lost.key" || fail "the lost store's key file was changed"
# A key file provisioned ahead, named by STACKUP_KEY_FILE, locks a new store.
new_store provisioned
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/provisioned.key"; chmod 600 "$work/provisioned.key"
printf 'value' | STACKUP_KEY_FILE="$work/provisioned.key" "$stackup" secret create x - >/dev/null 2>&1 || fail "a provisioned key file is refused"
[ "$(STACKUP_KEY_FILE="$work/provisioned.key" "$stackup" secret reveal x)" = value ] || fail "reveal with a provisioned key"
[ ! -e "$STACKUP_STORE/master.key" ] || fail "a provisioned store got its own key file"

# --- rekey --new-master-key: an old key file with an old copy of the database opens nothing new.
new_store rekey
create x one; printf 'two' | "$stackup" secret rotate x - >/dev/null; create y why
keep_copies() { cp "$STACKUP_STORE/stackup.db" "$work/$1.db"; cp "$STACKUP_STORE/master.key" "$work/$1.key"; }
reveal_with_copies() {  # copies, secret: today's rows under the copy's wrapped master key, with the copy's key file
  rm -rf "$work/hybrid"; mkdir -m 700 "$work/hybrid"; cp "$STACKUP_STORE/stackup.db" "$work/hybrid/"
  sql "$work/hybrid/stackup.db" "ATTACH '$work/$1.db' AS old; DELETE FROM meta; INSERT INTO meta SELECT * FROM old.meta;"
  local got; got=$(STACKUP_STORE="$work/hybrid" STACKUP_KEY_FILE="$work/$1.key" "$stackup" secret reveal "$2" 2>&1) || true
  echo "$got"
}
keep_copies before-key-file
"$stackup" store rekey --key-file >/dev/null 2>&1
create between new
[ "$(reveal_with_copies before-key-file between)" = new ] || fail "the control: without a new master key an old key and database copy open new secrets"
keep_copies before-master-key
[ "$("$stackup" store rekey --new-master-key 2>&1)" = "rekeyed the secret store at $STACKUP_STORE with a new master key (4 secret versions re-sealed)" ] || fail "rekey --new-master-key output"
create after newer
for copies in before-key-file before-master-key; do
  [ "$(reveal_with_copies "$copies" after)" = "stackup: error: integrity check failed for secret 'after' (version 1)" ] || fail "$copies opens a secret created after rekey --new-master-key"
  [ "$(reveal_with_copies "$copies" x)" = "stackup: error: integrity check failed for secret 'x' (version 2)" ] || fail "$copies opens a re-sealed secret"
done
[ "$(reveal_is x --version 1)/$(reveal_is x)/$(reveal_is y)/$(reveal_is between)/$(reveal_is after)" = "one/two/why/new/newer" ] || fail "the store after rekey --new-master-key"
printf 'new passphrase\n' > "$work/rekey.pass"; chmod 600 "$work/rekey.pass"
cp "$STACKUP_STORE/master.key" "$work/last.key"
STACKUP_NEW_PASSPHRASE_FILE="$work/rekey.pass" "$stackup" store rekey --new-master-key --passphrase >/dev/null 2>"$work/rekey.err"
[ "$(cat "$work/rekey.err")" = "stackup: overwrote and removed the key file $STACKUP_STORE/master.key: the store is now unlocked with a passphrase" ] || fail "rekey to a passphrase: $(cat "$work/rekey.err")"
[ ! -e "$STACKUP_STORE/master.key" ] || fail "rekey to a passphrase left the key file"
[ "$(STACKUP_PASSPHRASE_FILE="$work/rekey.pass" "$stackup" secret reveal after)" = newer ] || fail "reveal after rekey to a passphrase"
set +e; usage=$("$stackup" store rekey 2>&1); code=$?; set -e
[ "$code" -eq 2 ] && [ "$(echo "$usage" | head -1)" = "stackup: error: rekey: say --passphrase, --key-file or --new-master-key" ] || fail "rekey without what to change: exit $code: $usage"

# --- metadata MACs: edits that leave every ciphertext intact are found.
new_store metadata
create x one; printf 'two' | "$stackup" secret rotate x - >/dev/null; printf 'three' | "$stackup" secret rotate x - >/dev/null
create y why
sql "$STACKUP_STORE/stackup.db" "UPDATE secrets SET current_version = 2 WHERE name = 'x';"
expect_error "stackup: error: integrity check failed for secret 'x' (version 2)" "$stackup" secret reveal x
expect_error "stackup: error: integrity check failed for secret 'x' (version 2)" "$stackup" secret rotate x "$work/lost.key"
sql "$STACKUP_STORE/stackup.db" "UPDATE secrets SET current_version = 3 WHERE name = 'x';"
[ "$(reveal_is x)" = three ] || fail "x after undoing the edit"
sql "$STACKUP_STORE/stackup.db" "DELETE FROM versions WHERE version = 1 AND secret_id = (SELECT id FROM secrets WHERE name = 'x');"
expect_error "stackup: error: integrity check failed for secret 'x' (version 3)" "$stackup" secret reveal x
[ "$(reveal_is y)" = why ] || fail "an untouched secret"

# --- passphrases and their files.
new_store passphrase
printf 'correct horse\n' > "$work/pass"; chmod 644 "$work/pass"
expect_error "stackup: error: cannot unlock the secret store at $STACKUP_STORE: permissions 0644 for $work/pass are too open: other users could read it; run: chmod 600 $work/pass" \
  env STACKUP_PASSPHRASE_FILE="$work/pass" "$stackup" store init --passphrase
: > "$work/empty"; chmod 600 "$work/empty"; printf '\n' > "$work/newline"; chmod 600 "$work/newline"
for file in "$work/empty" "$work/newline"; do
  expect_error "stackup: error: cannot unlock the secret store at $STACKUP_STORE: passphrase file $file is empty; an empty passphrase is not allowed" \
    env STACKUP_PASSPHRASE_FILE="$file" "$stackup" store init --passphrase
done
chmod 600 "$work/pass"
STACKUP_PASSPHRASE_FILE="$work/pass" "$stackup" store init --passphrase >/dev/null
printf 'value' | STACKUP_PASSPHRASE_FILE="$work/pass" "$stackup" secret create x - >/dev/null
[ "$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT value FROM meta WHERE key = 'scrypt_n'\").fetchone()[0])" "$STACKUP_STORE/stackup.db")" = 131072 ] || fail "scrypt N of a new passphrase"
chmod 640 "$work/pass"
expect_error "stackup: error: cannot unlock the secret store at $STACKUP_STORE: permissions 0640 for $work/pass are too open: other users could read it; run: chmod 600 $work/pass" \
  env STACKUP_PASSPHRASE_FILE="$work/pass" "$stackup" secret reveal x
chmod 600 "$work/pass"
# On a host in FIPS mode (forced here for this one process), libgcrypt refuses scrypt: said plainly.
expect_error "stackup: error: cannot unlock the secret store at $STACKUP_STORE: libgcrypt runs in FIPS mode on this \
host, where it refuses scrypt, so no passphrase can unlock a store here; use a key file" \
  env LIBGCRYPT_FORCE_FIPS_MODE=1 STACKUP_PASSPHRASE_FILE="$work/pass" "$stackup" secret reveal x
sql "$STACKUP_STORE/stackup.db" "UPDATE meta SET value = 'banana' WHERE key = 'scrypt_n';"
expect_error "stackup: error: cannot unlock the secret store at $STACKUP_STORE: its scrypt parameter N is damaged" \
  env STACKUP_PASSPHRASE_FILE="$work/pass" "$stackup" secret reveal x

# --- a key file is never read through a symbolic link.
new_store linked-key
create x value
mv "$STACKUP_STORE/master.key" "$work/moved.key"; ln -s "$work/moved.key" "$STACKUP_STORE/master.key"
expect_error "stackup: error: cannot unlock the secret store at $STACKUP_STORE: key file $STACKUP_STORE/master.key is a symbolic link, which stackup does not follow; point STACKUP_KEY_FILE at the file itself" \
  "$stackup" secret reveal x
echo "store_keys: ok"
