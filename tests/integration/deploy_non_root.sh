#!/usr/bin/env bash
# stackup deploy as a user who is not root (in the docker group): no tmpfs can be mounted, so secrets
# go to a directory on an existing tmpfs (/dev/shm here), after statfs proves it is one; a path that
# is not on a tmpfs is refused; owners other than root or the user are refused.
source "$(dirname "$0")/lib/engine_test.bash"
[ "$(id -u)" -eq 0 ] || fail "this test needs root to create its unprivileged user"
user=stackupuser
id "$user" >/dev/null 2>&1 || useradd -m -G docker "$user"
chmod 755 "$work"
stack="nr$$"
as_user() { runuser -u "$user" -- env -u XDG_RUNTIME_DIR STACKUP_STORE="$work/store" HOME="/home/$user" "$@"; }
trap 'as_user "$work/stackup" down -q -t 0 --secrets "$stack" >/dev/null 2>&1 || true; rm -rf "$work" "/dev/shm/stackup-$(id -u "$user")"' EXIT
cp "$stackup" "$work/stackup"
mkdir -p "$work/app"
printf 'not-root-canary' > "$work/app/token.txt"
cat > "$work/app/compose.yaml" <<YAML
services:
  web:
    image: $image
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    secrets:
      - source: token
        mode: 0440
secrets:
  token:
    file: ./token.txt
YAML
chown -R "$user" "$work"
cd "$work/app"
as_user "$work/stackup" deploy -q "$stack" || fail "deploy as a user"
name=$(docker inspect -f '{{index .Config.Labels "com.stackup.secrets-directory"}}' "$stack-web-1")
dir="/dev/shm/stackup-$(id -u "$user")/$stack/$name"
[ -d "$dir" ] || fail "secrets are not under /dev/shm: $dir"
[ "$(stat -f -c %T "$dir")" = tmpfs ] || fail "$dir is not on a tmpfs"
[ "$(docker exec "$stack-web-1" cat /run/secrets/token)" = not-root-canary ] || fail "secret content"
[ "$(docker exec "$stack-web-1" stat -c %a /run/secrets/token)" = 440 ] || fail "secret mode"
# down overwrites each file before unlinking it, even one the user may only read (mode 0440): a
# descriptor held open on it sees zeros afterwards.
exec 3<"$dir/0-token"
as_user "$work/stackup" down -q -t 0 "$stack" || fail "down as a user"
[ ! -e "$dir" ] || fail "down left $dir"
[ "$(tr -d '\0' <&3 | wc -c)" -eq 0 ] || fail "down unlinked the secret without overwriting it"
exec 3<&-

# Another local user cannot plant the runtime directory: not as a directory of theirs, not as a link.
other=stackupother
id "$other" >/dev/null 2>&1 || useradd -m "$other"
# Not in the docker group: the engine's socket refuses them, and stackup says what to do.
out=$(runuser -u "$other" -- env -u DOCKER_HOST "$work/stackup" ps "$stack" 2>&1) && fail "ps without the docker group worked"
[ "$out" = "stackup: error: cannot connect to the Docker engine at unix:///var/run/docker.sock: permission denied on /var/run/docker.sock: add your user to the docker group (and log in again), or use sudo" ] \
  || fail "no docker group: $out"
planted="/dev/shm/stackup-$(id -u "$user")"
rm -rf "$planted"
refused() {  # what the planted path should be refused for
  set +e
  out=$(as_user "$work/stackup" deploy "$stack" 2>&1); code=$?
  set -e
  [ "$code" -eq 1 ] && grep -qF "stackup: error: refusing to use $planted for secrets: $1" <<<"$out" || fail "planted: $out"
  [ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] || fail "a refused deploy created containers"
}
runuser -u "$other" -- mkdir -m 0777 "$planted"
refused "it is owned by $other (uid $(id -u "$other")), but stackup runs as $user (uid $(id -u "$user")); another user may have made it to read or swap secrets: remove it"
rmdir "$planted"
runuser -u "$other" -- ln -s "/home/$other" "$planted"
refused "it is a symbolic link"
rm "$planted"

# Another owner needs root.
sed -i 's/        mode: 0440/        uid: "999"/' compose.yaml
set +e
out=$(as_user "$work/stackup" deploy "$stack" 2>&1); code=$?
set -e
[ "$code" -eq 1 ] && grep -qF "secret file owner 999:0 needs root: run stackup as root, or drop uid/gid" <<<"$out" || fail "uid 999: $out"
[ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] || fail "the refused deploy left containers"

# A runtime directory that is not a tmpfs is refused: plaintext never goes to a persistent disk.
sed -i 's/        uid: "999"/        mode: 0400/' compose.yaml
persistent=""
for candidate in "/home/$user" /var/tmp "$work"; do
  if [ "$(stat -f -c %T "$candidate")" != tmpfs ]; then persistent="$candidate/stackup-not-tmpfs-$$"; break; fi
done
[ -n "$persistent" ] || fail "no directory off tmpfs to test the refusal with"
mkdir -p "$persistent" && chown "$user" "$persistent"
set +e
out=$(runuser -u "$user" -- env XDG_RUNTIME_DIR="$persistent" STACKUP_STORE="$work/store" HOME="/home/$user" "$work/stackup" deploy "$stack" 2>&1); code=$?
set -e
[ "$code" -eq 1 ] && grep -qF "it is not on a tmpfs, and mounting one needs root" <<<"$out" || fail "persistent runtime dir: $out"
grep -r -a -q not-root-canary "$persistent" && fail "plaintext reached a persistent directory"
rm -rf "$persistent"
echo "deploy_non_root: ok"
