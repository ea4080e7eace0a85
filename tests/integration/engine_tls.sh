#!/usr/bin/env bash
# DOCKER_HOST=tcp://... with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, against the real engine behind a
# TLS endpoint that demands a client certificate signed by our CA (as dockerd --tlsverify does).
source "$(dirname "$0")/lib/engine_test.bash"
proxy=""
trap '[ -n "$proxy" ] && kill "$proxy" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
quiet() { "$@" >/dev/null 2>&1; }
quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 1 -subj "/CN=stackup test CA"
quiet openssl req -newkey rsa:2048 -nodes -keyout server-key.pem -out server.csr -subj "/CN=localhost"
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > server.ext
quiet openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out server.pem -days 1 -extfile server.ext
quiet openssl req -newkey rsa:2048 -nodes -keyout key.pem -out client.csr -subj "/CN=client"
quiet openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out cert.pem -days 1
port=$((20000 + RANDOM % 20000))
socat "OPENSSL-LISTEN:$port,reuseaddr,fork,bind=127.0.0.1,cert=server.pem,key=server-key.pem,cafile=ca.pem,verify=1" \
  UNIX-CONNECT:/var/run/docker.sock 2>/dev/null &
proxy=$!
for _ in $(seq 1 50); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

out=$(DOCKER_HOST="tcp://localhost:$port" DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$work" "$stackup" ls 2>&1) || fail "ls over TLS: $out"
grep -q "^NAME" <<<"$out" || fail "ls over TLS printed: $out"
# A deploy and down over TLS.
stack="tls$$"
trap '[ -n "$proxy" ] && kill "$proxy" 2>/dev/null; "$stackup" down -q -t 0 "$stack" >/dev/null 2>&1; rm -rf "$work"' EXIT
printf 'services:\n  web:\n    image: %s\n    command: ["sleep", "600"]\n    deploy: {replicas: 2}\n' "$image" > compose.yaml
tls() { DOCKER_HOST="tcp://localhost:$port" DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$work" timeout 120 "$stackup" "$@"; }
out=$(tls deploy -q "$stack" 2>&1) || fail "deploy over TLS: $out"
[ "$(docker inspect -f '{{.State.Running}}' "$stack-web-2")" = true ] || fail "deploy over TLS did not start web-2"
out=$(tls down -q -t 0 "$stack" 2>&1) || fail "down over TLS: $out"
[ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] || fail "down over TLS left containers"
# Without a client certificate the endpoint refuses the connection.
mkdir -p "$work/no-client" && cp ca.pem "$work/no-client/"
set +e
out=$(DOCKER_HOST="tcp://localhost:$port" DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$work/no-client" "$stackup" ls 2>&1); code=$?
set -e
[ "$code" -eq 1 ] && grep -q "cannot connect to the Docker engine at tcp://localhost:$port" <<<"$out" || fail "no client cert: $out"
echo "engine_tls: ok"
