#!/usr/bin/env bash
# `npm start`: bootstrap, then run the service with api + worker roles in one process (dev).
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
cd "$surge_root"
export SURGE_PROFILE="${SURGE_PROFILE:-dev}"
exec node apps/shop/src/main.ts
