#!/usr/bin/env bash
# Installs the Debian packages that stackup's build, tests and demo need. Idempotent; run as root.
# Nothing is downloaded at build time: every dependency comes from here.
set -euo pipefail

build_packages=(
  cmake g++ make pkg-config git
  libyaml-cpp-dev libcli11-dev libssl-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libcurl4-openssl-dev libsqlite3-dev libvalijson-dev libgtest-dev libgmock-dev
)
# clang 19 + compiler-rt: the libFuzzer target (clang 14 cannot use libstdc++ 12's std::expected).
# pass and gnupg: a real password manager for the secret-command tests.
test_packages=(clang-19 libclang-rt-19-dev python3 pass gnupg)
# A real Docker engine and an offline image (busybox-static) for the integration tests and the demo.
engine_packages=(docker.io busybox-static iproute2 util-linux socat openssl docker-registry)

want=("${build_packages[@]}" "${test_packages[@]}")
if [ "${1:-}" != "--build-only" ]; then want+=("${engine_packages[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run this script as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
