#!/usr/bin/env bash
# The benchmark (bench/README.md): raw WebSocket, pusher-js 8.6.0 and pusher-wasm (its engine in
# the page, and in a SharedWorker with `shared: true`) in headless Chromium against a local
# Pusher-protocol blaster. Builds pkg/ first when it is missing or older
# than its sources, installs Chromium if it is missing, then runs bench/run.mjs.
#
#   scripts/bench.sh            the full benchmark: 5 rounds, about 10 minutes on 2 cores; also
#                               writes docs/bench-table.md and docs/bench-plot.svg (then
#                               `node bench/lib/report.mjs --readme` puts the table in README.md)
#   scripts/bench.sh --quick    one small round in under a minute; for CI, to check that the
#                               bench still works (it fails on a broken variant or on lost or
#                               doubled events, never on a timing)
#   scripts/bench.sh --rounds 3 --variants pusher-js,pusher-wasm-shared    (node bench/run.mjs --help)
#
# Results: bench/results/latest.{json,md} and plot.svg (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
log() { printf '[bench] %s\n' "$*" >&2; }

stale_package() {
  [ -f pkg/index.js ] && [ -f pkg/engine.js ] && [ -f pkg/worker.js ] || return 0
  [ -n "$(find src Cargo.toml Cargo.lock scripts/build.sh scripts/package.mjs -newer pkg/engine.js -print -quit)" ]
}

if stale_package; then
  log "pkg/ is missing or older than its sources: scripts/build.sh"
  scripts/build.sh
elif [ ! -f node_modules/.package-lock.json ]; then
  scripts/setup.sh build
fi

if [ -z "${CHROMIUM_BIN:-}" ] && [ ! -x /usr/bin/chromium ]; then
  log "apt-get install chromium"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

exec node bench/run.mjs "$@"
