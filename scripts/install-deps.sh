#!/usr/bin/env bash
# Installs the Debian packages that stackup's build, tests and demo need. Idempotent; run as root.
# Nothing is downloaded at build time: every dependency comes from here.
set -euo pipefail

build_packages=(
  cmake g++ make pkg-config git
  libyaml-dev libcli11-dev libgcrypt20-dev libfmt-dev nlohmann-json3-dev
  libgnutls28-dev libsqlite3-dev libvalijson-dev libgtest-dev libgmock-dev libbsd-dev
)
# clang 19 + compiler-rt: the libFuzzer target (clang 14 cannot use libstdc++ 12's std::expected).
# pass and gnupg: a real password manager for the secret-command tests; zsh and fish: the
# completion scripts are loaded by the shells they are for.
test_packages=(clang-19 libclang-rt-19-dev python3 pass gnupg zsh fish)
# A real Docker engine and an offline image (busybox-static) for the integration tests and the demo.
# mmdebstrap: the clean Debian 12 root the package test installs the .deb in (made below).
engine_packages=(docker.io busybox-static iproute2 util-linux socat openssl docker-registry mmdebstrap)

want=("${build_packages[@]}" "${test_packages[@]}")
if [ "${1:-}" != "--build-only" ]; then want+=("${engine_packages[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}; run this script as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ "${1:-}" != "--build-only" ] || exit 0

# A clean Debian 12 root for tests/integration/package.sh, which installs the .deb there with
# apt-get, offline: made once, with man-db, and with the packages of the libraries the binary links
# downloaded but not installed (the test fails if the .deb comes to need one more).
clean_root=/var/cache/stackup/bookworm-root.tar
# The runtime libraries the package depends on, downloaded into the root; a changed list rebuilds it.
runtime_libraries="libbsd0 libgcrypt20 libgnutls30 libfmt9 libsqlite3-0 libyaml-0-2"
if [ "$(id -u)" -eq 0 ] && { [ ! -s "$clean_root" ] || [ "$(cat "$clean_root.libraries" 2>/dev/null)" != "$runtime_libraries" ]; }; then
  mkdir -p "$(dirname "$clean_root")"
  mmdebstrap --quiet --variant=apt --include=man-db --skip=cleanup/apt \
    --customize-hook="chroot \"\$1\" apt-get install --download-only -y -qq $runtime_libraries" \
    bookworm "${clean_root%.tar}.partial.tar" http://deb.debian.org/debian
  mv "${clean_root%.tar}.partial.tar" "$clean_root"
  echo "$runtime_libraries" > "$clean_root.libraries"
fi
