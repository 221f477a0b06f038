#!/usr/bin/env bash
# Brings a fresh clone to a runnable state, idempotently: Node 24, npm dependencies, then local
# Redis, MySQL and Kafka (skipping whatever already runs). Sourced by start.sh and test.sh so the
# PATH with Node 24 carries over.
set -euo pipefail
# shellcheck source=lib/node.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/node.sh"
cd "$surge_root"

# Reinstall dependencies only when the lockfile changed since the last install.
stamp="node_modules/.surge-lock-hash"
want="$(sha256sum package-lock.json | cut -d' ' -f1)-$(node -v)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
else
  echo "deps: up to date"
fi

if [ "${SURGE_SKIP_INFRA:-}" != "1" ]; then
  bash scripts/infra/up.sh
fi
