#!/usr/bin/env bash
# Configures and builds stackup in build/ (Release). Extra arguments go to cmake's configure step.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
# -Werror here, for development and CI; a packager's build leaves it off (see CMakeLists.txt).
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSTACKUP_WERROR=ON "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
