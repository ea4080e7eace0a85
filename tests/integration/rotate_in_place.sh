#!/usr/bin/env bash
# Rotation without a restart (x-stackup change_mode) on a real engine (it FAILS without one):
# - each service takes a new version its own way: app in place with SIGHUP, cache (two replicas) in
#   place without a signal, web recreated; bystander, which uses no secret, untouched;
# - in place means the same container and the same PID 1, the new file at its target with its
#   uid/gid/mode, read-only, and the signal received (PID 1 records it);
# - a `secret rotate` and a `secret rollback` of an external secret reach the container the same way,
#   and `secret rotate --deploy` does both steps in one; refused before it stores anything when the
#   project does not use the secret;
# - a reader in the container, reading in a loop through 200 rotations, only ever sees a whole old
#   or a whole new value; on kernels that can mount beneath, one mount stays at the target;
# - check, history and the audit log say which version the containers hold; no value on disk.
source "$(dirname "$0")/lib/engine_test.bash"
source "$(dirname "$0")/lib/rounds.bash"
begin_stack inplace
rotations=$(rounds 200)
# A value is a tag repeated 512 times (8 KiB): a torn read shows as a mix, a short or an empty one.
value() { local tag; tag=$(printf 'rotation-%06d:' "$1"); printf "${tag}%.0s" $(seq 512); }
write_token() { value "$1" > token.new && mv token.new token.txt; }
write_token 0
canary="inplace-canary-$$"
api_key_id=$(printf '%s-1' "$canary" | "$stackup" secret create api_key - 2>/dev/null) || fail "secret create"
service() {  # name, extra lines
  printf '  %s:\n    image: %s\n    command: ["sleep", "3600"]\n    stop_signal: SIGKILL\n%s\n' "$1" "$image" "$2"
}
app=$(cat <<YAML
  app:
    image: $image
    command: ["sh", "-c", "trap 'echo hup >> /tmp/signals' HUP; while :; do sleep 1 & wait; done"]
    stop_signal: SIGKILL
    x-stackup: {change_mode: signal, change_signal: SIGHUP}
    secrets:
      - source: token
        uid: "1000"
        gid: "1000"
        mode: 0440
      - source: api_key
        target: /etc/app/api.key
YAML
)
secrets=$(cat <<YAML
secrets:
  token:
    file: ./token.txt
  api_key:
    external: true
YAML
)
{
  printf 'services:\n%s\n' "$app"
  service cache "    deploy: {replicas: 2}
    x-stackup: {change_mode: noop}
    secrets: [token]"
  service web "    secrets: [token]"
  service bystander ""
  echo "$secrets"
} > compose.yaml
# The stress loop deploys app alone (the others, not in that file, are left as they are).
printf 'services:\n%s\n%s\n' "$app" "$secrets" > stress.yaml
"$stackup" deploy -q "$stack" || fail "deploy"
containers="app-1 cache-1 cache-2 web-1 bystander-1"
id_of() { docker inspect -f '{{.Id}}' "$stack-$1"; }
declare -A before
for c in $containers; do before[$c]=$(id_of "$c"); done
started=$(docker inspect -f '{{.State.StartedAt}}' "$stack-app-1")
pid1=$(awk '{print $22}' "/proc/$(docker inspect -f '{{.State.Pid}}' "$stack-app-1")/stat")
signals() { docker exec "$stack-app-1" sh -c 'cat /tmp/signals 2>/dev/null | wc -l' | awk '{print $1}'; }

# One rotation of the file: the plan says how each service takes it.
write_token 1
plan=$("$stackup" deploy --dry-run "$stack" 2>&1) || fail "dry run: $plan"
for line in "container $stack-app-1: rotate in place (signal SIGHUP; secret ${stack}_token version 2)" \
            "container $stack-cache-1: rotate in place (no signal; secret ${stack}_token version 2)" \
            "container $stack-cache-2: rotate in place (no signal; secret ${stack}_token version 2)" \
            "container $stack-web-1: recreate (secret ${stack}_token version 2)" \
            "container $stack-bystander-1: keep (unchanged)"; do
  grep -qxF "$line" <<<"$plan" || fail "the plan lacks \"$line\": $plan"
done
"$stackup" deploy -q "$stack" || fail "deploy of version 2"
for c in app-1 cache-1 cache-2 bystander-1; do [ "$(id_of "$c")" = "${before[$c]}" ] || fail "$c was recreated"; done
[ "$(id_of web-1)" != "${before[web-1]}" ] || fail "web (change_mode restart) was not recreated"
for c in app-1 cache-1 cache-2; do
  [ "$(docker exec "$stack-$c" cat /run/secrets/token)" = "$(value 1)" ] || fail "$c does not see version 2"
  # A SIGHUP would have ended cache's sleep: still running, never restarted.
  [ "$(docker inspect -f '{{.State.Running}} {{.RestartCount}}' "$stack-$c")" = "true 0" ] || fail "$c did not keep running"
