#!/usr/bin/env bash
# Release archives, their .sha256 files and the krew manifest, into dist/ and
# krew/awsoidc.yaml. Usage: scripts/dist.sh [PLATFORM...] (default: all five).
#
#   linux/amd64    x86_64-unknown-linux-musl   cargo + musl-gcc (Debian musl-tools)
#   linux/arm64    aarch64-unknown-linux-musl  cargo-zigbuild + zig
#   darwin/amd64   x86_64-apple-darwin         cargo-zigbuild + zig
#   darwin/arm64   aarch64-apple-darwin        cargo-zigbuild + zig
#   windows/amd64  x86_64-pc-windows-gnu       cargo-zigbuild + zig
#
# Each platform gets the plugin archive kubectl-awsoidc_vX.Y.Z_OS_ARCH.tar.gz (the
# binary, LICENSE, README.md, completions/); the Linux ones also the helper archive
# awsoidc-credential-process_vX.Y.Z_linux_ARCH.tar.gz (the static binary alone: it goes
# into images). Version and homepage come from the workspace Cargo.toml; the manifest
# is filled from krew/awsoidc.yaml.in, nothing by hand.
#
# A platform that cannot be built here is LEFT OUT of the manifest (never written with
# a made-up checksum): dist warns on stderr, names it in the manifest's header comment
# and keeps the build log in dist/logs/. linux/amd64 failing is always fatal; with
# DIST_REQUIRE_ALL=1 (a real release) any missing platform is.
#
#   CARGO_TARGET_DIR   build cache (the Makefile sets ~/.cache/kubectl-awsoidc/target)
#   AWSOIDC_CACHE      where the zig toolchain venv goes (default ~/.cache/kubectl-awsoidc)
#   SOURCE_DATE_EPOCH  archive timestamps (default: the last commit's time)
#   DIST_REQUIRE_ALL   1: fail when a requested platform could not be built
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${AWSOIDC_CACHE:-$HOME/.cache/kubectl-awsoidc}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$cache/target}"
dist="$root/dist"
manifest="$root/krew/awsoidc.yaml"
template="$root/krew/awsoidc.yaml.in"

step() { printf '==> %s\n' "$*" >&2; }
die() { printf 'dist: %s\n' "$*" >&2; exit 1; }

# A key of [workspace.package] in the root Cargo.toml.
workspace_key() {
  awk -v key="$1" '
    /^\[/ { in_package = ($0 == "[workspace.package]") }
    in_package && $1 == key && $2 == "=" { gsub(/"/, "", $3); print $3; exit }
  ' "$root/Cargo.toml"
}
version="$(workspace_key version)"
homepage="$(workspace_key repository)"
[ -n "$version" ] || die "no version in [workspace.package] of Cargo.toml"
[ -n "$homepage" ] || die "no repository in [workspace.package] of Cargo.toml"
tag="v$version"
epoch="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}"

triple_of() {
  case "$1" in
    linux/amd64) echo x86_64-unknown-linux-musl ;;
    linux/arm64) echo aarch64-unknown-linux-musl ;;
    darwin/amd64) echo x86_64-apple-darwin ;;
    darwin/arm64) echo aarch64-apple-darwin ;;
    windows/amd64) echo x86_64-pc-windows-gnu ;;
    *) return 1 ;;
  esac
}

if [ "$#" -gt 0 ]; then
  platforms=("$@")
else
  platforms=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64)
fi
for platform in "${platforms[@]}"; do
  triple_of "$platform" >/dev/null || die "unknown platform $platform (known: linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64)"
done

# zig and cargo-zigbuild, pinned, in their own venv; installed on first use.
zig_venv="$cache/zig-venv"
ensure_zig() {
  local requirements="$root/scripts/dist-requirements.txt" stamp="$zig_venv/.requirements.sha256" want
  want="$(sha256sum "$requirements" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    step "installing zig and cargo-zigbuild into $zig_venv"
    python3 -m venv "$zig_venv" &&
      "$zig_venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" &&
      echo "$want" >"$stamp"
  fi
}

ensure_rust_target() {
  rustup target list --installed | grep -qx "$1" || rustup target add "$1" >/dev/null
}

# cargo build (or zigbuild) of one package for one triple, release profile.
build() {
  local triple="$1" package="$2"
  if [ "$triple" = x86_64-unknown-linux-musl ]; then
    cargo build --release --locked --target "$triple" -p "$package"
  else
    # cargo-zigbuild finds zig through the venv's python (`python3 -m ziglang`).
    PATH="$zig_venv/bin:$PATH" cargo-zigbuild build --release --locked --target "$triple" -p "$package"
  fi
}

# A reproducible .tar.gz of FILES (paths relative to DIR) and its .sha256 file.
archive() {
  local name="$1" dir="$2"; shift 2
  tar -C "$dir" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
    -cf - "$@" | gzip -9n >"$dist/$name"
  (cd "$dist" && sha256sum "$name" >"$name.sha256")
}

