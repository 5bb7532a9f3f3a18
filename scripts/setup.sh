#!/usr/bin/env bash
# Installs every tool the build, the demo and the tests need, and only what is missing: each
# step checks first, so on a warm machine this takes a second or two.
# Tools live outside the checkout: Debian packages, cargo's bin folder (~/.cargo/bin), and npm
# packages in node_modules (from the npm cache when warm).
#
# Usage: scripts/setup.sh [build|demo|cluster|test]   (default: test, which is everything)
#   build  wasm32 target, wasm-pack, wasm-bindgen-cli, npm packages (wasm-opt comes from npm)
#   demo   build + sockudo (the local Pusher-protocol server)
#   cluster  demo + redis-server and haproxy (the local cluster, scripts/cluster.sh)
#   test   cluster + Chromium and ChromeDriver
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.sh

what="${1:-test}"
export PATH="$HOME/.cargo/bin:$PATH"
log() { printf '[setup] %s\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# `cargo install` of one binary crate at an exact version, skipped when that version answers.
cargo_tool() {
  local crate="$1" version="$2" binary="$3"
  shift 3
  if command -v "$binary" >/dev/null && "$binary" --version 2>/dev/null | grep -qF "$version"; then
    return 0
  fi
  log "cargo install $crate $version (minutes on a cold machine)"
  local start=$SECONDS
  cargo install "$crate" --version "$version" "$@" --quiet
  log "$crate $version installed in $((SECONDS - start)) s"
}

rust_build_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
  fi
  cargo_tool wasm-pack "$WASM_PACK_VERSION" wasm-pack --locked
  # No --locked: for 0.2.130 one locked dependency version is gone from the registry.
  cargo_tool wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen
}

sockudo_server() {
  apt_install protobuf-compiler
  # Built with two features beyond the Pusher protocol: `recovery` (connection recovery, replay
  # of what a connection missed) and `redis` (the Redis adapter, for a cluster of nodes). Its own
  # folder, named for the version and the features, so that a change of either installs anew.
  # The tests and the demo need a correct server, not the fastest one: opt-level 1 about halves
  # the compile.
  local root="$SOCKUDO_ROOT"
  if [ -x "$root/bin/sockudo" ] && "$root/bin/sockudo" --version 2>/dev/null | grep -qF "$SOCKUDO_VERSION"; then
    return 0
  fi
  log "cargo install sockudo $SOCKUDO_VERSION --features $SOCKUDO_FEATURES (minutes on a cold machine)"
  local start=$SECONDS
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=0 \
    cargo install sockudo --version "$SOCKUDO_VERSION" --locked --no-default-features \
    --features "$SOCKUDO_FEATURES" --root "$root" --quiet
  log "sockudo $SOCKUDO_VERSION installed in $((SECONDS - start)) s"
}

npm_packages() {
  # node_modules/.package-lock.json is npm's record of the last install.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

case "$what" in
  build)
    rust_build_tools
    npm_packages
    ;;
  demo | cluster | test)
    if [ "$what" = test ]; then
      apt_install chromium chromium-driver protobuf-compiler redis-server haproxy
    elif [ "$what" = cluster ]; then
      apt_install redis-server haproxy
    fi
    # sockudo's compile is the longest step: run it beside the others.
    sockudo_server > >(sed -u 's/^/[setup:sockudo] /' >&2) 2>&1 &
    sockudo_pid=$!
    rust_build_tools
    npm_packages
    wait "$sockudo_pid"
    ;;
  *)
    echo "usage: $0 [build|demo|cluster|test]" >&2
    exit 2
    ;;
esac
