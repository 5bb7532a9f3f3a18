# Exact versions of every tool the scripts install. The wasm-bindgen CLI must equal the
# `wasm-bindgen = "=X"` pin in Cargo.toml, or wasm-pack downloads its own (which fails here).
WASM_BINDGEN_VERSION=0.2.130
WASM_PACK_VERSION=0.15.1
SOCKUDO_VERSION=5.2.0
# sockudo's build features (beyond --no-default-features) and the folder it is installed in.
SOCKUDO_FEATURES=recovery,redis
SOCKUDO_ROOT="$HOME/.cache/pusher-wasm/sockudo-$SOCKUDO_VERSION-${SOCKUDO_FEATURES//,/-}"
