#!/usr/bin/env bash
# `npm run bench -- <scenario>`: runs one benchmark script (docs/benchmarks.md) with Node 24 and the local
# infrastructure up. Each prints its ceiling, its result and the ratio; docs/benchmarks.md records them.
set -euo pipefail
declare -A scenarios=(
  [p1]=apps/shop/bench/placement.bench.ts
  [p2]=apps/shop/bench/product-read.bench.ts
  [p4-publish]=packages/messaging/bench/kafka-publish.bench.ts
  [p4-consume]=packages/messaging/bench/kafka-consume.bench.ts
  [p5]=packages/messaging/bench/outbox-relay.bench.ts
  [p6]=apps/shop/bench/order-writer.bench.ts
  [m1-publisher]=packages/messaging/bench/publisher-memory.bench.ts
  [m1-kafka-outage]=apps/shop/bench/memory-kafka-outage.bench.ts
  [overload]=apps/shop/bench/overload.bench.ts
)
scenario="${1:-}"
if [ "$scenario" = -h ] || [ "$scenario" = --help ]; then
  echo "usage: npm run bench -- <scenario>   scenarios: ${!scenarios[*]} (docs/benchmarks.md)"
  exit 0
fi
if [ -z "$scenario" ] || [ -z "${scenarios[$scenario]:-}" ]; then
  echo "usage: npm run bench -- <scenario>   scenarios: ${!scenarios[*]}" >&2
  exit 2
fi
source "$(dirname "$0")/bootstrap.sh"
cd "$surge_root"
# HTTP scenarios prefer wrk (a C load generator: cheaper than a Node one on a 2-core machine).
if [[ "$scenario" == p1 || "$scenario" == p2 || "$scenario" == m1-kafka-outage || "$scenario" == overload ]] && ! command -v wrk >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "bench: installing wrk (Debian package)"
  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; } ||
    echo "bench: wrk unavailable; using autocannon's CLI"
fi
shift
exec node "${scenarios[$scenario]}" "$@"
