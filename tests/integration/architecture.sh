#!/usr/bin/env bash
# README's architecture map, enforced: each folder includes only the folders below it
# (cli -> deploy -> compose, store, engine -> base; cli may also use compose, store and engine), and
# each third-party library is included by its one module only, directly or through our headers.
set -euo pipefail
root=$2
cd "$root/src"
fail=0
allowed() {
  case "$1" in
    base) echo "base" ;;
    compose|store|engine) echo "base $1" ;;
    deploy) echo "base compose store engine deploy" ;;
    cli) echo "base compose store engine deploy cli" ;;
  esac
}
for folder in base compose store engine deploy cli; do
  for used in $(grep -ho '#include "[a-z_]*/' "$folder"/* | sed 's/#include "//; s#/##' | sort -u); do
    if ! grep -qw "$used" <<<"$(allowed "$folder")"; then
      echo "FAIL: src/$folder includes src/$used: $(grep -l "#include \"$used/" "$folder"/* | tr '\n' ' ')" >&2
      fail=1
    fi
  done
done
# library header -> the one folder that may include it
for rule in "yaml compose" "valijson compose" "sqlite3 store" "gcrypt store" "gnutls engine" "CLI cli" "bsd cli"; do
  set -- $rule
  others=$(grep -rl "#include <$1[/.]" --include='*.?pp' . | grep -v "^./$2/" || true)
  if [ -n "$others" ]; then echo "FAIL: <$1> is included outside src/$2: $others" >&2; fail=1; fi
done
# ... nor through a header: what deploy and cli compile may not pull in a module's library headers.
leaks=$(printf '%s\n' deploy/*.cpp cli/*.cpp | xargs -P 2 -I{} sh -c \
  'g++ -std=c++23 -M -I . {} 2>/dev/null | tr " " "\n" | grep -E "sqlite3\.h|/gcrypt\.h|/gnutls/|/yaml\.h|/valijson/" | sed "s#^#{}: #"' | sort -u)
if [ -n "$leaks" ]; then echo "FAIL: library headers reach deploy or cli through our headers:" >&2; echo "$leaks" >&2; fail=1; fi
[ "$fail" -eq 0 ] && echo "architecture: ok"
exit "$fail"
