#!/usr/bin/env bash
# The main job, end to end on a fresh machine: install what is missing, build stackup, and check the
# example stacks the way CI would (offline: no engine, no store, no secret values read).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh" --build-only
bash "$root/scripts/build.sh"
stackup="$root/build/stackup"
for example in "$root"/examples/*/; do
  echo "== $(basename "$example")"
  (cd "$example" && "$stackup" validate --strict)
done
echo "== the resolved model of examples/wordpress (secret files are paths; values are never read)"
(cd "$root/examples/wordpress" && "$stackup" config)
