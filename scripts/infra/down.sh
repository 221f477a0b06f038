#!/usr/bin/env bash
# Stops what this project started (Kafka, and Redis if this project started it). Shared machine
# services (the system MariaDB and Redis) are left running.
set -euo pipefail
dir="$(dirname "$0")"
bash "$dir/kafka.sh" down
bash "$dir/redis.sh" down
bash "$dir/mysql.sh" down
