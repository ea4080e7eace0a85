#!/usr/bin/env bash
# Docker's CLI habits, on the real binary and a real engine (it FAILS without one):
# - options before the command (`stackup -f x.yml validate`, `stackup --store D secret ls`); `-f -`;
# - usage errors as "stackup: error:" with the user's words in order and where to read more; a typo
#   gets the closest command;
# - --format table, json (one object per line, each parsed) and Go templates for ls, ps, secret ls
#   and secret inspect; `secret ls -q` prints IDs, `--filter name=`; `ps -q`, `-a` and PORTS;
# - down, ps and check work from a stack name alone, without the compose file or its secret files;
# - `--store` naming a file says "not a directory"; a missing external secret is named before the
#   engine is asked;
# - `secret create NAME` on a terminal asks with echo off and keeps no newline.
source "$(dirname "$0")/lib/engine_test.bash"
begin_stack habits
expect_eq() { [ "$2" = "$3" ] || fail "$1: got [$2], want [$3]"; }
usage() { set +e; out=$("$stackup" "$@" 2>&1); code=$?; set -e; [ "$code" = 2 ] || fail "exit $code for: $*"; }

# Options before the command.
mkdir other && printf 'services:\n  a:\n    image: %s\n' "$image" > other/x.yml
expect_eq "-f before validate" "$("$stackup" -f other/x.yml validate 2>&1)" "other/x.yml: valid (0 errors, 0 warnings)"
expect_eq "-f - (standard input)" "$(printf 'services:\n  a:\n    image: x\n' | "$stackup" validate -f - 2>&1)" "<stdin>: valid (0 errors, 0 warnings)"
expect_eq "-p before config --services" "$("$stackup" -p demo -f other/x.yml config --services)" "a"
printf 'one' | "$stackup" --store "$work/other-store" secret create first - >/dev/null 2>&1 || fail "--store before secret create"
expect_eq "--store before secret ls" "$("$stackup" --store "$work/other-store" secret ls --format '{{.Name}}')" "first"

# Usage errors.
usage validate --bogus a b
expect_eq "unexpected arguments" "$out" "stackup: error: unexpected arguments '--bogus' 'a' 'b'
See 'stackup validate --help'."
usage -f x.yml secret ls
expect_eq "-f before a command where it means something else" "$out" "stackup: error: unexpected arguments '-f' 'x.yml'
See 'stackup secret ls --help'."
usage config -x
expect_eq "one unexpected argument" "$out" "stackup: error: unexpected argument '-x'
See 'stackup config --help'."
expect_eq "config -q" "$("$stackup" -f other/x.yml config -q 2>&1)" ""
usage secret ls --format yaml
expect_eq "a bad format" "$out" "stackup: error: --format: \"yaml\" is not a format: use table, json or a Go template such as '{{.Name}}'
See 'stackup secret ls --help'."
usage valdiate
expect_eq "a typo" "$out" "stackup: error: unknown command 'valdiate': did you mean 'validate'?"
usage
expect_eq "no command" "$out" "stackup: error: a command is required
See 'stackup --help'."
set +e; out=$("$stackup" --store /etc/passwd secret ls 2>&1); code=$?; set -e
expect_eq "--store FILE" "$code $out" "1 stackup: error: the secret store /etc/passwd is not a directory: name a directory with --store or STACKUP_STORE"

