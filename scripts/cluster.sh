#!/usr/bin/env bash
# The demo against a local cluster: Redis, two sockudo nodes sharing their state through
# sockudo's Redis adapter, and HAProxy in front (TCP, round robin, health checks), with the demo
# pointed at the balancer. Installs what it needs first (redis-server and haproxy from Debian,
# sockudo with its `redis` feature), builds the package, prints the URLs. Ctrl-C stops it all.
# docs/cluster.md shows the configurations.
#
#   npm run cluster [-- --port 8080 --sockudo-port 6001]    (--sockudo-port: the balancer's)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh cluster
scripts/build.sh
exec node scripts/demo-server.mjs --cluster "$@"