done
[ "$(docker exec "$stack-app-1" stat -c '%u %g %a' /run/secrets/token)" = "1000 1000 440" ] || fail "owner or mode"
[ "$(signals)" = 1 ] || fail "app got $(signals) signals, not 1"
docker exec "$stack-app-1" sh -c 'echo x > /run/secrets/token' 2>/dev/null && fail "the target is writable"
dir=$(docker inspect -f '{{index .Config.Labels "com.stackup.secrets-directory"}}' "$stack-app-1")
findmnt -no OPTIONS "/run/stackup/$stack/$dir" | grep -q '^ro,' || fail "the host tmpfs is not read-only again"
out=$("$stackup" check "$stack" 2>&1) || fail "check after a rotation in place: $out"
grep -q "^$stack-app-1 .*secret ${stack}_token .*ok (version 2)" <<<"$out" || fail "check: $out"

# An external secret: secret rotate, then secret rollback, each brought in place by a deploy.
printf '%s-2' "$canary" | "$stackup" secret rotate api_key - >/dev/null || fail "secret rotate"
"$stackup" deploy --dry-run "$stack" | grep -qxF "container $stack-app-1: rotate in place (signal SIGHUP; secret api_key version 2)" \
  || fail "dry run after secret rotate: $("$stackup" deploy --dry-run "$stack" 2>&1)"
"$stackup" deploy -q "$stack" || fail "deploy after secret rotate"
[ "$(docker exec "$stack-app-1" cat /etc/app/api.key)" = "$canary-2" ] || fail "the rotated api_key is not in place"
"$stackup" secret rollback api_key >/dev/null || fail "secret rollback"
"$stackup" deploy -q "$stack" || fail "deploy after secret rollback"
[ "$(docker exec "$stack-app-1" cat /etc/app/api.key)" = "$canary-1" ] || fail "the rollback is not in place"
[ "$(id_of app-1)" = "${before[app-1]}" ] || fail "app was recreated by rotate or rollback"
[ "$(signals)" = 3 ] || fail "app got $(signals) signals, not 3"
"$stackup" secret history api_key | grep -q "^3 .*rollback to version 1 .*$stack/app" || fail "history: $("$stackup" secret history api_key)"
"$stackup" audit --secret api_key --format json | python3 -c 'import json, sys
details = [e["Detail"] for e in json.load(sys.stdin) if e["Action"] == "use"]
assert details[-1] == sys.argv[1] + "/app: rotated in place in " + sys.argv[1] + "-app-1", details' "$stack" \
  || fail "the audit log does not say the rollback went in place"

# secret rotate --deploy: the new version, deployed by the same process.
out=$(printf '%s-4' "$canary" | "$stackup" secret rotate api_key - --deploy -q -p "$stack" 2>&1) \
  || fail "rotate --deploy: $out"
