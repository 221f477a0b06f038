#!/usr/bin/env bash
# `npm test`: bootstrap, then typecheck, lint, architecture checks, unit and integration tests.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
cd "$surge_root"
step() { echo; echo "== $1"; }
step "typecheck (tsc --noEmit)"; npx tsc --noEmit -p tsconfig.json
step "lint (eslint + prettier)"; npx eslint --max-warnings=0 . && npx prettier --check --log-level=warn .
step "architecture (no import cycles, packages never import apps)"; npx depcruise --config .dependency-cruiser.cjs apps packages
step "tests (unit + integration)"
exec node --test --test-timeout=120000 --test-concurrency="${TEST_CONCURRENCY:-4}" \
  'apps/**/*.test.ts' 'packages/**/*.test.ts'
