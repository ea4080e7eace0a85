#!/usr/bin/env bash
# include: and extends: through deploy, on a real engine (it FAILS without one): an included
# application's secret is materialized from the file beside it, not from the including project's
# directory; an extended service from another file runs with what it inherits; config prints the
# resolved services, without include: or extends:.
source "$(dirname "$0")/lib/engine_test.bash"
begin_stack incl
mkdir -p db lib
cat > compose.yaml <<YAML
include:
  - db/compose.yaml
services:
  web:
    extends: {file: lib/base.yml, service: sleeper}
    depends_on: [db]
    secrets: [db_password]
YAML
cat > db/compose.yaml <<YAML
services:
  db:
    image: \${DB_IMAGE}
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    secrets: [db_password]
secrets:
  db_password:
    file: ./password.txt
YAML
echo "DB_IMAGE=$image" > db/.env
printf 'included-canary-%s' "$$" > db/password.txt
printf 'wrong-file' > password.txt
cat > lib/base.yml <<YAML
services:
  sleeper:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    environment: {ROLE: inherited}
YAML

config=$("$stackup" config)
grep -q 'extends\|include' <<<"$config" && fail "config still shows extends or include: $config"
grep -q "file: $PWD/db/password.txt" <<<"$config" || fail "config: the included secret's file is not db/password.txt: $config"
"$stackup" deploy -q "$stack" || fail "deploy"
for service in db web; do
  value=$(docker exec "$stack-$service-1" cat /run/secrets/db_password)
  [ "$value" = "included-canary-$$" ] || fail "$service reads '$value' from its secret, not db/password.txt"
done
[ "$(docker exec "$stack-web-1" sh -c 'echo $ROLE')" = "inherited" ] || fail "web did not inherit its environment"
echo "deploy_include_extends: ok"
