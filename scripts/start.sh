#!/usr/bin/env bash
# `npm start`: bootstrap, then run the service with api + worker roles in one process (dev).
set -euo pipefail
source "$(dirname "$0")/lib/usage.sh"
usage_or_run "usage: npm start

Brings up Redis, MySQL and Kafka when they are missing, migrates, and runs the service (api and
worker roles) in the dev profile: it seeds an admin and prints its credentials. Without PAYMENT_GATEWAY_URL
it also starts the payment gateway simulator on 4100 (npm run infra:down stops it). Ctrl-C drains and
stops the service. Settings are environment variables (.env.example, README); SURGE_PROFILE overrides dev." "$@"
source "$(dirname "$0")/bootstrap.sh"
cd "$surge_root"
export SURGE_PROFILE="${SURGE_PROFILE:-dev}"
# Payments go to the gateway simulator unless PAYMENT_GATEWAY_URL names a real gateway.
if [ -z "${PAYMENT_GATEWAY_URL:-}" ]; then bash scripts/infra/gateway.sh up; fi
# A small young generation (V8 semi-space, MiB): keeps RSS under 256 MiB under load at the same
# throughput (docs/benchmarks.md, M1). Production runs the service with the same flag.
exec node --max-semi-space-size="${SURGE_SEMI_SPACE_MB:-4}" apps/shop/src/main.ts
