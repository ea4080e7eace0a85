#!/usr/bin/env bash
# "Valid" means "will deploy": every file that `stackup validate --strict` accepts, among the valid
# fixtures and the examples, makes a plan on the real engine (`deploy --dry-run`), with the external
# secrets it names present in the store, as they must be. It FAILS without an engine.
source "$(dirname "$0")/lib/engine_test.bash"
export SET_VAR=on SESSION_SECRET=fixture-session-secret
checked=0
for file in "$root"/tests/testdata/valid/*.yaml "$root"/examples/*/compose.yaml; do
  dir=$(dirname "$file")
  (cd "$dir" && "$stackup" validate -q --strict -c "$file" -p valid >/dev/null) || continue
  # The external secrets the file names: validate cannot see the store, deploy needs them there.
  for name in $(cd "$dir" && "$stackup" config --format json -c "$file" -p valid | python3 -c '
import json, sys
for key, secret in (json.load(sys.stdin).get("secrets") or {}).items():
    external = secret.get("external")
    if external:  # external: true, or the legacy external: {name: ...}
        print((external.get("name") if isinstance(external, dict) else None) or secret.get("name") or key)'); do
    "$stackup" secret inspect "$name" >/dev/null 2>&1 || printf 'stand-in' | "$stackup" secret create "$name" - >/dev/null
  done
  out=$(cd "$dir" && "$stackup" deploy --dry-run -c "$file" valid 2>&1) || fail "valid but does not deploy: $file: $out"
  checked=$((checked + 1))
done
[ "$checked" -ge 6 ] || fail "only $checked files were checked"
echo "valid_files_deploy: ok ($checked files)"
