#!/usr/bin/env bash
# Installs every tool the build, the demo and the tests need. Idempotent: each step checks
# first and skips what is already there, so a warm machine spends seconds here.
# Tools live outside the checkout: cargo's bin folder and ~/.cache/pusher-wasm/.
#
# Usage: scripts/setup.sh [build|test|all]   (default: all)
#   build  Rust wasm target, wasm-pack, wasm-bindgen-cli, npm packages
#   test   build + Chromium, ChromeDriver and sockudo
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.sh

what="${1:-all}"
export PATH="$HOME/.cargo/bin:$PATH"
log() { printf '[setup] %s\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# `cargo install` of one binary crate at an exact version, skipped when that version answers.
cargo_tool() {
  local crate="$1" version="$2" binary="$3" probe="$4"; shift 4
  if command -v "$binary" >/dev/null && "$binary" --version 2>/dev/null | grep -qF "$probe"; then
    return 0
  fi
  log "cargo install $crate $version (this takes minutes on a cold machine)"
  local start=$SECONDS
  cargo install "$crate" --version "$version" "$@" --quiet
  log "$crate $version installed in $((SECONDS - start)) s"
}

rust_build_tools() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  cargo_tool wasm-pack "$WASM_PACK_VERSION" wasm-pack "wasm-pack $WASM_PACK_VERSION" --locked
  # --locked fails for wasm-bindgen-cli 0.2.130: one locked dependency is gone from the registry.
  cargo_tool wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen "wasm-bindgen $WASM_BINDGEN_VERSION"
}

sockudo_server() {
  apt_install protobuf-compiler
  # The tests need a correct server, not a fast one: opt-level 1 roughly halves the compile.
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=0 \
    cargo_tool sockudo "$SOCKUDO_VERSION" sockudo "$SOCKUDO_VERSION" --locked --no-default-features
}

npm_packages() {
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
  test|all)
    apt_install chromium chromium-driver
    # The three cargo installs are independent; run sockudo's (the longest) beside the others.
    sockudo_server > >(sed 's/^/[sockudo] /' >&2) 2>&1 &
    sockudo_pid=$!
    rust_build_tools
    npm_packages
    wait "$sockudo_pid"
    ;;
  *) echo "usage: $0 [build|test|all]" >&2; exit 2 ;;
esac
