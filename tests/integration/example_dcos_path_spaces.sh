#!/usr/bin/env bash
# examples/dcos-path-spaces/README.md, step by step on a real engine (it FAILS without one): secrets
# named developer/... made from a value and from a file, listed by space, used by a stack in the
# developer space at /run/secrets/<last segment>, refused (validate and deploy) to a stack in the
# operations space, and allowed to one below developer by --space. The example runs the offline
# test image itself: no stand-in.
source "$(dirname "$0")/lib/engine_test.bash"
source "$(dirname "$0")/lib/example_test.bash"
begin_example dcos-path-spaces dcos
outside=${stack}ops
trap '"$stackup" down -q -t 0 "$outside" >/dev/null 2>&1 || true; "$stackup" down -q -t 0 "$stack" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
refusal="service \"report\" may not use secret \"developer/my-secret\": the secret is in space \"developer\" and stack \"operations-app\" is in space \"operations\"; a secret in a space is usable only by stacks in that space or below it: set x-stackup-space: developer at the top of the file (or --space developer)"

# 1. From a value and from a file; an unrelated secret outside the space.
printf 'my-secret-value' | "$stackup" secret create developer/my-secret - >/dev/null 2>&1 || fail "create from a value"
"$stackup" secret create developer/my-file-secret ./secrets/my-file-secret.txt >/dev/null || fail "create from a file"
printf 'other' | "$stackup" secret create ops-token - >/dev/null || fail "create ops-token"

# 2. One space.
expect_eq "secret ls --space" "$("$stackup" secret ls --space developer | awk 'NR > 1 { print $2 }')" \
  "developer/my-file-secret
developer/my-secret"

# 3. Validate, plan, deploy; the files at the last segment of their paths.
expect_eq "validate" "$("$stackup" validate 2>&1)" "compose.yaml: valid (0 errors, 0 warnings)"
expect_eq "dry run" "$("$stackup" deploy --dry-run "$stack" 2>&1)" "secret developer/my-file-secret: version 1 (external)
secret developer/my-secret: version 1 (external)
network ${stack}_default: create
container $stack-app-1: create (new service)
dry run: nothing was changed"
"$stackup" deploy -q "$stack" || fail "deploy"
expect_eq "MY_SECRET_FILE" "$(docker exec "$stack-app-1" sh -c 'cat "$MY_SECRET_FILE"')" "my-secret-value"
expect_eq "my-file-secret" "$(docker exec "$stack-app-1" stat -c '%u %g %a %n' /run/secrets/my-file-secret)" \
  "0 0 400 /run/secrets/my-file-secret"
expect_eq "from the file" "$(docker exec "$stack-app-1" cat /run/secrets/my-file-secret)" "$(cat secrets/my-file-secret.txt)"
# Beyond the README: in-use filters.
expect_eq "in use" "$("$stackup" secret ls --format '{{.Name}}' --filter in-use=true)" "developer/my-file-secret
developer/my-secret"
expect_eq "not in use" "$("$stackup" secret ls --format '{{.Name}}' --filter in-use=false)" "ops-token"

# 4. Another space: refused by validate at the reference, and by deploy, which creates nothing.
out=$("$stackup" validate -c outside.yaml 2>&1) && fail "validate accepted the other space"
expect_eq "validate outside" "$(head -n 1 <<<"$out")" "outside.yaml:10:9: error: services.report.secrets[0]: $refusal [secret-space]"
out=$("$stackup" deploy -c outside.yaml -p operations-app "$outside" 2>&1) && fail "deploy accepted the other space"
grep -qF "may not use secret \"developer/my-secret\": the secret is in space \"developer\"" <<<"$out" || fail "deploy outside: $out"
[ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$outside")" ] || fail "the refused deploy created a container"

# 5. A space below developer may.
"$stackup" deploy -q --space developer/backend -c outside.yaml "$outside" || fail "deploy with --space developer/backend"
expect_eq "below the space" "$(docker exec "$outside-report-1" cat /run/secrets/my-secret)" "my-secret-value"

# 6. Down.
"$stackup" down -q "$outside" && "$stackup" down -q "$stack" || fail "down"
echo "example_dcos_path_spaces: ok"
