# Sourced by the example tests (example_*.sh) after lib/engine_test.bash. Each test runs the steps of
# one examples/NAME/README.md in order, with the test's own stack name and store, and checks what
# they did from inside the containers.

# Absolute, as validate_binary.sh makes them: the steps run in another directory.
stackup=$(cd "$(dirname "$stackup")" && pwd)/$(basename "$stackup")
root=$(cd "$root" && pwd)

# begin_example NAME PREFIX: the stack is PREFIX<pid>, taken down with its volumes and secrets when
# the test ends (the examples have named volumes, which begin_stack's cleanup leaves). The steps
# change files (new keys, a rotated password, an edited compose file), so they run in a copy of the
# example. When tests/integration/stand-ins/NAME.yaml exists, COMPOSE_FILE adds it after
# compose.yaml: it swaps the images no registry can give here for the offline test image.
begin_example() {
  begin_stack "$2"
  trap '"$stackup" down -q -t 0 --volumes --secrets "$stack" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  cp -R "$root/examples/$1/." .
  local stand_in="$root/tests/integration/stand-ins/$1.yaml"
  if [ -f "$stand_in" ]; then
    export COMPOSE_FILE="compose.yaml:$stand_in"
    stand_in_keeps_secrets
  else
    unset COMPOSE_FILE  # the steps read compose.yaml, whatever the caller's environment says
  fi
}

# The stand-in may change how the services run (image, command, stop signal), nothing else: the
# merged model, without those, is the example's own, secrets and *_FILE variables included.
stand_in_keeps_secrets() {
  python3 - <(COMPOSE_FILE=compose.yaml "$stackup" config --format json) <("$stackup" config --format json) \
    "$image" <<'PY' || fail "the stand-in changes more than how the services run: $COMPOSE_FILE"
import json, sys
example, merged = (json.load(open(path)) for path in sys.argv[1:3])
for name, service in merged["services"].items():
    assert service["image"] == sys.argv[3], f"{name} runs {service['image']}"
for model in (example, merged):
    for service in model["services"].values():
        for key in ("image", "command", "stop_signal"):
            service.pop(key, None)
assert example == merged, (example, merged)
PY
}

# What a deploy or down shows on a terminal: each subject's last status (stderr that is not a
# terminal gets every status, "Creating" before "Started"), sorted, since containers of one
# level are handled side by side.
final_statuses() {
  awk '{ subject = $1 " " $2; if (!(subject in last)) order[++n] = subject; last[subject] = $0 }
       END { for (i = 1; i <= n; i++) print last[order[i]] }' | sort
}

# expect_eq WHAT ACTUAL EXPECTED: exact text, or a failure showing both.
expect_eq() {
  [ "$2" = "$3" ] || fail "$1: got
$2
--- want
$3"
}

in_container() { docker exec "$1" sh -c "$2"; }
container_id() { docker inspect -f '{{.Id}}' "$1"; }
