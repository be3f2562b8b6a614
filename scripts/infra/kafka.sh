#!/usr/bin/env bash
# Runs the real Apache Kafka broker (KRaft, single combined broker+controller) from its Maven Central
# artifacts. No Docker needed: Java 17+ and Maven are enough.
#   kafka.sh up      fetch (once, cached outside the repo), format storage (once), start, wait until it answers
#   kafka.sh down    stop exactly the broker this checkout started (pid file), nothing else
#   kafka.sh status  one line: running / stopped / external
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/deploy/kafka/pom.xml")"
CACHE_DIR="${CIC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cic}/kafka-$KAFKA_VERSION"
STATE_DIR="${CIC_STATE_DIR:-$ROOT/.infra}/kafka"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
HEAP="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
PID_FILE="$STATE_DIR/kafka.pid"
LOG_DIR="$STATE_DIR/logs"
DOCKER_HINT="(or run the stack with Docker: docker compose up -d kafka postgres redis)"

say() { echo "[kafka] $*"; }
fail() { echo "[kafka] ERROR: $*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

our_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q 'kafka.Kafka' "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

fetch() {
  if [[ -f "$CACHE_DIR/.complete" ]]; then return; fi
  command -v mvn >/dev/null || fail "Maven (mvn) not found: needed once to fetch Kafka $KAFKA_VERSION from Maven Central; install it (apt-get install maven) $DOCKER_HINT"
  say "fetching Apache Kafka $KAFKA_VERSION from Maven Central into $CACHE_DIR"
  mkdir -p "$CACHE_DIR"
  rm -rf "$CACHE_DIR/libs"
  mvn -q -B -f "$ROOT/deploy/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$CACHE_DIR/libs" -DincludeScope=runtime >"$CACHE_DIR/fetch.log" 2>&1 \
    || fail "Maven could not fetch Kafka $KAFKA_VERSION (see $CACHE_DIR/fetch.log) $DOCKER_HINT"
  touch "$CACHE_DIR/.complete"
}

java_ok() {
  command -v java >/dev/null || fail "Java not found: Kafka needs a JRE 17+ (apt-get install openjdk-17-jre-headless) $DOCKER_HINT"
  local major
  major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = \([0-9]*\).*/\1/p')"
  [[ "${major:-0}" -ge 17 ]] || fail "Java $major found, Kafka $KAFKA_VERSION here needs 17+ $DOCKER_HINT"
}

up() {
  if pid="$(our_pid)"; then say "already running (pid $pid) on 127.0.0.1:$PORT"; return; fi
  if port_open "$PORT"; then
    say "a broker already answers on 127.0.0.1:$PORT (not started by this checkout): using it"
    return
  fi
  java_ok
  fetch
  mkdir -p "$STATE_DIR/data" "$LOG_DIR"
  local conf="$STATE_DIR/server.properties"
  sed -e "s|@PORT@|$PORT|g" -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" -e "s|@DATA_DIR@|$STATE_DIR/data|g" \
    "$ROOT/deploy/kafka/server.properties.template" >"$conf"
  local cp="$CACHE_DIR/libs/*"
  local jvm=(-Djava.awt.headless=true "-Dkafka.logs.dir=$LOG_DIR" "-Dlog4j.configuration=file:$ROOT/deploy/kafka/log4j.properties")
  if [[ ! -f "$STATE_DIR/data/meta.properties" ]]; then
    # A KRaft cluster id is 16 random bytes, URL-safe base64 without padding.
    local cluster_id
    cluster_id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | cut -c1-22)"
    say "formatting storage in $STATE_DIR/data (cluster $cluster_id)"
    java "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" -c "$conf" --ignore-formatted \
      >"$LOG_DIR/format.log" 2>&1 || {
      tail -n 20 "$LOG_DIR/format.log" | sed 's/^/[kafka] format: /' >&2
      fail "formatting Kafka storage failed (see $LOG_DIR/format.log)"
    }
  fi
  say "starting Kafka $KAFKA_VERSION on 127.0.0.1:$PORT (logs: $LOG_DIR/server.log)"
  # shellcheck disable=SC2086
  setsid nohup java $HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 "${jvm[@]}" -cp "$cp" kafka.Kafka "$conf" \
    >"$LOG_DIR/stdout.log" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local deadline=$((SECONDS + START_TIMEOUT))
  until port_open "$PORT" && grep -q 'Kafka Server started' "$LOG_DIR/server.log" 2>/dev/null; do
    if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
      tail -n 20 "$LOG_DIR/stdout.log" "$LOG_DIR/server.log" >&2 2>/dev/null || true
      rm -f "$PID_FILE"
      fail "Kafka exited during start-up (see $LOG_DIR)"
    fi
    if ((SECONDS > deadline)); then fail "Kafka did not answer on 127.0.0.1:$PORT within ${START_TIMEOUT}s (see $LOG_DIR)"; fi
    sleep 0.5
  done
  say "ready on 127.0.0.1:$PORT (pid $(cat "$PID_FILE"))"
}

down() {
  local pid
  if ! pid="$(our_pid)"; then rm -f "$PID_FILE"; say "not running (nothing started by this checkout)"; return; fi
  say "stopping pid $pid"
  kill -TERM "$pid"
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS > deadline)); then say "still up after 30 s, killing"; kill -KILL "$pid"; fi
    sleep 0.3
  done
  rm -f "$PID_FILE"
  say "stopped"
}

status() {
  if pid="$(our_pid)"; then say "running (pid $pid) on 127.0.0.1:$PORT"
  elif port_open "$PORT"; then say "external broker answers on 127.0.0.1:$PORT"
  else say "stopped"; fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
