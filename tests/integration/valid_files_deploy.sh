#!/usr/bin/env bash
# "Valid" means "will deploy": every file that `stackup validate --strict` accepts, among the valid
# fixtures and the examples, makes a plan on the real engine (`deploy --dry-run`), with the external
# secrets it names present in the store, as they must be. It FAILS without an engine.
source "$(dirname "$0")/lib/engine_test.bash"
export SET_VAR=on SESSION_SECRET=fixture-session-secret
# Stand-ins for the secret managers a fixture's x-stackup.command names: each prints a value.
mkdir -p "$work/bin"
for manager in pass op; do printf '#!/bin/sh\necho stand-in-value\n' > "$work/bin/$manager"; chmod +x "$work/bin/$manager"; done
export PATH="$work/bin:$PATH"
checked=0
for file in "$root"/tests/testdata/valid/*.yaml "$root"/examples/*/compose.yaml; do
  dir=$(dirname "$file")
  (cd "$dir" && "$stackup" validate -q --strict -c "$file" -p valid >/dev/null) || continue
  # An override file is checked with its base, as validate's override-file hint says: alone it is
  # no application to deploy.
  (cd "$dir" && "$stackup" validate -c "$file" -p valid | grep -qF '[override-file]') && continue
  # The external secrets the file names, with the permission label its services carry (if any):
  # validate cannot see the store, deploy needs them there.
  while read -r name label; do
    [ -n "$name" ] || continue
    "$stackup" secret inspect "$name" >/dev/null 2>&1 && continue
    printf 'stand-in' | "$stackup" secret create ${label:+--label "com.docker.ucp.access.label=$label"} "$name" - >/dev/null
  done < <(cd "$dir" && "$stackup" config --format json -c "$file" -p valid | python3 -c '
import json, sys
model = json.load(sys.stdin)
for key, secret in (model.get("secrets") or {}).items():
    external = secret.get("external")
    if not external:
        continue
    name = (external.get("name") if isinstance(external, dict) else None) or secret.get("name") or key
    labels = [dict(service.get("labels") or {}, **((service.get("deploy") or {}).get("labels") or {})).get("com.docker.ucp.access.label")
              for service in (model.get("services") or {}).values()
              if any((s if isinstance(s, str) else s.get("source")) == key for s in service.get("secrets") or [])]
    print(name, next((label for label in labels if label), ""))')
  out=$(cd "$dir" && "$stackup" deploy --dry-run -c "$file" valid 2>&1) || fail "valid but does not deploy: $file: $out"
  checked=$((checked + 1))
done
[ "$checked" -ge 6 ] || fail "only $checked files were checked"
echo "valid_files_deploy: ok ($checked files)"
