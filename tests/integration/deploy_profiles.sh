#!/usr/bin/env bash
# Profiles through deploy, on a real engine (it FAILS without one): a service in a profile is not
# created until the profile is active (--profile or COMPOSE_PROFILES), and config --services lists
# what would run.
source "$(dirname "$0")/lib/engine_test.bash"
begin_stack prof
cat > compose.yaml <<YAML
services:
  web:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  debugger:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    profiles: [debug]
YAML
containers() { docker ps -a --filter "label=com.docker.stack.namespace=$stack" --format '{{.Names}}' | sort | tr '\n' ' '; }

[ "$("$stackup" config --services)" = "web" ] || fail "config --services: $("$stackup" config --services)"
[ "$("$stackup" config --services --profile debug | tr '\n' ' ')" = "web debugger " ] || fail "config --services --profile debug"
"$stackup" deploy -q "$stack" || fail "deploy"
[ "$(containers)" = "$stack-web-1 " ] || fail "without the profile: $(containers)"
COMPOSE_PROFILES=debug "$stackup" deploy -q "$stack" || fail "deploy with COMPOSE_PROFILES"
[ "$(containers)" = "$stack-debugger-1 $stack-web-1 " ] || fail "with the profile: $(containers)"
echo "deploy_profiles: ok"
