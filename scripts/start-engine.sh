#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine: uses a running one, or starts Debian's dockerd
# (vfs storage, no iptables: it works inside containers and CI sandboxes). Then makes sure the offline
# test image exists: busybox-static imported as a one-layer image, since no registry is reachable.
# Exits non-zero, with the engine's log, when no engine can be had: tests that need one then fail.
set -euo pipefail
image=${STACKUP_TEST_IMAGE:-stackup-test/busybox:1}
log=/tmp/stackup-dockerd.log

# Tests run in parallel and each makes sure of the engine: one at a time starts it.
exec 9>/tmp/stackup-start-engine.lock
flock -w 300 9 || { echo "start-engine: another start-engine.sh held its lock for 300 s" >&2; exit 1; }

if ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then echo "start-engine: no Docker engine answers and starting one needs root" >&2; exit 1; fi
  command -v dockerd >/dev/null || { echo "start-engine: dockerd is not installed (scripts/install-deps.sh)" >&2; exit 1; }
  # 9>&-: the daemon outlives this script and must not hold the lock, or every later caller waits forever.
  nohup dockerd --storage-driver=vfs --iptables=false </dev/null >"$log" 2>&1 9>&- &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! docker info >/dev/null 2>&1; then
    echo "start-engine: dockerd did not start; its log:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
fi

if ! docker image inspect "$image" >/dev/null 2>&1; then
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/run"
  cp /bin/busybox "$rootfs/bin/busybox"
  for tool in sh cat ls stat sleep id grep wc awk true false echo env touch; do ln -s busybox "$rootfs/bin/$tool"; done
  echo 'root:x:0:0:root:/:/bin/sh' > "$rootfs/etc/passwd"
  echo 'root:x:0:' > "$rootfs/etc/group"
  tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/sh"]' - "$image" >/dev/null
fi
