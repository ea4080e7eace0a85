#!/usr/bin/env bash
# `stackup check` on a real engine (it FAILS without one): a fresh deploy checks clean; a changed
# mode, a removed tmpfs and a container started outside stackup are each caught (exit 1), without a
# value shown; stopping the container and deploying restores it.
source "$(dirname "$0")/lib/engine_test.bash"
begin_stack drift
canary="drift-canary-$$"
printf '%s' "$canary" > token.txt
cat > compose.yaml <<YAML
services:
  app:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    secrets:
      - source: token
        uid: "1000"
        gid: "1000"
        mode: 0400
secrets:
  token:
    file: ./token.txt
YAML
"$stackup" deploy -q "$stack" || fail "deploy"
out=$("$stackup" check "$stack" 2>&1) || fail "a fresh deploy drifted: $out"
grep -q "^$stack-app-1 .*secret ${stack}_token .*ok (version 1)" <<<"$out" || fail "check: $out"
dir=$(docker inspect -f '{{index .Config.Labels "com.stackup.secrets-directory"}}' "$stack-app-1")
path="/run/stackup/$stack/$dir"

# A changed mode (the tmpfs is read-only: made writable for the change, then read-only again).
mount -o remount,rw "$path" && chmod 0644 "$path/0-token" && mount -o remount,ro "$path"
out=$("$stackup" check "$stack" 2>&1) && fail "a changed mode was not caught"
grep -qF "owner 1000:1000 mode 0644, but the compose file says 1000:1000 mode 0400" <<<"$out" || fail "mode: $out"
grep -qF "stackup: error: stack $stack has drifted from what the store says; see above" <<<"$out" || fail "mode summary: $out"
grep -qF "$canary" <<<"$out" && fail "check showed a value"

# A removed tmpfs.
umount "$path"
out=$("$stackup" check --format json "$stack" 2>/dev/null) && fail "a removed tmpfs was not caught"
python3 -c 'import json, sys; f = json.loads(sys.argv[1]); assert any(x["Subject"] == "secrets directory" and x["Drift"] and x["Status"].startswith("not on a tmpfs") for x in f), f' "$out" \
  || fail "tmpfs: $out"

# Restored: stopped, then deployed.
docker stop "$stack-app-1" >/dev/null
"$stackup" deploy -q "$stack" || fail "redeploy"
"$stackup" check "$stack" >/dev/null 2>&1 || fail "not restored: $("$stackup" check "$stack" 2>&1)"

# A container started outside stackup with the stack's label.
docker run -d --name "$stack-intruder" --label "com.docker.stack.namespace=$stack" "$image" sleep 3600 >/dev/null
out=$("$stackup" check "$stack" 2>&1) && fail "a foreign container was not caught"
grep -q "^$stack-intruder .*container .*not started by stackup" <<<"$out" || fail "foreign: $out"
docker rm -f "$stack-intruder" >/dev/null
echo "check_drift: ok"
