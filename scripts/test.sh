#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs the tools, checks format and lints,
# runs the core's native tests, builds the package, then runs everything in headless Chromium
# against sockudo and the fake server, with pusher-js 8.6.0 as the oracle.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

step "format and lints (native and wasm32)"
cargo fmt --check
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --all-targets -- -D warnings
herd=(--manifest-path bench/herd/Cargo.toml)
cargo fmt --check "${herd[@]}"
cargo clippy --quiet --release --target-dir target "${herd[@]}" -- -D warnings

step "core: native unit tests (fake time)"
cargo test --quiet

step "build pkg/"
scripts/build.sh

step "browser: end-to-end against pusher-js (one server, then a cluster), packaging, types"
node --test --test-concurrency=1 tests/e2e/ tests/cluster/ tests/packaging/ tests/types/

step "thundering herd, 10,000 clients (checks that it runs; npm run herd is the 100,000-client study)"
cargo run --quiet --release --target-dir target "${herd[@]}" -- --clients 10000

step "size (prints figures; asserts none)"
node scripts/size.mjs

step "benchmark, quick mode (checks that it runs; asserts no timing)"
scripts/bench.sh --quick
