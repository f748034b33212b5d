#!/usr/bin/env bash
# Install and build everything the test bed needs, idempotently; a warm run takes
# seconds. Everything lands under $AWSOIDC_CACHE (default ~/.cache/kubectl-awsoidc):
#   bin/kube-apiserver, bin/etcd   built with Go from the module proxy (go/kube/go.mod pins them)
#   bin/krew                       built with Go from the module proxy (go/krew/go.mod pins it)
#   venv/                          Python venv with moto[server] and awscli (requirements.txt pins them)
# plus Debian's musl-tools and the Rust musl target for the static helper.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${AWSOIDC_CACHE:-$HOME/.cache/kubectl-awsoidc}"
mkdir -p "$cache/bin"

step() { printf '==> %s\n' "$*" >&2; }

need_cmd() {
  command -v "$1" >/dev/null 2>&1 || { echo "setup: '$1' is required but not on PATH: install $2" >&2; exit 1; }
}
need_cmd go "Go 1.24+"
need_cmd cargo "Rust (rustup)"
need_cmd python3 "Python 3.10+"
need_cmd kubectl "kubectl (Debian package kubernetes-client, or build k8s.io/kubernetes/cmd/kubectl)"
need_cmd openssl "openssl"
need_cmd curl "curl"

if ! command -v musl-gcc >/dev/null 2>&1; then
  step "installing musl-tools (static helper builds)"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq musl-tools >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq musl-tools >/dev/null
  fi
fi
if ! rustup target list --installed | grep -qx x86_64-unknown-linux-musl; then
  step "adding the Rust target x86_64-unknown-linux-musl"
  rustup target add x86_64-unknown-linux-musl >/dev/null
fi

# Rebuild a Go binary only when its module's go.mod/go.sum changed.
go_build() {
  local module_dir="$1" stamp="$cache/bin/.$2.stamp"; shift 2
  local want; want="$( (cat "$module_dir/go.mod" "$module_dir/go.sum"; echo "${GO_LDFLAGS:-}") | sha256sum | cut -d' ' -f1)"
  local binary
  for binary in "$@"; do
    [ -x "$cache/bin/${binary##*=}" ] || want="missing"
  done
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  local pair
  for pair in "$@"; do
    step "go build ${pair%%=*} -> bin/${pair##*=} (first time: several minutes)"
    (cd "$module_dir" && GOFLAGS=-mod=mod go build -ldflags "${GO_LDFLAGS:-}" -o "$cache/bin/${pair##*=}" "${pair%%=*}")
  done
  echo "$want" >"$stamp"
}
# The apiserver reports the release it was built from at /version (as a release build does).
k8s_version="$(sed -n 's/^require k8s.io\/kubernetes \(v[0-9.]*\)$/\1/p' "$here/go/kube/go.mod")"
k8s_minor="$(echo "$k8s_version" | cut -d. -f2)"
GO_LDFLAGS="-X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$k8s_minor" \
go_build "$here/go/kube" kube k8s.io/kubernetes/cmd/kube-apiserver=kube-apiserver go.etcd.io/etcd/server/v3=etcd
go_build "$here/go/krew" krew sigs.k8s.io/krew/cmd/krew=krew

venv="$cache/venv"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  step "creating the Python venv with moto and awscli"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
  echo "$want" >"$stamp"
fi

step "test bed ready under $cache"