# What needs no engine is checked before the engine is asked: a missing external secret is named
# even when no engine answers.
printf 'services:\n  a:\n    image: %s\n    secrets: [nothere]\nsecrets:\n  nothere:\n    external: true\n' "$image" > other/external.yml
set +e; out=$(DOCKER_HOST=unix:///nonexistent/docker.sock "$stackup" deploy -f other/external.yml noengine 2>&1); code=$?; set -e
expect_eq "store checks first" "$code $out" \
  "1 stackup: error: secret not found: nothere; create it first: stackup secret create nothere FILE"

# The secret listing's formats.
printf 'v' | "$stackup" secret create "${stack}_api" - >/dev/null
printf 'v' | "$stackup" secret create "${stack}_db" - >/dev/null
id=$("$stackup" secret inspect "${stack}_api" --format '{{.ID}}')
[[ $id =~ ^[a-z0-9]{25}$ ]] || fail "secret inspect --format '{{.ID}}': $id"
expect_eq "secret ls -q (IDs)" "$("$stackup" secret ls -q --filter "name=${stack}_a")" "$id"
expect_eq "--filter name=" "$("$stackup" secret ls --filter "name=${stack}_" --format '{{.Name}} v{{.Version}}')" "${stack}_api v1
${stack}_db v1"
"$stackup" secret ls --format json | python3 -c 'import json, sys
rows = [json.loads(line) for line in sys.stdin]
assert len(rows) == 2 and [r["Name"] for r in rows] == [sys.argv[1] + "_api", sys.argv[1] + "_db"], rows' "$stack" \
  || fail "secret ls --format json is not one object per line"
table=$("$stackup" secret ls --filter "name=${stack}_api" --format 'table {{.Name}}\t{{.Version}}')
width=$(( ${#stack} + 7 ))  # the name's column: its longest cell and three spaces
expect_eq "a table template" "$table" "$(printf "%-${width}s%s\n%-${width}s%s" NAME VERSION "${stack}_api" 1)"
expect_eq "json in a template" "$("$stackup" secret inspect "${stack}_api" --format '{{json .Labels}} {{.Size}}')" "{} 1"
set +e; out=$("$stackup" secret ls --format '{{.Nope}}' 2>&1); code=$?; set -e
expect_eq "an unknown field" "$code $out" \
  "1 stackup: error: template: no field .Nope; the fields are .ID, .Name, .Version, .CreatedAt, .UpdatedAt, .Labels"

# A stack: ps, ls, then down from the name alone.
printf 'token' > token.txt
cat > compose.yaml <<YAML
services:
  web:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    ports: ["127.0.0.1:18080:80"]
    secrets: [token]
  job:
    image: $image
    command: ["true"]
secrets:
  token:
    file: ./token.txt
YAML
"$stackup" deploy -q "$stack" || fail "deploy"
for _ in $(seq 50); do [ "$(docker inspect -f '{{.State.Status}}' "$stack-job-1")" = exited ] && break; sleep 0.1; done
expect_eq "ps (running only)" "$("$stackup" ps "$stack" --format '{{.Name}} {{.Ports}}')" "$stack-web-1 127.0.0.1:18080->80/tcp"
expect_eq "ps -a" "$("$stackup" ps -a "$stack" --format '{{.Name}}')" "$stack-job-1
$stack-web-1"
expect_eq "ps -q" "$("$stackup" ps -q "$stack")" "$(docker inspect -f '{{.Id}}' "$stack-web-1")"
"$stackup" ps "$stack" | grep -q "^NAME .* PORTS$" || fail "ps has no PORTS column: $("$stackup" ps "$stack")"
"$stackup" ps -a "$stack" --format json | python3 -c 'import json, sys
assert [json.loads(line)["Service"] for line in sys.stdin] == ["job", "web"]' || fail "ps --format json"
"$stackup" ls -q | grep -qx "$stack" || fail "ls -q"
"$stackup" ls --format json | python3 -c 'import json, sys
rows = [json.loads(line) for line in sys.stdin]
assert any(r["Name"] == sys.argv[1] and r["Orchestrator"] == "local" and r["Services"] == 2 for r in rows), rows' "$stack" \
  || fail "ls --format json"
cd "$work" && rm -rf "$work/app"
"$stackup" check "$stack" >/dev/null || fail "check from the stack name alone"
"$stackup" down -q -t 0 "$stack" || fail "down from the stack name alone, without its files"
[ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] || fail "down left containers"

# A value typed on a terminal: asked with echo off, stored without its newline. Typed once the
# prompt shows (readpassphrase discards what was typed before it, as a terminal should).
python3 - "$stackup" "${stack}_typed" <<'PY' || fail "typing a value at the prompt"
import os, pty, sys
pid, terminal = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "secret", "create", sys.argv[2]])
shown = b""
while b"Value of secret " + sys.argv[2].encode() + b": " not in shown:
    shown += os.read(terminal, 1024)
os.write(terminal, b"typed-value\n")
while True:
    try:
        chunk = os.read(terminal, 1024)
    except OSError:
        break
    if not chunk:
        break
    shown += chunk
_, status = os.waitpid(pid, 0)
assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, (status, shown)
assert b"typed-value" not in shown, "the typed value was echoed"
PY
expect_eq "the typed value" "$("$stackup" secret reveal "${stack}_typed")" "typed-value"
[ "$("$stackup" secret reveal "${stack}_typed" | wc -c)" = 11 ] || fail "the newline was stored"
# Ctrl-C at the prompt ends stackup and gives the terminal its echo back.
python3 - "$stackup" "${stack}_interrupted" <<'PY' || fail "Ctrl-C at the prompt"
import os, pty, sys, termios, time
pid, terminal = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "secret", "create", sys.argv[2]])
shown = b""
while b"Value of secret" not in shown:
    shown += os.read(terminal, 1024)
time.sleep(0.2)
assert not termios.tcgetattr(terminal)[3] & termios.ECHO, "echo is on at the prompt"
os.write(terminal, b"\x03")
_, status = os.waitpid(pid, 0)
assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == 2, status
assert termios.tcgetattr(terminal)[3] & termios.ECHO, "echo stays off after Ctrl-C"
PY
"$stackup" secret ls --format '{{.Name}}' | grep -q "${stack}_interrupted" && fail "an interrupted create stored a secret"
"$stackup" secret rm "${stack}_typed" >/dev/null
ids=$("$stackup" secret ls -q --filter "name=${stack}_api" --filter "name=${stack}_db")
[ "$(wc -l <<<"$ids")" = 2 ] || fail "secret ls -q: $ids"
expect_eq "secret rm by the IDs secret ls -q prints" "$("$stackup" secret rm $ids)" "$ids"
expect_eq "nothing left" "$("$stackup" secret ls -q --filter "name=${stack}_api" --filter "name=${stack}_db")" ""
echo "cli_habits: ok"
