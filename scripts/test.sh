#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine with only Rust installed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --all-targets --locked
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
# The Debian package as ops install it (a release build: a few minutes on two cores).
bash scripts/package-check.sh
