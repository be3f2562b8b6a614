#!/usr/bin/env bash
# npm test: the whole suite. Installs if needed, brings the infrastructure up (Kafka from Maven Central,
# the configured Postgres and Redis), runs unit then integration tests, stops what it started, and ends
# with one line counting every test.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
bash scripts/ensure-deps.sh
bash scripts/ensure-tools.sh
mkdir -p .infra
log=".infra/test-output.log"
status=0
bash scripts/with-infra.sh bash -c '
  set -euo pipefail
  echo "== unit tests"
  npx nx run-many -t test --parallel=2 --outputStyle=stream --skip-nx-cache
  echo "== integration tests (real Kafka, PostgreSQL, Redis)"
  npx nx run-many -t integration --parallel=1 --outputStyle=stream
  echo "== package: compiled services start with production dependencies only"
  bash scripts/package-check.sh
' 2>&1 | tee "$log" || status=$?
# Jest prints "Tests: 3 failed, 40 passed, 43 total" per project; add them up (colour codes stripped).
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /Tests:/ {
    for (i = 1; i <= NF; i++) {
      if ($(i) ~ /^passed,?$/) passed += $(i-1)
      if ($(i) ~ /^failed,?$/) failed += $(i-1)
    }
  }
  END { printf "%d passed, %d failed\n", passed, failed }'
exit "$status"
