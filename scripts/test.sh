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

# The browser suites wait on the network and on timers far more than they compute (one mode's
# suite keeps about half a core busy), so the two modes run at the same time, each in its own
# browsers, servers and ports: the engine in a SharedWorker in the background, its report
# printed when the page's is done.
mapfile -t e2e < <(ls tests/e2e/*.test.mjs | grep -v '/shared\.test\.mjs$')
shared_log="$(mktemp)"
PUSHER_WASM_MODE=shared node --test --test-concurrency=1 "${e2e[@]}" >"$shared_log" 2>&1 &
shared_pid=$!
trap 'kill "$shared_pid" 2>/dev/null || true; rm -f "$shared_log"' EXIT

step "browser, the engine in the page: end-to-end against pusher-js (one server, then a cluster), packaging, types"
page_status=0
node --test --test-concurrency=1 tests/e2e/ tests/cluster/ tests/packaging/ tests/types/ tests/docs/ || page_status=$?

step "browser, the engine in a SharedWorker (shared: true): the end-to-end suite again (ran alongside)"
# (shared.test.mjs, the shared mode's own semantics, ran above: it opens both modes itself.)
shared_status=0
wait "$shared_pid" || shared_status=$?
cat "$shared_log"
if [ "$page_status" -ne 0 ] || [ "$shared_status" -ne 0 ]; then
  echo "end-to-end failures: page mode exit $page_status, shared mode exit $shared_status" >&2
  exit 1
fi

step "thundering herd, 10,000 clients (checks that it runs; npm run herd is the 100,000-client study)"
cargo run --quiet --release --target-dir target "${herd[@]}" -- --clients 10000

step "size (prints figures; asserts none)"
node scripts/size.mjs

step "benchmark, quick mode (checks that it runs; asserts no timing)"
scripts/bench.sh --quick
