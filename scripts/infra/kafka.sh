#!/usr/bin/env bash
# Local single-node Kafka (KRaft) without Docker: the broker runs from Maven Central jars.
# See docs/adr/0002-local-kafka.md for the why.
#
#   scripts/infra/kafka.sh up       start the broker if needed and wait until it is ready
#   scripts/infra/kafka.sh down     stop the broker started by `up` (SIGTERM, SIGKILL after 30 s)
#   scripts/infra/kafka.sh status   exit 0 if a broker answers metadata requests, 1 otherwise
#
# Every subcommand is idempotent and prints one line starting with "kafka:" on stdout.
# Progress and diagnostics go to stderr.
#
# Environment:
#   KAFKA_PORT              client port on 127.0.0.1 (default 9092)
#   KAFKA_CONTROLLER_PORT   KRaft controller port on 127.0.0.1 (default 9093)
#   KAFKA_ADVERTISED_PORT   port the broker tells clients to connect to (default KAFKA_PORT); a
#                           fault proxy's port, so every client connection goes through it
#   KAFKA_START_TIMEOUT     seconds `up` waits for readiness (default 90)
#   KAFKA_STOP_TIMEOUT      seconds `down` waits after SIGTERM before SIGKILL (default 30)
#   KAFKA_HEAP_OPTS         broker heap (default "-Xms256m -Xmx768m")
#   JAVA_HOME               Java 17+ to use (default: java on PATH)
#
# A second, throwaway broker (chaos tests) just uses other ports; all its files differ:
#   KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 scripts/infra/kafka.sh up
#
# Files (all under .infra/kafka/, git-ignored, safe to delete while no broker runs):
#   lib/                      broker jars, resolved by Maven from infra/kafka/pom.xml
#   data-<port>/              the broker's log dirs (topics, offsets, KRaft metadata)
#   server-<port>.properties  rendered from infra/kafka/server.properties.template
#   kafka-<port>.log          broker log (log4j2, infra/kafka/log4j2.xml)
#   kafka-<port>.out          broker stdout/stderr (JVM crashes, OOM)
#   kafka-<port>.pid          pid of the broker started by `up`
set -euo pipefail

# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------

