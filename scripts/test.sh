#!/usr/bin/env bash
# `npm test`: bootstrap, then typecheck, lint, architecture checks, unit and integration tests.
set -euo pipefail
source "$(dirname "$0")/lib/usage.sh"
usage_or_run "usage: npm test

Brings up the local infrastructure when missing, then runs the typecheck, lint, architecture
checks and every unit and integration test. One file: see CONTRIBUTING.md (node --test <file>).
TEST_CONCURRENCY sets how many test files run at once (default 4)." "$@"
source "$(dirname "$0")/bootstrap.sh"
cd "$surge_root"
step() { echo; echo "== $1"; }
step "typecheck (tsc --noEmit)"; node_modules/.bin/tsc --noEmit -p tsconfig.json
step "lint (eslint + prettier)"
node_modules/.bin/eslint --max-warnings=0 .
node_modules/.bin/prettier --check --log-level=warn .
step "architecture (no import cycles, packages never import apps)"; node_modules/.bin/depcruise --config .dependency-cruiser.cjs apps packages
step "tests (unit + integration; scripts/packaging packs and imports the toolkit as a user would)"
exec node --test --test-force-exit --test-timeout=120000 --test-concurrency="${TEST_CONCURRENCY:-4}" \
  'apps/**/*.test.ts' 'packages/**/*.test.ts' 'scripts/**/*.test.ts'
