#!/usr/bin/env bash
# Installing stackup, from the build the tests run: `cmake --install` puts the binary, the man pages
# (one per command, from the binary's own --help), bash completion and the docs where Debian looks;
# CPack makes stackup_<version>_<arch>.deb whose dependencies are the libraries the binary links;
# the packaged binary runs and its man page is found. The completions load in bash, zsh and fish.
# Then, as a new user would: `apt-get install ./stackup_*.deb` in a clean Debian 12 root (made by
# scripts/install-deps.sh with the libraries' packages at hand: offline here), and there
# `stackup --version`, `man -w stackup` and `stackup validate` on an example (docker.io, only
# recommended, is left out).
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
  share/bash-completion/completions/stackup share/zsh/vendor-completions/_stackup \
  share/fish/vendor_completions.d/stackup.fish share/doc/stackup/README.md share/doc/stackup/LICENSE; do
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
completed=$(bash -c "source '$work/usr/share/bash-completion/completions/stackup'
COMP_WORDS=(stackup -f x.yml dep); COMP_CWORD=3; _stackup; echo \"\${COMPREPLY[*]}\"")
[ "$completed" = "deploy" ] || fail "completing 'dep' after -f x.yml: $completed"
zsh -n "$work/usr/share/zsh/vendor-completions/_stackup" || fail "the zsh completion does not parse"
zsh -fc "fpath=('$work/usr/share/zsh/vendor-completions' \$fpath); autoload -Uz compinit; compinit -u -D; [[ \${_comps[stackup]} == _stackup ]]" \
  || fail "zsh does not load the completion for stackup"
fish -n "$work/usr/share/fish/vendor_completions.d/stackup.fish" || fail "the fish completion does not parse"
fish -c "source '$work/usr/share/fish/vendor_completions.d/stackup.fish'; complete -C 'stackup sec'" | grep -q '^secret' \
  || fail "fish does not complete 'stackup sec'"

(cd "$build" && cpack -G DEB -B "$work/package" >/dev/null) || fail "cpack"
deb=$(ls "$work"/package/stackup_"$version"_*.deb) || fail "no stackup_${version}_<arch>.deb"
depends=$(dpkg-deb -f "$deb" Depends)
for library in libgcrypt20 libgnutls30 libsqlite3-0 libyaml-0-2; do
  grep -q "$library" <<<"$depends" || fail "Depends lacks $library: $depends"
done
dpkg-deb -x "$deb" "$work/extracted"
[ "$("$work/extracted/usr/bin/stackup" --version)" = "stackup version $version" ] || fail "the packaged binary"

clean_root=/var/cache/stackup/bookworm-root.tar
[ -s "$clean_root" ] || fail "no clean Debian 12 root at $clean_root: run scripts/install-deps.sh as root"
mkdir "$work/root"
tar -C "$work/root" -xf "$clean_root"
cp "$deb" "$work/root/tmp/"
cp -r "$root/examples/wordpress" "$work/root/tmp/"
# In a network namespace of its own: no network at all, so everything comes from the root.
unshare --net chroot "$work/root" sh -c "cd /tmp && apt-get install -y -qq --no-install-recommends ./$(basename "$deb")" \
  >"$work/apt.log" 2>&1 \
  || fail "apt-get install ./$(basename "$deb") in a clean root: $(tail -n 5 "$work/apt.log")"
[ "$(chroot "$work/root" stackup --version)" = "stackup version $version" ] || fail "stackup --version in the clean root"
[ "$(chroot "$work/root" man -w stackup)" = "/usr/share/man/man1/stackup.1" ] || fail "man -w stackup in the clean root"
[ "$(chroot "$work/root" sh -c 'cd /tmp/wordpress && stackup validate')" = "compose.yaml: valid (0 errors, 0 warnings)" ] \
  || fail "stackup validate in the clean root: $(chroot "$work/root" sh -c 'cd /tmp/wordpress && stackup validate' 2>&1)"
echo "package: ok ($(basename "$deb"), installed in a clean Debian 12 root)"