# Resolve paths from this file's real location (following symlinks to it) so the script works
# from any cwd.
_src=${BASH_SOURCE[0]}
while [[ -L $_src ]]; do
  _dir=$(cd -P "$(dirname "$_src")" && pwd)
  _src=$(readlink "$_src")
  [[ $_src == /* ]] || _src=$_dir/$_src
done
SCRIPT_DIR=$(cd -P "$(dirname "$_src")" && pwd)
unset _src _dir
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd -P)

HOST=127.0.0.1
PORT=${KAFKA_PORT:-9092}
CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
ADVERTISED_PORT=${KAFKA_ADVERTISED_PORT:-$PORT}
START_TIMEOUT=${KAFKA_START_TIMEOUT:-90}
STOP_TIMEOUT=${KAFKA_STOP_TIMEOUT:-30}
HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}

SRC_DIR=$REPO_ROOT/infra/kafka
POM=$SRC_DIR/pom.xml
TEMPLATE=$SRC_DIR/server.properties.template
STATE_DIR=$REPO_ROOT/.infra/kafka
LIB_DIR=$STATE_DIR/lib
POM_HASH_FILE=$LIB_DIR/.pom.sha256
DATA_DIR=$STATE_DIR/data-$PORT
PROPS=$STATE_DIR/server-$PORT.properties
LOG_FILE=$STATE_DIR/kafka-$PORT.log
OUT_FILE=$STATE_DIR/kafka-$PORT.out
PID_FILE=$STATE_DIR/kafka-$PORT.pid

JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
# Short-lived tools (StorageTool, TopicCommand) start ~2x faster with C1 only and a serial GC;
# they run for a second or two, so peak performance does not matter.
TOOL_JVM_OPTS=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m
  "-Dlog4j2.configurationFile=$SRC_DIR/log4j2-tools.xml")

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

say() { echo "kafka: $*"; }          # the one result line, stdout
note() { echo "kafka: $*" >&2; }     # progress / diagnostics, stderr
die() { echo "kafka: error: $*" >&2; exit 1; }

# Milliseconds since the epoch (bash 5 has EPOCHREALTIME; older bash falls back to seconds).
now_ms() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    local t=${EPOCHREALTIME/[.,]/}
    echo $((t / 1000))
  else
    echo $(($(date +%s) * 1000))
  fi
}
elapsed() { # elapsed <start_ms> -> "12.3s"
  local ms=$(($(now_ms) - $1))
  printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100))
}

is_port_number() { [[ $1 =~ ^[0-9]+$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535)); }

validate_env() {
  is_port_number "$PORT" || die "KAFKA_PORT must be a port number, got '$PORT'"
  is_port_number "$CONTROLLER_PORT" || die "KAFKA_CONTROLLER_PORT must be a port number, got '$CONTROLLER_PORT'"
  is_port_number "$ADVERTISED_PORT" || die "KAFKA_ADVERTISED_PORT must be a port number, got '$ADVERTISED_PORT'"
  [[ $PORT != "$CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ (both $PORT)"
  [[ $START_TIMEOUT =~ ^[0-9]+$ ]] || die "KAFKA_START_TIMEOUT must be whole seconds, got '$START_TIMEOUT'"
  [[ $STOP_TIMEOUT =~ ^[0-9]+$ ]] || die "KAFKA_STOP_TIMEOUT must be whole seconds, got '$STOP_TIMEOUT'"
}

init_state_dir() {
  mkdir -p "$STATE_DIR"
  # Self-ignoring even if the repo's .gitignore does not list .infra/ (yet).
  [[ -f $REPO_ROOT/.infra/.gitignore ]] || echo '*' >"$REPO_ROOT/.infra/.gitignore"
}

# Serialise up/down/status of the same port (e.g. two test jobs running `up` at once) so that
# only one of them formats the data dir and starts a JVM. fd 9 must not leak into the broker,
# see start_broker. Without flock (e.g. macOS) the script simply runs unlocked.
lock_port() {
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>"$STATE_DIR/kafka-$PORT.lock"
  flock -w $((START_TIMEOUT + STOP_TIMEOUT)) 9 || die "timed out waiting for another kafka.sh on port $PORT"
}

# True if something accepts TCP connections on 127.0.0.1:<port>. Pure bash, no JVM: this is
# the cheap check done before paying for a JVM start.
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# Pid of the broker that `up` started for this port, or nothing. The pid file alone is not
# trusted: the pid must still be a java running kafka.Kafka with this port's properties file
# (pids get reused after a reboot or a crash).
our_pid() {
  [[ -f $PID_FILE ]] || return 0
  local pid args
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  args=$(ps -ww -o args= -p "$pid" 2>/dev/null) || return 0
  [[ $args == *kafka.Kafka*"$PROPS"* ]] && echo "$pid"
  return 0
}

# Readiness = a metadata request succeeds (TopicCommand --list through the admin client).
# The admin client retries internally (infra/kafka/admin-client.properties), so one JVM covers
# the last seconds of broker startup; `timeout` bounds it to what the caller can afford.
probe_ready() { # probe_ready <max seconds>
  local secs=$1
  ((secs > 0)) || secs=1
  timeout --kill-after=5 "$secs" "$JAVA" "${TOOL_JVM_OPTS[@]}" -cp "$LIB_DIR/*" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "$HOST:$PORT" \
    --command-config "$SRC_DIR/admin-client.properties" --list >/dev/null 2>&1
}

# Full health check: TCP first (instant), then the metadata request.
is_ready() { port_open "$PORT" && [[ -d $LIB_DIR ]] && probe_ready "${1:-20}"; }

check_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (need Java 17+; set JAVA_HOME or put java on PATH)"
  local v major
  v=$("$JAVA" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n1)
  major=${v%%.*}
  [[ $major == 1 ]] && major=$(echo "$v" | cut -d. -f2) # "1.8.0_x" style
  if ! [[ $major =~ ^[0-9]+$ ]] || ((major < 17)); then
    die "Kafka 4 needs Java 17+, $JAVA is '${v:-unknown}'"
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# Download the broker jars (first run, or after infra/kafka/pom.xml changed). The jars land in a
# temporary folder that replaces lib/ only after Maven succeeded, and the pom's hash is written
# last, so an interrupted download is simply redone next time.
ensure_jars() {
  local want have=""
  want=$(sha256_of "$POM")
  [[ -f $POM_HASH_FILE ]] && have=$(<"$POM_HASH_FILE")
  [[ -d $LIB_DIR && $want == "$have" ]] && return 0

  # One resolver at a time across all ports: lib/ is shared.
  if command -v flock >/dev/null 2>&1; then
    exec 8>"$STATE_DIR/lib.lock"
    flock -w 1800 8 || die "timed out waiting for another kafka.sh to download the jars"
    [[ -f $POM_HASH_FILE ]] && have=$(<"$POM_HASH_FILE")
    if [[ -d $LIB_DIR && $want == "$have" ]]; then exec 8>&-; return 0; fi
  fi

  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed once to download the Kafka jars"
  note "resolving broker jars with Maven into .infra/kafka/lib (first run can take minutes)"
  local tmp=$STATE_DIR/lib.tmp.$$ mvn_log=$STATE_DIR/mvn.log
  rm -rf "$tmp"
  if ! mvn -q -B -f "$POM" dependency:copy-dependencies \
    -DoutputDirectory="$tmp" -DincludeScope=runtime </dev/null >"$mvn_log" 2>&1; then
    tail -n 40 "$mvn_log" >&2 || true
    rm -rf "$tmp"
    die "Maven could not resolve the Kafka jars (full output: $mvn_log)"
  fi
  rm -rf "$LIB_DIR"
  mv "$tmp" "$LIB_DIR"
  echo "$want" >"$POM_HASH_FILE"
  if command -v flock >/dev/null 2>&1; then exec 8>&-; fi
  return 0
}

# Render the properties for this port. Done on every start, so template edits take effect on
# the next restart. Pure bash replacement (quoted, so '&' or '|' in paths are taken literally).
render_props() {
  shopt -u patsub_replacement 2>/dev/null || true
  local line out=""
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line//@KAFKA_PORT@/"$PORT"}
    line=${line//@KAFKA_CONTROLLER_PORT@/"$CONTROLLER_PORT"}
    line=${line//@KAFKA_ADVERTISED_PORT@/"$ADVERTISED_PORT"}
    line=${line//@DATA_DIR@/"$DATA_DIR"}
    out+=$line$'\n'
  done <"$TEMPLATE"
  printf '%s' "$out" >"$PROPS.tmp"
  mv "$PROPS.tmp" "$PROPS"
}

# A random Kafka cluster id: 16 random bytes, URL-safe base64 without padding (what
# `kafka-storage.sh random-uuid` prints, without paying for a JVM). Like Kafka's own generator,
# reject ids starting with '-' because the command line parser would take them for an option.
new_cluster_id() {
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [[ $id != -* && ${#id} == 22 ]] && { echo "$id"; return; }
  done
}

# KRaft log dirs must be formatted once, with a cluster id, before the first start. A formatted
# dir has meta.properties; leave it alone (formatting again would fail, and must not wipe data).
ensure_formatted() {
  [[ -f $DATA_DIR/meta.properties ]] && return 0
  local cid fmt_log=$STATE_DIR/format-$PORT.log
  cid=$(new_cluster_id)
  mkdir -p "$DATA_DIR"
  if ! "$JAVA" "${TOOL_JVM_OPTS[@]}" -cp "$LIB_DIR/*" kafka.tools.StorageTool format \
    -t "$cid" -c "$PROPS" --ignore-formatted </dev/null >"$fmt_log" 2>&1; then
    cat "$fmt_log" >&2
    die "formatting $DATA_DIR failed"
  fi
}

show_log_tail() {
  note "last 40 lines of $LOG_FILE:"
  if [[ -s $LOG_FILE ]]; then tail -n 40 "$LOG_FILE" >&2; else echo "  (empty)" >&2; fi
  if [[ -s $OUT_FILE ]]; then
    note "last 20 lines of $OUT_FILE:"
    tail -n 20 "$OUT_FILE" >&2
  fi
}

start_broker() {
  : >"$OUT_FILE"
  # - nohup + stdin from /dev/null: the broker outlives this script and the terminal.
  # - setsid: own session and process group, so Ctrl-C in the terminal that ran `up` (or a CI
  #   step killing its process group) does not take the broker down with it. In a
  #   non-interactive script the background child is not a group leader, so setsid does not
  #   fork and $! is the java pid itself.
  # - 8>&- 9>&-: do not hand the lock fds to the broker, it would hold the locks forever.
  local setsid=()
  command -v setsid >/dev/null 2>&1 && setsid=(setsid)
  # shellcheck disable=SC2086 # HEAP_OPTS is deliberately word-split
  nohup "${setsid[@]}" "$JAVA" $HEAP_OPTS \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$SRC_DIR/log4j2.xml" "-Dkafka.log.file=$LOG_FILE" \
    -cp "$LIB_DIR/*" kafka.Kafka "$PROPS" \
    </dev/null >>"$OUT_FILE" 2>&1 8>&- 9>&- &
  echo $! >"$PID_FILE"
}

# Wait until the broker answers metadata requests. Poll the TCP port from bash first (cheap),
# and only then start the probe JVM. Fails fast if the broker process dies.
wait_ready() { # wait_ready <pid> <deadline (SECONDS)>
  local pid=$1 deadline=$2
  while :; do
    kill -0 "$pid" 2>/dev/null || { show_log_tail; rm -f "$PID_FILE"; die "broker (pid $pid) exited during startup"; }
    if port_open "$PORT" && probe_ready $((deadline - SECONDS)); then
      return 0
    fi
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# SIGTERM (Kafka shuts down cleanly), then SIGKILL after STOP_TIMEOUT seconds.
# Prints "stopped" or "killed".
stop_pid() {
  local pid=$1 deadline=$((SECONDS + STOP_TIMEOUT))
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
      echo killed
      return 0
    fi
    sleep 0.2
  done
  echo stopped
}

# ---------------------------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------------------------

cmd_up() {
  local t0 pid deadline
  t0=$(now_ms)
  init_state_dir
  lock_port
  deadline=$((SECONDS + START_TIMEOUT))

  pid=$(our_pid)
  if [[ -n $pid ]]; then
    if is_ready 20; then
      say "already running on $HOST:$PORT (pid $pid)"
      return 0
    fi
    # Ours, alive, but not answering yet (e.g. an earlier `up` gave up waiting): wait for it
    # rather than start a second JVM on the same ports.
    note "broker pid $pid is running but not ready yet; waiting"
    if wait_ready "$pid" "$deadline"; then
      say "ready on $HOST:$PORT in $(elapsed "$t0") (pid $pid, was already starting)"
      return 0
    fi
    show_log_tail
    die "broker pid $pid not ready after ${START_TIMEOUT}s (left running; try: $0 down)"
  fi
  rm -f "$PID_FILE"

  # Something we did not start owns the port: fine if it is a working Kafka, an error otherwise.
  if port_open "$PORT"; then
    check_java
    ensure_jars # the probe needs the jars, even when the broker is not ours
    if is_ready 20; then
      say "already running on $HOST:$PORT (not started by this script, pid unknown)"
      return 0
    fi
    die "port $HOST:$PORT is in use by something that does not answer as Kafka"
  fi
  if port_open "$CONTROLLER_PORT"; then
    die "controller port $HOST:$CONTROLLER_PORT is already in use (set KAFKA_CONTROLLER_PORT)"
  fi

  check_java
  ensure_jars
  render_props
  ensure_formatted
  start_broker
  pid=$(<"$PID_FILE")
  if wait_ready "$pid" "$deadline"; then
    say "started on $HOST:$PORT in $(elapsed "$t0") (pid $pid)"
    return 0
  fi
  show_log_tail
  # Leave nothing half-started behind: a retry or the next CI step starts from a clean state.
  stop_pid "$pid" >/dev/null
  rm -f "$PID_FILE"
  die "broker not ready after ${START_TIMEOUT}s; stopped it (log: $LOG_FILE)"
}

cmd_down() {
  local t0 pid how
  t0=$(now_ms)
  init_state_dir
  lock_port
  pid=$(our_pid)
  if [[ -z $pid ]]; then
    rm -f "$PID_FILE"
    if port_open "$PORT"; then
      say "not stopped: $HOST:$PORT is served by a process this script did not start (left alone)"
    else
      say "not running on $HOST:$PORT (nothing to stop)"
    fi
    return 0
  fi
  how=$(stop_pid "$pid")
  rm -f "$PID_FILE"
  if [[ $how == killed ]]; then
    say "killed (pid $pid) after ${STOP_TIMEOUT}s without exiting on SIGTERM"
  else
    say "stopped (pid $pid) in $(elapsed "$t0")"
  fi
}

cmd_status() {
  local pid
  # No lock and no state dir creation: status must stay cheap and side-effect free.
  pid=$(our_pid)
  if is_ready 20; then
    say "ready on $HOST:$PORT (pid ${pid:-unknown, not started by this script})"
    return 0
  fi
  if [[ ! -d $LIB_DIR ]] && port_open "$PORT"; then
    say "unknown: $HOST:$PORT is open but .infra/kafka/lib is missing, cannot probe (run: $0 up)"
  elif [[ -n $pid ]]; then
    say "not ready on $HOST:$PORT (pid $pid is running; log: $LOG_FILE)"
  elif port_open "$PORT"; then
    say "not ready on $HOST:$PORT (port is open but does not answer as Kafka)"
  else
    say "not running on $HOST:$PORT"
  fi
  return 1
}

usage() {
  sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
}

main() {
  validate_env
  case ${1:-} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    -h | --help | help) usage ;;
    *) usage; exit 2 ;;
  esac
}

main "$@"
