#!/usr/bin/env bash
# The payment gateway simulator (apps/payment-gateway) for `npm start`: reuse the one answering on
# GATEWAY_ADMIN_PORT (default 4101), else start one in the background (pid and log under
# .infra/gateway). Tests start their own; `npm run infra:down` stops this one.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
port="${GATEWAY_PORT:-4100}"
admin="${GATEWAY_ADMIN_PORT:-4101}"
dir="$root/.infra/gateway"
pidfile="$dir/gateway.pid"
cmd="${1:-up}"

healthy() { curl -fsS --max-time 1 "http://127.0.0.1:$admin/health" >/dev/null 2>&1; }

case "$cmd" in
  up)
    if healthy; then echo "payment gateway: already running on 127.0.0.1:$port (admin $admin)"; exit 0; fi
    mkdir -p "$dir"
    GATEWAY_PORT="$port" GATEWAY_ADMIN_PORT="$admin" nohup node "$root/apps/payment-gateway/src/main.ts" \
      >"$dir/gateway.log" 2>&1 </dev/null &
    echo $! >"$pidfile"
    for _ in $(seq 1 50); do healthy && break; sleep 0.1; done
    healthy || { echo "payment gateway: failed to start (see .infra/gateway/gateway.log)"; exit 1; }
    echo "payment gateway: started on 127.0.0.1:$port, admin 127.0.0.1:$admin (stop: npm run infra:down)"
    ;;
  down)
    if [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null; then
      echo "payment gateway: stopped the simulator started by npm start"
    else
      echo "payment gateway: nothing started by this project"
    fi
    rm -f "$pidfile"
    ;;
  status) healthy ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
