#!/usr/bin/env bash
# The binary is built hardened, as Debian's packages are: position-independent, a read-only GOT bound
# at start (RELRO, BIND_NOW), stack canaries, and fortified libc calls in optimized builds.
set -euo pipefail
stackup=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
headers=$(readelf -h -l -d "$stackup")
symbols=$(readelf --dyn-syms -W "$stackup")
grep -qE "Type: +DYN" <<<"$headers" || fail "not a position-independent executable"
grep -q "GNU_RELRO" <<<"$headers" || fail "no RELRO segment"
grep -qE "BIND_NOW|FLAGS_1.*NOW" <<<"$headers" || fail "not bound at start (-z now)"
grep -q "__stack_chk_fail" <<<"$symbols" || fail "no stack protector"
# The sanitizer build is unoptimized, where _FORTIFY_SOURCE does nothing.
if ! grep -q "__asan_init" <<<"$symbols"; then
  grep -oE "__[a-z]+_chk" <<<"$symbols" | grep -qv "^__stack_chk$" || fail "no fortified libc calls (_FORTIFY_SOURCE)"
fi
echo "binary_hardening: ok"
