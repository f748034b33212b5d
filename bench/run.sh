#!/usr/bin/env bash
# Benchmark the static awsoidc-credential-process against baselines measured in the
# same run (see bench/README.md). Builds the musl release helper and a static
# hello-world with the same settings, starts moto and a counting proxy on free
# loopback ports, prints the figures, and stops what it started.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
cache="${AWSOIDC_CACHE:-$HOME/.cache/kubectl-awsoidc}"
target=x86_64-unknown-linux-musl
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

if [ ! -x /usr/bin/time ]; then
  echo "==> installing GNU time for max RSS" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi

echo "==> building the static helper (release, $target)" >&2
(cd "$repo" && cargo build --quiet --release -p awsoidc-credential-process --target "$target")
helper="$target_dir/$target/release/awsoidc-credential-process"

# The hello-world gets the workspace's [profile.release] settings as rustc flags.
echo "==> building the static hello-world the same way" >&2
rustc --edition 2024 --target "$target" -C opt-level=z -C lto=fat -C codegen-units=1 -C panic=abort \
  -C strip=symbols -o "$work/hello" "$here/hello.rs"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
moto_port="$(free_port)"
proxy_port="$(free_port)"
"$cache/venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
pids+=($!)
python3 "$here/counting_proxy.py" "$proxy_port" "http://127.0.0.1:$moto_port" >"$work/proxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$moto_port/moto-api/" 2>/dev/null \
    && curl -fsS -o /dev/null "http://127.0.0.1:$proxy_port/__count" 2>/dev/null && break
  sleep 0.1
done

echo "==> measuring" >&2
python3 "$here/measure.py" "$helper" "$work/hello" "http://127.0.0.1:$moto_port" \
  "http://127.0.0.1:$proxy_port" "$cache/venv/bin/aws" "$work"
