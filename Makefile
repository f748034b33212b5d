# The project's entry points. `make demo` and `make test` are the two a newcomer needs.
# Builds go to the user cache so clean clones (and CI) reuse them.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/kubectl-awsoidc/target
export CARGO_TERM_COLOR ?= never

.PHONY: setup demo test lint bench dist

## Install and build the test bed (apt musl-tools, Rust musl target, Go-built
## kube-apiserver/etcd/krew, Python venv with moto and awscli). Idempotent.
setup:
	bash tests/testbed/setup.sh

## The whole chain on the local test bed, narrated.
demo: setup
	cargo build --workspace --quiet
	cargo run --quiet -p awsoidc-testbed --bin demo

## Formatting, lints and every test (unit, fixtures, end-to-end on the real bed).
test: setup lint
	cargo test --workspace --no-fail-fast

## Benchmarks with baselines measured in the same run (see bench/README.md).
bench: setup
	bash bench/run.sh
	cargo build --workspace --quiet
	cargo run --quiet -p awsoidc-testbed --bin bench-enable

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