rm -rf "$dist"
mkdir -p "$dist/logs"
built=()
missing=()
for platform in "${platforms[@]}"; do
  os="${platform%/*}" arch="${platform#*/}" triple="$(triple_of "$platform")"
  exe=""; [ "$os" = windows ] && exe=".exe"
  packages=(kubectl-awsoidc)
  # The helper runs in pods: Linux only.
  [ "$os" = linux ] && packages+=(awsoidc-credential-process)
  log="$dist/logs/$os-$arch.log"
  step "building $platform ($triple): ${packages[*]}"
  ok=1
  {
    ensure_rust_target "$triple" && { [ "$triple" = x86_64-unknown-linux-musl ] || ensure_zig; }
  } >"$log" 2>&1 || ok=0
  for package in "${packages[@]}"; do
    # Separate builds: the helper's features must not unify with the plugin's.
    [ "$ok" = 1 ] && { build "$triple" "$package" >>"$log" 2>&1 || ok=0; }
  done
  if [ "$ok" = 0 ]; then
    # The linker's own complaint says more than cargo's "linking failed".
    reason="$(grep -m1 'note: error' "$log" | sed 's/^ *= note: //' || true)"
    [ -n "$reason" ] || reason="$(grep -m1 -E '^error' "$log" || tail -n1 "$log")"
    if grep -q 'unable to find system framework' "$log"; then
      reason="$reason (zig has no macOS frameworks: set SDKROOT to a MacOSX.sdk to link them)"
    fi
    printf 'dist: WARNING: %s could not be built: %s\n      (full log: %s)\n' "$platform" "$reason" "$log" >&2
    missing+=("$platform: ${reason//$'\n'/ }")
    continue
  fi

  release="$CARGO_TARGET_DIR/$triple/release"
  stage="$dist/stage/$os-$arch"
  mkdir -p "$stage/completions"
  cp "$release/kubectl-awsoidc$exe" "$root/LICENSE" "$root/README.md" "$stage/"
  cp "$root"/completions/* "$stage/completions/"
  plugin_archive="kubectl-awsoidc_${tag}_${os}_${arch}.tar.gz"
  archive "$plugin_archive" "$stage" "kubectl-awsoidc$exe" LICENSE README.md completions
  if [ "$os" = linux ]; then
    mkdir -p "$stage/helper"
    cp "$release/awsoidc-credential-process" "$stage/helper/"
    archive "awsoidc-credential-process_${tag}_${os}_${arch}.tar.gz" "$stage/helper" awsoidc-credential-process
  fi
  built+=("$os $arch $homepage/releases/download/$tag/$plugin_archive $(cut -d' ' -f1 "$dist/$plugin_archive.sha256") kubectl-awsoidc$exe")
done
rm -rf "$dist/stage"

if [[ " ${missing[*]} " == *" linux/amd64: "* ]]; then
  die "linux/amd64 must build: see $dist/logs/linux-amd64.log"
fi
[ "${#built[@]}" -gt 0 ] || die "no platform could be built: see $dist/logs/"

# The manifest: the template's header comment becomes a generated-file notice, the
# platform block is repeated for each built archive.
step "writing $manifest"
{
  echo "# Generated by scripts/dist.sh from krew/awsoidc.yaml.in for $tag: do not edit."
  for entry in ${missing[@]+"${missing[@]}"}; do
    echo "# Left out, could not be built here: $entry"
  done
  printf '%s\n' "${built[@]}" | awk -v version="$version" -v tag="$tag" -v homepage="$homepage" -v template="$template" '
    { platform[NR] = $0 }
    END {
      while ((getline line < template) > 0) {
        if (!started && line ~ /^#/) continue
        started = 1
        if (line == "#@platform") { in_block = 1; n = 0; continue }
        if (line == "#@end") {
          for (p = 1; p in platform; p++) {
            split(platform[p], field, " ")
            for (i = 1; i <= n; i++) {
              out = block[i]
              gsub(/@OS@/, field[1], out); gsub(/@ARCH@/, field[2], out)
              gsub(/@URI@/, field[3], out); gsub(/@SHA256@/, field[4], out)
              gsub(/@BIN@/, field[5], out)
              print out
            }
          }
          in_block = 0; continue
        }
        if (in_block) { block[++n] = line; continue }
        gsub(/@VERSION@/, version, line); gsub(/@TAG@/, tag, line); gsub(/@HOMEPAGE@/, homepage, line)
        print line
      }
    }'
} >"$manifest.tmp"
if grep -n '@[A-Z0-9]*@' "$manifest.tmp" >&2; then
  rm -f "$manifest.tmp"
  die "placeholders left in the manifest (above): fix krew/awsoidc.yaml.in"
fi
mv "$manifest.tmp" "$manifest"
# The release asset `kubectl krew install --manifest-url=` points at.
cp "$manifest" "$dist/awsoidc.yaml"

step "archives in $dist:"
(cd "$dist" && for file in *.tar.gz; do printf '    %10d  %s\n' "$(stat -c %s "$file")" "$file"; done) >&2
if [ "${#missing[@]}" -gt 0 ]; then
  printf 'dist: WARNING: left out of %s:\n' "${manifest#"$root"/}" >&2
  printf '      %s\n' "${missing[@]}" >&2
  [ "${DIST_REQUIRE_ALL:-0}" = 1 ] && die "DIST_REQUIRE_ALL=1 and ${#missing[@]} platform(s) missing"
fi
exit 0
