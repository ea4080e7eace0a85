#!/usr/bin/env bash
# configs: on a real engine. A file-backed config is a read-only bind of its file; content: and
# environment: configs are written on the container's secrets tmpfs with their uid, gid and mode, and
# an environment value is on no persistent disk; a changed value recreates the config's users only.
source "$(dirname "$0")/lib/engine_test.bash"
begin_stack cfg
printf 'worker_processes 1;\n' > nginx.conf
cat > compose.yaml <<YAML
services:
  web:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    configs:
      - source: nginx
        target: /etc/nginx/nginx.conf
      - source: motd
        uid: "101"
        mode: 0440
      - source: banner
        target: etc/banner
  other:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    configs: [nginx]
configs:
  nginx:
    file: ./nginx.conf
  motd:
    content: |
      welcome to \$\$HOST
  banner:
    environment: BANNER
YAML
canary="config-canary-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
BANNER="$canary" "$stackup" deploy -q "$stack" || fail "deploy"
in_web() { docker exec "$stack-web-1" sh -c "$1"; }
[ "$(in_web 'cat /etc/nginx/nginx.conf')" = "worker_processes 1;" ] || fail "file config content"
[ "$(in_web 'cat /motd')" = 'welcome to $HOST' ] || fail "content config: $(in_web 'cat /motd')"
[ "$(in_web 'stat -c "%a %u %g" /motd')" = "440 101 0" ] || fail "content config mode and owner: $(in_web 'stat -c "%a %u %g" /motd')"
[ "$(in_web 'cat /etc/banner')" = "$canary" ] || fail "environment config content"
in_web 'grep " /etc/banner " /proc/mounts' | grep -q "^tmpfs /etc/banner tmpfs ro," || fail "environment config is not on a read-only tmpfs"
in_web 'touch /motd' 2>/dev/null && fail "a config is writable"
[ "$(docker exec "$stack-other-1" sh -c 'ls /motd /etc/banner 2>/dev/null | wc -l')" -eq 0 ] || fail "other got configs it does not use"
grep -r -a -q -e "$canary" "$STACKUP_STORE" /var/lib/docker 2>/dev/null && fail "the environment config's value is on disk"

other_before=$(docker inspect -f '{{.Id}}' "$stack-other-1")
web_before=$(docker inspect -f '{{.Id}}' "$stack-web-1")
BANNER="$canary" "$stackup" deploy -q "$stack" || fail "redeploy"
[ "$(docker inspect -f '{{.Id}}' "$stack-web-1")" = "$web_before" ] || fail "an unchanged config recreated web"
BANNER="changed" "$stackup" deploy -q "$stack" || fail "deploy with a changed config"
[ "$(docker inspect -f '{{.Id}}' "$stack-web-1")" != "$web_before" ] || fail "a changed config did not recreate web"
[ "$(docker inspect -f '{{.Id}}' "$stack-other-1")" = "$other_before" ] || fail "a changed config recreated other"
[ "$(in_web 'cat /etc/banner')" = changed ] || fail "changed environment config"
echo "deploy_configs: ok"
