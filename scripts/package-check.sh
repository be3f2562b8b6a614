#!/usr/bin/env bash
# Proves the deliverable of each service: its compiled output (dist/) starts with production dependencies
# only, installed from the lockfile into an empty directory, in production mode, the way the image runs it.
# Needs the local infrastructure (Kafka, PostgreSQL); leaves nothing behind.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
tmp="$(mktemp -d)"
pid=""
run="pkg$(date +%s)$$"
schemas=()
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  for schema in "${schemas[@]}"; do
    psql -q "${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cic_test}" -c "DROP SCHEMA IF EXISTS ${schema} CASCADE" >/dev/null 2>&1 || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

for app in apps/*/; do node scripts/build.js "$(basename "$app")"; done
cp package.json package-lock.json "$tmp"/
cp -r dist "$tmp"/
echo "[package] installing production dependencies only into $tmp"
(cd "$tmp" && npm install --omit=dev --no-audit --no-fund --ignore-scripts --loglevel=error)
if [[ -d "$tmp/node_modules/typescript" || -d "$tmp/node_modules/@swc-node" || -d "$tmp/node_modules/jest" ]]; then
  echo "[package] ERROR: development tools were installed with --omit=dev" >&2
  exit 1
fi

port="$(node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')"
export NODE_ENV=production MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 PORT="$port" LOG_LEVEL=warn \
  DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cic_test}" \
  KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}" \
  KAFKA_PARTITIONS=3 KAFKA_REPLICATION_FACTOR=1 KAFKA_MIN_INSYNC_REPLICAS=1 \
  KAFKA_TOPIC_PREFIX="$run." \
  REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}" \
  SELECTION_KEY="package-check-selection-key-$run" \
  ORIGIN_KEY_ENCRYPTION_KEY="$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')" \
  PUBLIC_BASE_URL="http://127.0.0.1:$port"
cd "$tmp"
# Stack traces point into the services' TypeScript: every entry file turns source maps on for the service's
# own files (and not for dependencies, whose maps would stay in memory), and the maps ship in dist/.
for entry in dist/apps/*/src/{main,worker,migrate}.js; do
  if ! grep -q 'setSourceMapsSupport(true, { nodeModules: false' "$entry"; then
    echo "[package] ERROR: $entry does not turn source maps on for the service's own code" >&2
    exit 1
  fi
done
trace="$(node -e '
  require("node:module").setSourceMapsSupport(true, { nodeModules: false, generatedCode: false });
  const { renderCertificatePdf } = require("./dist/apps/origin-certificate/src/pdf/certificate-pdf.js");
  try { renderCertificatePdf(null); } catch (e) { console.log(e.stack); }
')"
if ! grep -q 'apps/origin-certificate/src/pdf/certificate-pdf.ts:[0-9]' <<<"$trace"; then
  echo "[package] ERROR: a stack trace of the compiled output does not point into the TypeScript; got:" >&2
  echo "$trace" >&2
  exit 1
fi
echo "[package] entry files map stack traces to the TypeScript sources (dependencies' maps not loaded)"
for app in declaration-intake green-channel exemption origin-certificate; do
  # Each service in its own schema and consumer group, as in production.
  export DB_SCHEMA="${run}_${app//-/_}" KAFKA_GROUP_ID="${run}-${app}"
  schemas+=("$DB_SCHEMA")
  node "dist/apps/$app/src/migrate.js"
  # The image's entry point (deploy/Dockerfile).
  node --max-semi-space-size=8 --heap-growing-percent=40 "dist/apps/$app/src/main.js" >"$tmp/$app.log" 2>&1 &
  pid=$!
  deadline=$((SECONDS + 60))
  until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null || ((SECONDS > deadline)); then
      echo "[package] ERROR: the compiled $app api did not become ready; its log:" >&2
      tail -n 40 "$tmp/$app.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  docs="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/docs-json")"
  echo "[package] $app started from dist/ with production dependencies only (ready; /docs-json $docs in production)"
  kill -TERM "$pid"
  wait "$pid" || true
  pid=""
done
# Kafka topics of this run are left to the broker's retention; they are prefixed with the run id.
