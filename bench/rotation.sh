#!/usr/bin/env bash
# Rotation without a restart. In a stack of 30 services where one (svc1) uses a secret, the time
# from `stackup secret rotate` until svc1's container reads the new value at its target:
# - stackup, x-stackup change_mode: signal: `secret rotate --deploy`; the value goes in place, SIGHUP
#   sent (and, for reference, the same as two commands: `secret rotate`, then `deploy`);
# - stackup, change_mode: restart (the default): `secret rotate --deploy`; svc1's container is recreated;
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

# Runs the rotation and times it: `poll.py LABEL VALUE TARGET COMMAND...` starts COMMAND with VALUE on
# its standard input, and prints the seconds from just before that start until a running container
# with label LABEL reads VALUE at TARGET, or "never" after 10 s. It reads the file of each known
# container's PID every millisecond; it learns of a new container (a restart makes one) from the
# engine's event stream, which costs nothing while nothing starts, rather than by asking the engine
# again and again (on two cores, that took CPU from what it timed). The clock starts in the poller
# itself, so no shell or `date` process is counted.
cat > poll.py <<'PY'
import http.client, json, socket, subprocess, sys, threading, time, urllib.parse
class Engine(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect("/var/run/docker.sock")
def get(path):
    engine = Engine("localhost")
    engine.request("GET", path)
    return json.loads(engine.getresponse().read())
def pid_of(container):
    return get("/containers/%s/json" % container)["State"]["Pid"]
label, want, target, command = sys.argv[1], sys.argv[2].encode(), sys.argv[3], sys.argv[4:]
pids = set()
events = Engine("localhost")
events.request("GET", "/events?filters=" + urllib.parse.quote(json.dumps(
    {"type": ["container"], "event": ["start"], "label": [label]})))
stream = events.getresponse()
def follow():
    try:
        for line in stream:
            try:
                pids.add(pid_of(json.loads(line)["Actor"]["ID"]))
            except (KeyError, OSError, ValueError, http.client.HTTPException):
                pass  # gone again before it was inspected
    except (OSError, http.client.HTTPException) as error:
        print("the engine's event stream broke: %s" % error, file=sys.stderr)
threading.Thread(target=follow, daemon=True).start()
running = "/containers/json?filters=" + urllib.parse.quote(json.dumps({"label": [label], "status": ["running"]}))
pids.update(pid_of(container["Id"]) for container in get(running))
start = time.monotonic()
rotation = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
rotation.stdin.write(want)
rotation.stdin.close()
seen = None
while seen is None and time.monotonic() - start < 10:
    for pid in list(pids):
        try:
            with open("/proc/%d/root%s" % (pid, target), "rb") as file:
                if file.read() == want:
                    seen = time.monotonic() - start
                    break
        except OSError:
            pass
    else:
        time.sleep(0.001)
if rotation.wait() != 0:
    sys.exit("the rotation failed: %s" % " ".join(command))
print("never" if seen is None else "%.3f" % seen)
PY
median() { sort -n | awk '{a[NR] = $1} END {print (a[NR] == "never" || NR == 0) ? "never" : a[int((NR + 1) / 2)]}'; }

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
    times+=("$(python3 poll.py "com.docker.compose.service=svc1" "value-$value" /run/secrets/token \
      "$stackup" secret rotate token - --deploy -q -p "$stack")")
  done
  result[$mode]=$(printf '%s\n' "${times[@]}" | median)
  echo "stackup change_mode $mode: ${times[*]} s (median ${result[$mode]} s)"
  if [ "$mode" = signal ]; then
    times=()
    for r in $(seq 1 "$rounds"); do
      value=$(( $(date +%s%N) ))
      times+=("$(python3 poll.py "com.docker.compose.service=svc1" "value-$value" /run/secrets/token \
        sh -c '"$0" secret rotate token - >/dev/null && exec "$0" deploy -q "$1"' "$stackup" "$stack")")
    done
    two_commands=$(printf '%s\n' "${times[@]}" | median)
    echo "stackup change_mode signal, secret rotate then deploy: ${times[*]} s (median $two_commands s)"
  fi
  "$stackup" down -q -t 0 "$stack"
done

# docker-compose: the file replaced, then up -d.
printf 'value-0' > token.txt
compose_file "" "    file: ./token.txt" > docker-compose.yml
docker-compose -p benchdc up -d >/dev/null 2>&1
result[compose]=$(python3 poll.py "com.docker.compose.project=benchdc" "value-1" /run/secrets/token \
  sh -c 'cat > token.new && mv token.new token.txt && exec docker-compose -p benchdc up -d 2>/dev/null')
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
times=()
previous=token
for r in $(seq 1 "$rounds"); do
  times+=("$(python3 poll.py "com.docker.swarm.service.name=benchsw_svc1" "value-$r" /run/secrets/token \
    sh -c 'docker secret create "$1" - >/dev/null && exec docker service update -q -d --secret-rm "$0" \
      --secret-add "source=$1,target=token" benchsw_svc1' "$previous" "token_v$r")")
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
