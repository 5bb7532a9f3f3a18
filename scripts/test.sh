#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs the tools, checks format and lints,
# runs the core's native tests, builds the package, then runs everything in headless Chromium
# against sockudo and the fake server, with pusher-js 8.6.0 as the oracle.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

step "format and lints (Rust native and wasm32; JavaScript: prettier, eslint)"
prettier --check . --log-level warn
eslint .
cargo fmt --check
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --all-targets -- -D warnings
herd=(--manifest-path bench/herd/Cargo.toml)
cargo fmt --check "${herd[@]}"
cargo clippy --quiet --release --target-dir target "${herd[@]}" -- -D warnings

step "core: native unit tests (fake time)"
cargo test --quiet

step "build pkg/, and the test build (with the wasm's test-only call) into target/pkg-testing/"
scripts/build.sh
scripts/build.sh --testing

# The browser suites: the engine in the page (with the cluster, packaging, types and docs), then
# the whole end-to-end suite again with the engine in a SharedWorker, one after the other. (Run at
# the same time, the load made DevTools attach late to the workers now and then, and tests found
# none of their sockets; tests/support/worker-cdp.mjs now holds a worker until it is observed, and
# worker-observer.test.mjs tests that. The passes stay apart: 2 cores, and time to spare.)
step "browser, the engine in the page: end-to-end against pusher-js (one server, then a cluster), packaging, types"
# The engine's script comes 100 ms late (tests/support/http-server.mjs), so that a page's first
# handshake always wins the race with its engine, as on loopback it mostly does: the page then
# shows `connected` from its early socket, and every scenario checks that path against pusher-js
# the same way on every run. (Where a scenario delays the handshake more, the engine comes first.)
PUSHER_WASM_ENGINE_DELAY_MS=100 node --test --test-concurrency=1 tests/e2e/ tests/cluster/ tests/packaging/ tests/types/ tests/docs/

step "browser, the engine in a SharedWorker (shared: true): the end-to-end suite again"
# (shared.test.mjs, the shared mode's own semantics, ran above: it opens both modes itself; so
# does worker-observer.test.mjs, which tests the harness and not pusher-wasm; early-connect.test.mjs
# is about the engine in the page only, whose socket the page opens before the engine is up.)
mapfile -t e2e < <(ls tests/e2e/*.test.mjs | grep -v -e '/shared\.test\.mjs$' -e '/worker-observer\.test\.mjs$' \
  -e '/early-connect\.test\.mjs$')
PUSHER_WASM_MODE=shared node --test --test-concurrency=1 "${e2e[@]}"

step "thundering herd, 10,000 clients (checks that it runs; npm run herd is the 100,000-client study)"
cargo run --quiet --release --target-dir target "${herd[@]}" -- --clients 10000

step "size (prints figures; asserts none)"
node scripts/size.mjs

step "benchmark, quick mode (checks that it runs; asserts no timing)"
scripts/bench.sh --quick
