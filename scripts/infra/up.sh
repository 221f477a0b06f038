#!/usr/bin/env bash
# Starts what is missing of the local infrastructure (ADR 0002). Each step prints what it did.
set -euo pipefail
dir="$(dirname "$0")"
bash "$dir/redis.sh" up
bash "$dir/mysql.sh" up
bash "$dir/kafka.sh" up
