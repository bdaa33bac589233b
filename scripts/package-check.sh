#!/usr/bin/env bash
# Builds the Debian package as ops would (`cargo deb`: a release build of the onbehalf
# crate alone) and checks what it would install: a stripped binary under a size bound
# that runs `--version` and carries neither the demo nor the simulator, the systemd unit,
# the commented example config and the docs, each identical to the file in the repo, and
# that it recommends chromium (the browser engine).
# Installs cargo-deb the first time (a few minutes). Prints the package and binary sizes.
#
#   bash scripts/package-check.sh            # build and check
#   bash scripts/package-check.sh FILE.deb   # check a package already built
set -euo pipefail
cd "$(dirname "$0")/.."

# The stripped binary is about 18 MB; line tables alone made it 100 MB.
max_binary_bytes=$((40 * 1024 * 1024))

deb=${1:-}
if [ -z "$deb" ]; then
  if ! cargo deb --version >/dev/null 2>&1; then
    echo "installing cargo-deb…" >&2
    cargo install cargo-deb --version 3.8.0 --locked
  fi
  # cargo-deb prints the package's path last.
  deb=$(cargo deb -p onbehalf --locked | tail -n 1)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb --extract "$deb" "$work"

failures=()
fail() { failures+=("$1"); }

[ "$(dpkg-deb --field "$deb" Package)" = onbehalf ] || fail "the package is not named onbehalf"
# The browser engine's Chromium: recommended (installed by default), not a hard dependency.
grep -qw chromium <<<"$(dpkg-deb --field "$deb" Recommends)" ||
  fail "the package does not recommend chromium"

bin="$work/usr/bin/onbehalf"
if [ -x "$bin" ]; then
  size=$(stat -c %s "$bin")
  [ "$size" -le "$max_binary_bytes" ] ||
    fail "usr/bin/onbehalf is $size bytes, over $max_binary_bytes: is it stripped?"
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
  out=$("$bin" --version 2>&1) || fail "usr/bin/onbehalf --version failed: $out"
  [ "$out" = "onbehalf $version" ] ||
    fail "usr/bin/onbehalf --version printed '$out', expected 'onbehalf $version'"
  help=$("$bin" --help 2>&1) || fail "usr/bin/onbehalf --help failed"
  if grep -Eq '^  (demo|simulator) ' <<<"$help"; then
    fail "usr/bin/onbehalf still has the demo or the simulator (they are onbehalf-demo's)"
  fi
else
  fail "usr/bin/onbehalf is missing or not executable"
fi

# Installed file = file in the repository.
same() {
  if [ ! -f "$work/$1" ]; then
    fail "$1 is missing"
  elif ! cmp -s "$work/$1" "$2"; then
    fail "$1 differs from $2"
  fi
}
same usr/lib/systemd/system/onbehalf.service systemd/onbehalf.service
same usr/share/doc/onbehalf/examples/onbehalf.toml systemd/onbehalf.toml
same usr/share/doc/onbehalf/README.md README.md
same usr/share/doc/onbehalf/README.systemd.md systemd/README.md
[ -f "$work/usr/share/doc/onbehalf/copyright" ] || fail "usr/share/doc/onbehalf/copyright is missing"
# The example is the commented one: every setting explained, nothing live to copy blindly.
grep -q '^#' "$work/usr/share/doc/onbehalf/examples/onbehalf.toml" ||
  fail "the example config has no comments"

if [ ${#failures[@]} -gt 0 ]; then
  echo "package check FAILED for $deb:" >&2
  printf '  %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "package ok: $deb ($(stat -c %s "$deb") bytes; usr/bin/onbehalf $(stat -c %s "$bin") bytes)"
