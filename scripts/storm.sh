#!/usr/bin/env bash
# `npm run storm -- [options]`: the storm (docs/operations.md, "Storm") against a running service.
# `npm run storm -- --help` lists the options.
set -euo pipefail
# Like npm start: in the dev profile the storm signs with the checkout's shared dev keys.
export SURGE_PROFILE="${SURGE_PROFILE:-dev}"
# --help starts nothing: only Node is needed to print it.
for arg in "$@"; do
  if [ "$arg" = -h ] || [ "$arg" = --help ]; then
    source "$(dirname "$0")/lib/node.sh"
    cd "$(dirname "$0")/.."
    exec node apps/shop/storm/storm.ts --help
  fi
done
source "$(dirname "$0")/bootstrap.sh"
cd "$surge_root"
exec node apps/shop/storm/storm.ts "$@"
