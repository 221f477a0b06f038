#!/usr/bin/env bash
# Stops what this project started (Kafka, and Redis if this project started it). Shared machine
# services (the system MariaDB and Redis) are left running.
set -euo pipefail
source "$(dirname "$0")/../lib/usage.sh"
usage_or_run "usage: npm run infra:down

Stops what npm run infra:up and npm start started (Kafka, the payment gateway simulator, and Redis
or MySQL when this project started them);
services the machine already ran are left running." "$@"
dir="$(dirname "$0")"
bash "$dir/gateway.sh" down
bash "$dir/kafka.sh" down
bash "$dir/redis.sh" down
bash "$dir/mysql.sh" down
