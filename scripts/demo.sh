#!/usr/bin/env bash
# The demo: builds the package, starts a local sockudo and a small server for www/, and prints
# the URL. Installs what it needs first, so it works on a fresh machine. Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh demo
scripts/build.sh
exec node scripts/demo-server.mjs "$@"
