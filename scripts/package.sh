#!/usr/bin/env bash
# Builds stackup_<version>_<arch>.deb in build-package/ (the binary alone: no tests, no -Werror),
# its dependencies the Debian runtime libraries it links (dpkg-shlibdeps). Install it with
#   apt-get install ./build-package/stackup_*.deb
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-package}
bash "$root/scripts/install-deps.sh" --build-only
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSTACKUP_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)"
(cd "$build" && cpack -G DEB >/dev/null)
ls "$build"/stackup_*.deb
