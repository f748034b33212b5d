# The project's entry points. `make demo` and `make test` are the two a newcomer needs.
# Builds go to the user cache so clean clones (and CI) reuse them.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/kubectl-awsoidc/target
export CARGO_TERM_COLOR ?= never

.PHONY: setup demo test lint bench dist dist-linux-amd64 completions

## Install and build the test bed (apt musl-tools, Rust musl target, Go-built
## kube-apiserver/etcd/krew, Python venv with moto and awscli). Idempotent.
setup:
	bash tests/testbed/setup.sh

## The whole chain on the local test bed, narrated.
demo: setup
	cargo build --workspace --quiet
	cargo run --quiet -p awsoidc-testbed --bin demo

## Formatting, lints and every test (unit, fixtures, end-to-end on the real bed).
test: setup lint dist-linux-amd64
	cargo test --workspace --no-fail-fast

## Benchmarks with baselines measured in the same run (see bench/README.md).
bench: setup
	bash bench/run.sh
	cargo build --workspace --quiet
	cargo run --quiet -p awsoidc-testbed --bin bench-enable

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

## Release archives in dist/ (with .sha256 files) and the krew manifest
## krew/awsoidc.yaml, for every platform that can be built here; scripts/dist.sh
## names those it could not build and leaves them out of the manifest.
## PLATFORMS="linux/amd64 linux/arm64" picks some; DIST_REQUIRE_ALL=1 makes a missing one fatal.
dist:
	bash scripts/dist.sh $(PLATFORMS)

## The release the packaging tests install with krew: linux/amd64 only.
dist-linux-amd64:
	bash scripts/dist.sh linux/amd64

## Regenerate completions/ from the CLI (tests/tests/packaging.rs checks they match).
completions:
	cargo build --quiet -p kubectl-awsoidc
	$(CARGO_TARGET_DIR)/debug/kubectl-awsoidc completion bash >completions/kubectl-awsoidc.bash
	$(CARGO_TARGET_DIR)/debug/kubectl-awsoidc completion zsh >completions/_kubectl-awsoidc
	$(CARGO_TARGET_DIR)/debug/kubectl-awsoidc completion fish >completions/kubectl-awsoidc.fish
	$(CARGO_TARGET_DIR)/debug/kubectl-awsoidc completion powershell >completions/kubectl-awsoidc.ps1
	$(CARGO_TARGET_DIR)/debug/kubectl-awsoidc completion kubectl >completions/kubectl_complete-awsoidc
	chmod +x completions/kubectl_complete-awsoidc
