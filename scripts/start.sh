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
GREEN_PORT="${GREEN_PORT:-3002}"
EXEMPTION_PORT="${EXEMPTION_PORT:-3003}"
ORIGIN_PORT="${ORIGIN_PORT:-3004}"

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

# Memory settings of the services, as in the image (deploy/Dockerfile; measurements in bench/README.md):
# an 8 MB young-generation semi-space, a full collection once the old generation grew 40% (V8 lets it
# triple), at most two malloc arenas and a fixed mmap threshold. No --enable-source-maps: the compiled entry files turn source maps
# on for the services' own code only (scripts/build.js).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# Buffers of 128 KB and more straight from mmap, given back when freed (glibc's moving threshold kept them).
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
# Each service runs under a small supervisor: a service that exits (killed by hand, or one that gave up
# starting because Kafka or Postgres was away) is started again after 1 s, then 2, 4 ... up to 30 s
# between attempts while it keeps failing (back to 1 s once it ran a minute), as an orchestrator would.
# Ctrl-C (or TERM) stops the supervisors and, through them, the services.
supervise() { # name, compiled entry file, extra env...
  local name="$1" entry="$2"; shift 2
  local delay=1 child=0 started code
  trap 'kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM INT
  : >"$LOG_DIR/$name.log"
  while true; do
    started=$SECONDS
    env "$@" node --max-semi-space-size=8 --heap-growing-percent=40 "$entry" >>"$LOG_DIR/$name.log" 2>&1 &
    child=$!
    code=0
    wait "$child" || code=$?
    if ((SECONDS - started >= 60)); then delay=1; fi
    echo "[start] $name exited (code $code; log .infra/logs/$name.log); starting it again in ${delay}s" >&2
    echo "[start] --- exited (code $code) at $(date -u +%FT%TZ); started again in ${delay}s ---" >>"$LOG_DIR/$name.log"
    sleep "$delay" & wait $! || true
    delay=$((delay * 2 > 30 ? 30 : delay * 2))
  done
}
run() { # name, compiled entry file, extra env...
  supervise "$@" &
  pids+=("$!")
  echo "[start] $1 (log .infra/logs/$1.log)"
}

echo "[start] building (services run from compiled JavaScript in dist/)"
npx nx run-many -t build --outputStyle=stream >"$LOG_DIR/build.log" 2>&1 || { cat "$LOG_DIR/build.log" >&2; exit 1; }
echo "[start] migrating"
node dist/apps/declaration-intake/src/migrate.js
node dist/apps/green-channel/src/migrate.js
node dist/apps/exemption/src/migrate.js
node dist/apps/origin-certificate/src/migrate.js

DEMO_DOCS="$ROOT/deploy/demo/documents"
run declaration-intake-api dist/apps/declaration-intake/src/main.js PORT="$INTAKE_PORT"
run declaration-intake-worker dist/apps/declaration-intake/src/worker.js
run green-channel-api dist/apps/green-channel/src/main.js PORT="$GREEN_PORT"
run green-channel-worker dist/apps/green-channel/src/worker.js DOCUMENT_FILE_ROOT="$DEMO_DOCS"
run exemption-api dist/apps/exemption/src/main.js PORT="$EXEMPTION_PORT"
run exemption-worker dist/apps/exemption/src/worker.js
run origin-certificate-api dist/apps/origin-certificate/src/main.js PORT="$ORIGIN_PORT"
run origin-certificate-worker dist/apps/origin-certificate/src/worker.js

wait_ready() { # name, url
  local deadline=$((SECONDS + 90))
  until curl -sf "$2/health/ready" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then echo "[start] ERROR: $1 not ready after 90 s; see .infra/logs/$1-api.log" >&2; exit 1; fi
    sleep 0.5
  done
}
wait_ready declaration-intake "http://127.0.0.1:$INTAKE_PORT"
wait_ready green-channel "http://127.0.0.1:$GREEN_PORT"
wait_ready exemption "http://127.0.0.1:$EXEMPTION_PORT"
wait_ready origin-certificate "http://127.0.0.1:$ORIGIN_PORT"

keys="$(node dist/apps/declaration-intake/src/cli/api-keys.cli.js demo --file .infra/demo-keys.json)"
key_of() { node -e "process.stdout.write(JSON.parse(process.argv[1])[process.argv[2]])" "$keys" "$1"; }
echo "[start] green-channel reference data (zones, enterprises, risk alerts, an approval)"
node dist/apps/green-channel/src/cli/demo-data.js "http://127.0.0.1:$GREEN_PORT" "$(key_of admin)"
echo "[start] exemption grants (one active, one close to expiry, one suspended)"
node dist/apps/exemption/src/cli/demo-data.js "http://127.0.0.1:$EXEMPTION_PORT" "$(key_of admin)"
echo "[start] certificate of origin applications (issued, refused, one corrected)"
node dist/apps/origin-certificate/src/cli/demo-data.js "http://127.0.0.1:$ORIGIN_PORT" "$(key_of admin)"
echo "[start] demo declarations"
node dist/apps/declaration-intake/src/cli/demo-data.js "http://127.0.0.1:$INTAKE_PORT" "$(key_of declarant)" "$DEMO_DOCS"

cat <<MSG

  Inspection and clearance platform — local demo
  ------------------------------------------------
  declaration-intake  http://127.0.0.1:$INTAKE_PORT        API docs: http://127.0.0.1:$INTAKE_PORT/docs
                      health:  /health/ready    metrics: /metrics
  intake worker       http://127.0.0.1:3101/health/ready (decision-deadline sweep)
  green-channel       http://127.0.0.1:$GREEN_PORT        API docs: http://127.0.0.1:$GREEN_PORT/docs
                      lanes: /v1/lanes/<declarationId>   enterprises: /v1/enterprises
  green-channel worker http://127.0.0.1:3102/health/ready (document verification, lab history, risk alerts on BullMQ)
  exemption           http://127.0.0.1:$EXEMPTION_PORT        API docs: http://127.0.0.1:$EXEMPTION_PORT/docs
                      grants: /v1/grants   decisions: /v1/decisions/<declarationId>
  exemption worker    http://127.0.0.1:3103/health/ready (daily grant expiry and renewal reminders on BullMQ)
  origin-certificate  http://127.0.0.1:$ORIGIN_PORT        API docs: http://127.0.0.1:$ORIGIN_PORT/docs
                      public keys: /.well-known/jwks.json   verify: /v1/certificates/<number>/verify (no key)
  origin worker       http://127.0.0.1:3104/health/ready (certificate PDFs on BullMQ)
  Kafka               127.0.0.1:9092 (log: .infra/kafka/logs/server.log)
  PostgreSQL          ${DATABASE_URL%%\?*}
  Redis               $REDIS_URL

  Demo API keys (local demo mode only; kept in .infra/demo-keys.json):
    admin      $(key_of admin)
    operator   $(key_of operator)
    declarant  $(key_of declarant)

  Try:  curl -H "Authorization: Bearer $(key_of operator)" http://127.0.0.1:$INTAKE_PORT/v1/declarations

  green-channel decides every demo declaration's lane (GREEN, YELLOW and RED all appear), exemption
  decides each line (DEMO-ELEC-0001 is exempt and released on that basis), and origin-certificate issues
  or refuses the certificates requested (DEMO-AUTO-0001 and DEMO-ELEC-0001 issued, DEMO-WOOD-0001
  refused on its tariff shift). The ops console is not built yet.
  A service that exits is started again (after 1 s, backing off to 30 s while it keeps failing).
  Ctrl-C stops everything started here.
MSG
wait
