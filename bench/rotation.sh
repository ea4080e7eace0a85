#!/usr/bin/env bash
# Rotation without a restart. In a stack of 30 services where one (svc1) uses a secret, the time
# from `stackup secret rotate` until svc1's container reads the new value at its target:
# - stackup, x-stackup change_mode: signal: rotate, deploy; the value goes in place, SIGHUP sent;
# - stackup, change_mode: restart (the default): rotate, deploy; svc1's container is recreated;
# - docker-compose 1.29: the secret file replaced (a new file renamed over it, as editors and secret
#   managers write), then `up -d`: it does not notice, and the container never sees the value;
# - Swarm's documented procedure on a one-node swarm (made here, left as found): docker secret
#   create token_v2, docker service update --secret-rm token --secret-add source=token_v2,target=token.
# The value is read from the host through /proc/PID/root, by a poller that starts before the
# rotation. Targets: change_mode signal under 100 ms, and at least 20x faster than restart.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
services=${BENCH_SERVICES:-30}
rounds=${BENCH_ROUNDS:-5}
command -v docker-compose >/dev/null || apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
bash "$root/scripts/build.sh" >/dev/null
bash "$root/scripts/start-engine.sh"
stackup="$root/build/stackup"
image=stackup-test/busybox:1
work=$(mktemp -d)
export STACKUP_STORE="$work/store"
made_swarm=
cleanup() {
  for stack in benchsig benchrst; do "$stackup" down -q -t 0 "$stack" >/dev/null 2>&1 || true; done
  (cd "$work" && docker-compose -p benchdc down -t 0 >/dev/null 2>&1) || true
  docker stack rm benchsw >/dev/null 2>&1 || true
  [ -z "$made_swarm" ] || docker swarm leave --force >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

# The stack: svc1 uses the secret; $1 is svc1's extra lines.
compose_file() {
  echo 'version: "3.8"'
  echo "services:"
  for i in $(seq 1 "$services"); do
    printf '  svc%s:\n    image: %s\n    command: ["sleep", "86400"]\n    stop_signal: SIGKILL\n' "$i" "$image"
    if [ "$i" = 1 ]; then printf '    secrets: [token]\n'; [ -z "$1" ] || printf '%s\n' "$1"; fi
  done
  printf 'secrets:\n  token:\n%s\n' "$2"
}

# Waits until a running container with label $1 reads $2 at $3; prints the time it did, or "never"
# after 10 s. Prints "ready" first, once it knows the containers' PIDs. It reads the file of each
# known PID every millisecond and asks the engine for the containers again every 10 ms (a restart
# makes a new one): light enough not to slow what it measures on two cores, fine enough to time it.
cat > poll.py <<'PY'
import http.client, json, socket, sys, time, urllib.parse
class Engine(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect("/var/run/docker.sock")
def get(path):
    engine = Engine("localhost")
    engine.request("GET", path)
    return json.loads(engine.getresponse().read())
label, want, target = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
query = "/containers/json?filters=" + urllib.parse.quote(json.dumps({"label": [label], "status": ["running"]}))
def pids():
    found = []
    for container in get(query):
        try:
            found.append(get("/containers/%s/json" % container["Id"])["State"]["Pid"])
        except KeyError:
            pass
    return [pid for pid in found if pid]
known, asked = pids(), time.time()
print("ready", flush=True)
deadline = time.time() + 10
while time.time() < deadline:
    for pid in known:
        try:
            if open("/proc/%d/root%s" % (pid, target), "rb").read() == want:
                print(time.time(), flush=True)
                sys.exit(0)
        except OSError:
            pass
    if time.time() - asked > 0.01:
        known, asked = pids(), time.time()
    time.sleep(0.001)
print("never", flush=True)
PY
# Runs "$@" (the rotation) while polling; prints the seconds until the value was seen, or "never".
time_rotation() {  # label, value, target, command...
  local label=$1 value=$2 target=$3
  shift 3
  python3 poll.py "$label" "$value" "$target" > poll.out &
  local poller=$!
  until grep -q ready poll.out 2>/dev/null; do sleep 0.01; done
  local start
  start=$(date +%s.%N)
  "$@" >/dev/null
  wait "$poller" || true
  local seen
  seen=$(tail -n 1 poll.out)
  if [ "$seen" = never ]; then echo never; else python3 -c "print(f'{$seen - $start:.3f}')"; fi
}
median() { sort -n | awk '{a[NR] = $1} END {print (a[NR] == "never" || NR == 0) ? "never" : a[int((NR + 1) / 2)]}'; }

stackup_rotation() {  # stack, round
  printf 'value-%s' "$2" | "$stackup" secret rotate token - && "$stackup" deploy -q "$1"
}
printf 'value-0' | "$stackup" secret create token - >/dev/null 2>&1
declare -A result
for mode in signal restart; do
  stack=bench${mode:0:3}
  extra=""
  [ "$mode" = signal ] && extra='    x-stackup: {change_mode: signal}'
  compose_file "$extra" "    external: true" > compose.yaml
  "$stackup" deploy -q "$stack"
  times=()
  for r in $(seq 1 "$rounds"); do
    value=$(( $(date +%s%N) ))
    times+=("$(time_rotation "com.docker.compose.service=svc1" "value-$value" /run/secrets/token stackup_rotation "$stack" "$value")")
  done
  result[$mode]=$(printf '%s\n' "${times[@]}" | median)
  echo "stackup change_mode $mode: ${times[*]} s (median ${result[$mode]} s)"
  "$stackup" down -q -t 0 "$stack"
done

# docker-compose: the file replaced, then up -d.
printf 'value-0' > token.txt
compose_file "" "    file: ./token.txt" > docker-compose.yml
docker-compose -p benchdc up -d >/dev/null 2>&1
compose_rotation() { printf '%s' "$1" > token.new && mv token.new token.txt && docker-compose -p benchdc up -d 2>/dev/null; }
result[compose]=$(time_rotation "com.docker.compose.project=benchdc" "value-1" /run/secrets/token compose_rotation value-1)
echo "docker-compose up -d after the file changed: ${result[compose]}"
docker-compose -p benchdc down -t 0 >/dev/null 2>&1

# Swarm's procedure.
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  made_swarm=1
fi
printf 'value-0' | docker secret create token - >/dev/null
compose_file "" "    external: true" | sed 's/stop_signal: SIGKILL/stop_grace_period: 1s/' > swarm.yml
docker stack deploy -c swarm.yml benchsw >/dev/null
until [ "$(docker service ls --filter label=com.docker.stack.namespace=benchsw --format '{{.Replicas}}' | grep -c '^1/1')" = "$services" ]; do
  sleep 0.5
done
swarm_rotation() {  # value, from, to
  printf '%s' "$1" | docker secret create "$3" - && docker service update -d --secret-rm "$2" \
    --secret-add "source=$3,target=token" benchsw_svc1
}
times=()
previous=token
for r in $(seq 1 "$rounds"); do
  times+=("$(time_rotation "com.docker.swarm.service.name=benchsw_svc1" "value-$r" /run/secrets/token swarm_rotation "value-$r" "$previous" "token_v$r")")
  previous=token_v$r
done
result[swarm]=$(printf '%s\n' "${times[@]}" | median)
echo "Swarm secret create + service update: ${times[*]} s (median ${result[swarm]} s)"
docker stack rm benchsw >/dev/null

python3 - "${result[signal]}" "${result[restart]}" "${result[swarm]}" "${result[compose]}" <<'PY'
import sys
signal, restart, swarm, compose = sys.argv[1:]
def ratio(other):
    return "never sees it" if other == "never" else f"{float(other) / float(signal):.1f}x slower"
print(f"change_mode signal: {float(signal) * 1000:.0f} ms until the new value is visible (target < 100 ms)")
print(f"restart: {ratio(restart)} (target >= 20x); Swarm procedure: {ratio(swarm)}; docker-compose: {ratio(compose)}")
PY
