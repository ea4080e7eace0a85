#!/usr/bin/env bash
# A compose file, a container's labels or a crash never steer root at the host: a directory named in
# a label survives deploy and down; a uid out of range is refused before anything is created; a
# crash while stackup holds a secret leaves no core file. On a real engine (it FAILS without one).
source "$(dirname "$0")/lib/engine_test.bash"
begin_stack sec
cleanup() {
  docker rm -f "$stack-ghost-1" >/dev/null 2>&1 || true
  "$stackup" down -q -t 0 --secrets "$stack" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# A scratch directory stands in for /etc: what the attack would wipe.
scratch="$work/precious"
mkdir -p "$scratch"
printf 'keep me' > "$scratch/file"
printf 'label-canary' > token.txt
cat > compose.yaml <<YAML
services:
  web:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    secrets: [token]
  plain:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    labels:
      com.stackup.secrets-directory: $scratch
secrets:
  token:
    file: ./token.txt
YAML

# 1. The label in a compose file is refused by validate, at its place, and by deploy.
set +e
out=$("$stackup" validate 2>&1); code=$?
set -e
[ "$code" -eq 1 ] || fail "validate accepted stackup's own label: $out"
grep -qF "compose.yaml:12:7: error: services.plain.labels: label com.stackup.secrets-directory is reserved: stackup sets it to find and manage its own objects; remove it" <<<"$out" || fail "validate: $out"
set +e
out=$("$stackup" deploy -q "$stack" 2>&1); code=$?
set -e
[ "$code" -eq 1 ] || fail "deploy accepted stackup's own label: $out"
[ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] || fail "the refused deploy created containers"

# 2. A container made outside stackup with stackup's labels, naming the scratch directory, is kept by
# deploy (its service is not in the file) and removed by down; the directory is not touched.
sed -i '/^  plain:/,/secrets-directory/d' compose.yaml
"$stackup" deploy -q "$stack" || fail "deploy"
docker run -d --name "$stack-ghost-1" --label "com.docker.stack.namespace=$stack" --label com.stackup.config-hash=0 \
  --label com.docker.compose.service=ghost --label com.docker.compose.container-number=1 \
  --label "com.stackup.secrets-directory=$scratch" "$image" sleep 3600 >/dev/null
echo changed > token.txt  # web is recreated: its old secrets are wiped beside the forged container
"$stackup" deploy -q "$stack" || fail "redeploy beside the forged container"
[ "$(cat "$scratch/file")" = "keep me" ] || fail "deploy touched the directory named in a label"
"$stackup" down -q -t 0 --secrets "$stack" || fail "down"
[ "$(cat "$scratch/file")" = "keep me" ] || fail "down wiped the directory named in a label"
[ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] || fail "down left containers"
[ ! -e "/run/stackup/$stack" ] || fail "down left /run/stackup/$stack"

# 3. A uid out of range never reaches a worker thread: refused up front, nothing left behind.
cat > compose.yaml <<YAML
services:
  web:
    image: $image
    command: ["sleep", "3600"]
    secrets:
      - source: token
        uid: "99999999999999999999"
secrets:
  token:
    file: ./token.txt
YAML
set +e
out=$("$stackup" deploy -q "$stack" 2>&1); code=$?
set -e
[ "$code" -eq 1 ] || fail "deploy with uid 99999999999999999999: exit $code: $out"
grep -qF "compose.yaml:7:14: error: services.web.secrets[0].uid: uid 99999999999999999999 is out of range; use a number from 0 to 4294967294" <<<"$out" || fail "uid out of range: $out"
[ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] || fail "containers left"
[ -z "$(docker network ls -q --filter "label=com.docker.stack.namespace=$stack")" ] || fail "a network left"
"$stackup" secret inspect "${stack}_token" >/dev/null 2>&1 && fail "a secret left"
[ ! -e "/run/stackup/$stack.lock" ] || fail "the lock was left"

# 4. A crash while stackup holds a secret writes no core file (core_pattern "core" writes to the
# working directory; systemd-coredump or apport would collect it elsewhere).
mkdir -p "$work/crash"
cd "$work/crash"
mkfifo value
(
  ulimit -c unlimited
  exec "$stackup" secret create crash_canary - <value >/dev/null 2>&1
) &
holder=$!
exec 7>value
printf 'core-canary-%s' "$$" >&7
sleep 0.5
kill -SEGV "$holder"
set +e
wait "$holder"
set -e
exec 7>&-
rm -f value
[ -z "$(ls -A "$work/crash")" ] || fail "a crash left files: $(ls -A "$work/crash")"
grep -rqa "core-canary-$$" "$work" && fail "the secret reached the disk"
echo "deploy_security: ok"
