#!/usr/bin/env bash
# The audit log on a real store and engine (it FAILS without one): create, rotate, rollback, reveal,
# a deploy's store and use entries, down's release, rm; never a value; `audit verify` intact, then
# catching each kind of tampering done by hand with SQLite: an edited, a deleted, a reordered and a
# cut-off entry, each named.
source "$(dirname "$0")/lib/engine_test.bash"
begin_stack aud
canary="audit-canary-$$"
printf '%s' "$canary" | "$stackup" secret create api - >/dev/null 2>&1 || fail "create"
printf '%s-2' "$canary" | "$stackup" secret rotate api - >/dev/null || fail "rotate"
"$stackup" secret rollback api >/dev/null || fail "rollback"
"$stackup" secret reveal api >/dev/null || fail "reveal"
printf '%s-file' "$canary" > token.txt
cat > compose.yaml <<YAML
services:
  app:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    secrets: [token, api]
secrets:
  token:
    file: ./token.txt
  api:
    external: true
YAML
"$stackup" deploy -q "$stack" || fail "deploy"
"$stackup" down -q "$stack" || fail "down"
"$stackup" secret rm api >/dev/null || fail "rm"

actions=$("$stackup" audit --format json | python3 -c 'import json, sys
print(" ".join(e["Action"] + ":" + e["Secret"] + ":" + str(e["Version"]) for e in json.load(sys.stdin)))')
[ "$actions" = "init::0 create:api:1 rotate:api:2 rollback:api:3 reveal:api:3 store:${stack}_token:1 use:api:3 use:${stack}_token:1 release:api:3 release:${stack}_token:1 rm:api:3" ] \
  || fail "the log: $actions"
[ "$("$stackup" audit --stack "$stack" --format json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" = 5 ] \
  || fail "audit --stack"
[ "$("$stackup" audit --secret api --since 1h --format json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" = 7 ] \
  || fail "audit --secret --since"
"$stackup" audit | grep -q "^1 .* init .*secret create api -$" || fail "the table: $("$stackup" audit)"
"$stackup" audit --format json | grep -qF "$canary" && fail "a value is in the log"
grep -aqF "$canary" "$STACKUP_STORE/stackup.db" && fail "a value is in the database in the clear"
[ "$("$stackup" audit verify)" = "the audit log is intact (11 entries)" ] || fail "verify: $("$stackup" audit verify 2>&1)"

# Each tampering on a copy of the store, by hand.
tampered() {  # SQL, expected first error line
  rm -rf "$work/copy" && cp -a "$STACKUP_STORE" "$work/copy"
  python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.executescript(sys.argv[2]); db.commit()' \
    "$work/copy/stackup.db" "$1"
  local out
  out=$(STACKUP_STORE="$work/copy" "$stackup" audit verify 2>&1) && fail "verify missed: $1"
  [ "$(head -n 1 <<<"$out")" = "stackup: error: audit log: $2" ] || fail "verify after $1: $out"
}
tampered "UPDATE audit SET user = 'someone' WHERE seq = 5" "entry 5 was edited: its content does not match its MAC"
tampered "DELETE FROM audit WHERE seq = 4" "entry 4 is missing: it was deleted"
tampered "UPDATE audit SET seq = 100 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 100" \
  "entry 2 is out of place: entries were reordered"
tampered "DELETE FROM audit WHERE seq >= 10" "the log was truncated: it ends at entry 9, but entry 11 was written"
echo "store_audit: ok"
