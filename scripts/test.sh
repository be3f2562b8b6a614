#!/usr/bin/env bash
# npm test: the whole suite. Installs if needed, brings the infrastructure up (Kafka from Maven Central,
# the configured Postgres and Redis), runs unit then integration tests, and stops what it started.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
bash scripts/ensure-deps.sh
exec bash scripts/with-infra.sh bash -c '
  set -euo pipefail
  echo "== unit tests"
  npx nx run-many -t test --parallel=2 --outputStyle=stream
  echo "== integration tests (real Kafka, PostgreSQL, Redis)"
  npx nx run-many -t integration --parallel=1 --outputStyle=stream
'
