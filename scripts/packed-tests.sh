#!/usr/bin/env bash
# The first-hour test, then the consumer test, with one `npm pack` and one install: the consumer app uses the
# node_modules that the README's install lines put into the first-hour folder (the same packages; the consumer test
# checks their versions and installs its own when they differ). Needs lib/ (npx projen compile).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="$(mktemp -d)"
trap 'rm -rf "$shared"' EXIT
export CDK_BACKEND_PLATFORM_TARBALL="$shared/$(cd "$root" && npm pack --silent --pack-destination "$shared" | tail -1)"
FIRST_HOUR_DIR="$shared/first-hour" bash "$root/scripts/first-hour-test.sh"
CONSUMER_NODE_MODULES="$shared/first-hour/my-backend/node_modules" bash "$root/scripts/consumer-test.sh"
