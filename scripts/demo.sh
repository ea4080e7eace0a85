#!/usr/bin/env bash
# The main job, end to end on a fresh machine: install what is missing, build stackup, start a local
# Docker engine if none runs, deploy examples/demo with its secrets, show them from inside the
# containers, and tear everything down.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
bash "$root/scripts/start-engine.sh"
stackup="$root/build/stackup"
export STACKUP_STORE=${STACKUP_STORE:-$(mktemp -d)/store}

cd "$root/examples/demo"
echo "== stackup validate"
"$stackup" validate --strict
echo "== stackup deploy"
"$stackup" deploy
echo "== stackup ps"
"$stackup" ps
echo "== inside demo-web-1: /run/secrets and /etc/ssl/private"
docker exec demo-web-1 sh -c 'ls -ln /run/secrets /etc/ssl/private; grep -E "/run/secrets|/etc/ssl" /proc/mounts'
echo "== inside demo-db-1: only its own secret, owned by uid 999, mode 0400"
docker exec demo-db-1 sh -c 'ls -ln /run/secrets'
echo "== stackup secret ls (values never shown)"
"$stackup" secret ls
echo "== stackup down --secrets"
"$stackup" down --secrets
