#!/usr/bin/env bash
# `npm start`: bootstrap, then run the service with api + worker roles in one process (dev).
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
cd "$surge_root"
export SURGE_PROFILE="${SURGE_PROFILE:-dev}"
# A small young generation (V8 semi-space, MiB): keeps RSS under 256 MiB under load at the same
# throughput (docs/benchmarks.md, M1). Production runs the service with the same flag.
exec node --max-semi-space-size="${SURGE_SEMI_SPACE_MB:-4}" apps/shop/src/main.ts
