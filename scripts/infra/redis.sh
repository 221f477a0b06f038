#!/usr/bin/env bash
# Redis for development and tests: use the one answering on REDIS_PORT (default 6379); start a
# local redis-server when none answers; install Debian's package when redis-server is missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
port="${REDIS_PORT:-6379}"
cmd="${1:-up}"

ping() { redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; }

case "$cmd" in
  up)
    if ping; then echo "redis: already running on 127.0.0.1:$port"; exit 0; fi
    if ! command -v redis-server >/dev/null; then
      echo "redis: redis-server missing; installing Debian package redis-server"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    fi
    mkdir -p "$root/.infra/redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
      --dir "$root/.infra/redis" --pidfile "$root/.infra/redis/redis-$port.pid" \
      --logfile "$root/.infra/redis/redis-$port.log"
    for _ in $(seq 1 50); do ping && break; sleep 0.1; done
    ping || { echo "redis: failed to start on $port (see .infra/redis/redis-$port.log)"; exit 1; }
    echo "redis: started on 127.0.0.1:$port (stop: npm run infra:down)"
    ;;
  down)
    # Only stop a server this project started; the machine's shared Redis is left alone.
    pidfile="$root/.infra/redis/redis-$port.pid"
    if [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null; then
      echo "redis: stopped the instance on $port started by this project"
    else
      echo "redis: nothing started by this project on $port"
    fi
    rm -f "$pidfile"
    ;;
  status) ping ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
