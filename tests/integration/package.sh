#!/usr/bin/env bash
# Installing stackup, from the build the tests run: `cmake --install` puts the binary, the man pages
# (one per command, from the binary's own --help), bash completion and the docs where Debian looks;
# CPack makes stackup_<version>_<arch>.deb whose dependencies are the libraries the binary links;
# the packaged binary runs and its man page is found. The completion loads in bash.
set -euo pipefail
stackup=$1
root=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
build=$(cd "$(dirname "$stackup")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(sed -n 's/^project(stackup VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
[ -n "$version" ] || fail "no version in CMakeLists.txt"

cmake --install "$build" --prefix "$work/usr" >/dev/null || fail "cmake --install"
for file in bin/stackup share/man/man1/stackup.1 share/man/man1/stackup-deploy.1 share/man/man1/stackup-secret.1 \
  share/bash-completion/completions/stackup share/doc/stackup/README.md share/doc/stackup/LICENSE; do
  [ -e "$work/usr/$file" ] || fail "not installed: $file"
done
[ "$("$work/usr/bin/stackup" --version)" = "stackup version $version" ] || fail "--version"
grep -q "^\.TH STACKUP-DEPLOY 1 \"\" \"stackup $version\"" "$work/usr/share/man/man1/stackup-deploy.1" || fail "man page header"
[ "$(MANPATH="$work/usr/share/man" man -w stackup)" = "$work/usr/share/man/man1/stackup.1" ] || fail "man -w stackup"

bash -n "$work/usr/share/bash-completion/completions/stackup" || fail "the completion script does not parse"
[ "$(bash -c "source '$work/usr/share/bash-completion/completions/stackup'; complete -p stackup")" = "complete -F _stackup stackup" ] \
  || fail "complete -p stackup"
completed=$(bash -c "source '$work/usr/share/bash-completion/completions/stackup'
COMP_WORDS=(stackup sec); COMP_CWORD=1; _stackup; echo \"\${COMPREPLY[*]}\"")
[ "$completed" = "secret" ] || fail "completing 'sec': $completed"

(cd "$build" && cpack -G DEB -B "$work/package" >/dev/null) || fail "cpack"
deb=$(ls "$work"/package/stackup_"$version"_*.deb) || fail "no stackup_${version}_<arch>.deb"
depends=$(dpkg-deb -f "$deb" Depends)
for library in libcurl4 libsqlite3-0 libssl3 libyaml-cpp; do
  grep -q "$library" <<<"$depends" || fail "Depends lacks $library: $depends"
done
dpkg-deb -x "$deb" "$work/extracted"
[ "$("$work/extracted/usr/bin/stackup" --version)" = "stackup version $version" ] || fail "the packaged binary"
echo "package: ok ($(basename "$deb"))"
