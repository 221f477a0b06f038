#!/usr/bin/env bash
# Starts what is missing of the local infrastructure (ADR 0002). Each step prints what it did.
set -euo pipefail
source "$(dirname "$0")/../lib/usage.sh"
usage_or_run "usage: npm run infra:up

Starts what is missing of Redis (6379), MariaDB/MySQL (3306) and Kafka (9092); running ones are
reused. npm run infra:down stops what this project started." "$@"
dir="$(dirname "$0")"
bash "$dir/redis.sh" up
bash "$dir/mysql.sh" up
bash "$dir/kafka.sh" up
