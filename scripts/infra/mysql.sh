#!/usr/bin/env bash
# MySQL-compatible server: use the one answering on MYSQL_PORT (default 3306); else start the
# machine's mariadbd; install Debian's mariadb-server when missing. The app creates its own
# database and runs migrations at start-up (apps/shop/src/db/migrate.ts).
set -euo pipefail
port="${MYSQL_PORT:-3306}"
cmd="${1:-up}"

ping() { mysqladmin --protocol=tcp -h 127.0.0.1 -P "$port" -uroot ping >/dev/null 2>&1; }

case "$cmd" in
  up)
    if ping; then echo "mysql: already running on 127.0.0.1:$port"; exit 0; fi
    if ! command -v mariadbd >/dev/null; then
      echo "mysql: mariadbd missing; installing Debian package mariadb-server"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >/dev/null
    fi
    if [ "$port" != 3306 ]; then echo "mysql: only the default port can be started by this script" >&2; exit 1; fi
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    for _ in $(seq 1 100); do ping && break; sleep 0.2; done
    ping || { echo "mysql: mariadbd did not answer within 20 s"; exit 1; }
    echo "mysql: started mariadbd on 127.0.0.1:$port"
    ;;
  down) echo "mysql: left running (shared system service)" ;;
  status) ping ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
