#!/usr/bin/env bash
# Builds the npm package into pkg/: the release wasm (wasm-pack, then wasm-opt from npm's
# binaryen), bundled with its JavaScript into one minified ES module by scripts/package.mjs.
# Installs what it needs first (scripts/setup.sh build), so it works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# Fail early, with a clear message, if the CLI and the crate disagree on wasm-bindgen.
source scripts/versions.sh
grep -q "wasm-bindgen = { version = \"=$WASM_BINDGEN_VERSION\"" Cargo.toml || {
  echo "Cargo.toml does not pin wasm-bindgen =$WASM_BINDGEN_VERSION (scripts/versions.sh)" >&2
  exit 1
}

# `--testing`: the test build, with the wasm's test-only calls (cargo feature `testing`), into
# target/pkg-testing/; the package itself never has them.
if [ "${1:-}" = --testing ]; then
  raw=target/wasm-pack-testing out=target/pkg-testing cargo_args=(--features testing)
else
  raw=target/wasm-pack out=pkg cargo_args=()
fi
wasm-pack --quiet build --release --target web --no-pack \
  --out-dir "$raw" --out-name pusher_wasm -- "${cargo_args[@]}"
node scripts/package.mjs "$raw" "$out"
