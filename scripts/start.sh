#!/usr/bin/env bash
# npm start: installs if needed, brings up Kafka (from Maven Central) and uses the configured Postgres and
# Redis, migrates, runs every service (api + worker roles) with demo data and demo keys, prints where to
# look, and stops what it started on Ctrl-C.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export NX_DAEMON=false
LOG_DIR="$ROOT/.infra/logs"
mkdir -p "$LOG_DIR"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cic}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
INTAKE_PORT="${INTAKE_PORT:-3001}"

bash scripts/ensure-deps.sh
started_kafka=0
bash scripts/infra/kafka.sh status | grep -q -e running -e external || started_kafka=1
bash scripts/infra/infra.sh up

pids=()
cleanup() {
  echo
  echo "[start] stopping services"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ "$started_kafka" == 1 ]]; then bash scripts/infra/infra.sh down; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run() { # name, compiled entry file, extra env...
  local name="$1" entry="$2"; shift 2
  env "$@" node --enable-source-maps "$entry" >"$LOG_DIR/$name.log" 2>&1 &
  pids+=("$!")
  echo "[start] $name (pid $!, log .infra/logs/$name.log)"
}

echo "[start] building (services run from compiled JavaScript in dist/)"
npx nx run-many -t build --outputStyle=stream >"$LOG_DIR/build.log" 2>&1 || { cat "$LOG_DIR/build.log" >&2; exit 1; }
echo "[start] migrating"
node dist/apps/declaration-intake/src/migrate.js

run declaration-intake-api dist/apps/declaration-intake/src/main.js PORT="$INTAKE_PORT"
run declaration-intake-worker dist/apps/declaration-intake/src/worker.js

deadline=$((SECONDS + 90))
until curl -sf "http://127.0.0.1:$INTAKE_PORT/health/ready" >/dev/null 2>&1; do
  if ((SECONDS > deadline)); then echo "[start] ERROR: declaration-intake not ready after 90 s; see .infra/logs/declaration-intake-api.log" >&2; exit 1; fi
  sleep 0.5
done

keys="$(node dist/apps/declaration-intake/src/cli/api-keys.cli.js demo --file .infra/demo-keys.json)"
key_of() { node -e "process.stdout.write(JSON.parse(process.argv[1])[process.argv[2]])" "$keys" "$1"; }
echo "[start] demo declarations"
node dist/apps/declaration-intake/src/cli/demo-data.js "http://127.0.0.1:$INTAKE_PORT" "$(key_of declarant)"

cat <<MSG

  Inspection and clearance platform — local demo
  ------------------------------------------------
  declaration-intake  http://127.0.0.1:$INTAKE_PORT        API docs: http://127.0.0.1:$INTAKE_PORT/docs
                      health:  /health/ready    metrics: /metrics
  intake worker       http://127.0.0.1:${WORKER_PORT:-3101}/health/ready (decision-deadline sweep)
  Kafka               127.0.0.1:9092 (log: .infra/kafka/logs/server.log)
  PostgreSQL          ${DATABASE_URL%%\?*}
  Redis               $REDIS_URL

  Demo API keys (local demo mode only; kept in .infra/demo-keys.json):
    admin      $(key_of admin)
    operator   $(key_of operator)
    declarant  $(key_of declarant)

  Try:  curl -H "Authorization: Bearer $(key_of operator)" http://127.0.0.1:$INTAKE_PORT/v1/declarations

  The green-channel, exemption and origin-certificate services and the ops console are not built yet:
  without their decisions, demo declarations fall to DOCUMENT_REVIEW after the 30 s decision timeout.
  Ctrl-C stops everything started here.
MSG
wait -n "${pids[@]}" || true
echo "[start] a service exited; see .infra/logs" >&2
exit 1