[ "$out" = "$api_key_id version 4" ] || fail "rotate --deploy printed: $out"
[ "$(docker exec "$stack-app-1" cat /etc/app/api.key)" = "$canary-4" ] || fail "rotate --deploy did not bring version 4"
[ "$(id_of app-1)" = "${before[app-1]}" ] || fail "app was recreated by rotate --deploy"
[ "$(signals)" = 4 ] || fail "app got $(signals) signals, not 4"
# Refused before anything is stored: a project where no service uses the secret, a usage error.
service bystander "" | sed '1i services:' > bystander.yaml
out=$(printf 'unused' | "$stackup" secret rotate api_key - --deploy -p "$stack" -f bystander.yaml 2>&1; echo "exit $?")
[ "$out" = "stackup: error: no service of the project \"$stack\" uses an external secret named \"api_key\", so a \
deploy would bring it nowhere; nothing was rotated
exit 1" ] || fail "rotate --deploy of an unused secret said: $out"
out=$(printf 'unused' | "$stackup" secret rotate api_key - -p "$stack" 2>&1; echo "exit $?")
[ "$out" = "stackup: error: -q and the compose options (-f, -p, --project-directory, --env-file, --orchestrator, \
--space, --profile) go with --deploy
exit 2" ] || fail "compose options without --deploy: $out"
out=$("$stackup" secret rotate api_key - --deploy -f - < compose.yaml 2>&1; echo "exit $?")
[ "$out" = "stackup: error: standard input can hold the new value or the compose file, not both
exit 2" ] || fail "value and compose file both on standard input: $out"
"$stackup" secret inspect api_key --format '{{.Version}}' | grep -qx 4 || fail "a refused rotate --deploy stored a version"
# A deploy that fails after the rotation (a new service that cannot start) puts the stack back, and
# says the version is stored.
printf 'services:\n  extra:\n    image: %s\n    command: ["no-such-binary"]\n    secrets: [api_key]\n%s\n' \
  "$image" "$secrets" > extra.yaml
out=$(printf '%s-5' "$canary" | "$stackup" secret rotate api_key - --deploy -q -p "$stack" -f extra.yaml 2>&1) \
  && fail "rotate --deploy with a service that cannot start succeeded"
grep -qxF "stackup: the new version of \"api_key\" is stored; deploy the project \"$stack\" again (stackup deploy, \
with the same -f and -p) to bring it to its services" <<<"$out" || fail "a failed rotate --deploy said: $out"
"$stackup" secret inspect api_key --format '{{.Version}}' | grep -qx 5 || fail "the failed deploy's version is not stored"
extra=$(docker ps -aq --filter "label=com.docker.compose.service=extra" --filter "label=com.docker.compose.project=$stack")
[ -z "$extra" ] || fail "the failed deploy left the extra container"
[ "$(docker exec "$stack-app-1" cat /etc/app/api.key)" = "$canary-4" ] || fail "the failed deploy changed app's api_key"

# The reader: every read is one whole value, through every rotation.
cat > reader.sh <<'SH'
reads=0; changes=0; last=""
while [ ! -e /tmp/stop ]; do
  if ! cat /run/secrets/token > /tmp/read 2>/dev/null; then echo "read failed" >> /tmp/bad; continue; fi
  tag=$(awk '{ lines++; v = $0 } END { t = substr(v, 1, 16); s = v; gsub(t, "", s)
    if (lines == 1 && length(v) == 8192 && s == "" && t ~ /^rotation-[0-9]+:$/) print t; else print "torn" }' /tmp/read)
  [ "$tag" = torn ] && echo "torn: $(wc -c < /tmp/read) bytes" >> /tmp/bad
  [ "$tag" != "$last" ] && changes=$((changes + 1)) && last=$tag
  reads=$((reads + 1))
done
echo "$reads $changes" > /tmp/done
SH
docker exec -i "$stack-app-1" sh -c 'cat > /tmp/reader.sh' < reader.sh
docker exec -d "$stack-app-1" sh /tmp/reader.sh
sleep 0.5
for i in $(seq 2 $((rotations + 1))); do
  write_token "$i"
  "$stackup" deploy -q -f stress.yaml "$stack" || fail "rotation $i"
done
docker exec "$stack-app-1" touch /tmp/stop
for _ in $(seq 50); do docker exec "$stack-app-1" sh -c "[ -e /tmp/done ]" 2>/dev/null && break; sleep 0.2; done
read -r reads changes < <(docker exec "$stack-app-1" cat /tmp/done) || fail "the reader did not finish"
bad=$(docker exec "$stack-app-1" sh -c 'cat /tmp/bad 2>/dev/null || true' | sort | uniq -c)
[ -z "$bad" ] || fail "torn reads in $reads reads: $bad"
[ "$reads" -ge "$rotations" ] && [ "$changes" -ge $((rotations / 4)) ] \
  || fail "the reader saw too little to tell: $reads reads, $changes values"
echo "rotate_in_place: $rotations rotations, $reads reads, $changes values seen, none torn"
[ "$(docker exec "$stack-app-1" cat /run/secrets/token)" = "$(value $((rotations + 1)))" ] || fail "not the last version"
[ "$(id_of app-1)" = "${before[app-1]}" ] || fail "app was recreated"
[ "$(docker inspect -f '{{.State.StartedAt}}' "$stack-app-1")" = "$started" ] || fail "app was restarted"
[ "$(awk '{print $22}' "/proc/$(docker inspect -f '{{.State.Pid}}' "$stack-app-1")/stat")" = "$pid1" ] || fail "PID 1 was restarted"
[ "$(signals)" = $((rotations + 4)) ] || fail "app got $(signals) signals, not $((rotations + 4))"
mounts=$(docker exec "$stack-app-1" grep -c ' /run/secrets/token ' /proc/1/mountinfo)
kernel=$(uname -r | awk -F. '{print $1 * 100 + $2}')
if [ "$kernel" -ge 605 ]; then
  [ "$mounts" = 1 ] || fail "$mounts mounts at the target, not 1"
else
  [ "$mounts" = $((rotations + 2)) ] || fail "$mounts mounts at the target, not $((rotations + 2)) (old ones stay below)"
fi
out=$("$stackup" check "$stack" 2>&1) || fail "check after the rotations: $out"

# No value reached a persistent disk or a log.
last=$(printf 'rotation-%06d:' $((rotations + 1)))
for place in /var/lib/docker/containers "$STACKUP_STORE"; do
  grep -rqaF -e "$last" -e "$canary" "$place" && fail "a value is in $place"
done
"$stackup" down -q -t 0 "$stack" || fail "down"
[ ! -e "/run/stackup/$stack" ] || fail "down left /run/stackup/$stack"
echo "rotate_in_place: ok"
