#!/usr/bin/env bash
# Local infrastructure: Kafka (started here from Maven Central artifacts unless KAFKA_BROKERS points
# elsewhere), PostgreSQL and Redis (the configured servers; databases created if missing).
#   infra.sh up | down | status
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cmd="${1:-}"

external_kafka() {
  [[ -n "${KAFKA_BROKERS:-}" && "${KAFKA_BROKERS}" != "127.0.0.1:9092" && "${KAFKA_BROKERS}" != "localhost:9092" ]]
}

case "$cmd" in
  up)
    bash "$ROOT/scripts/ensure-deps.sh"
    if external_kafka; then echo "[kafka] using configured KAFKA_BROKERS=$KAFKA_BROKERS"; else bash "$ROOT/scripts/infra/kafka.sh" up; fi
    node -r "$ROOT/scripts/register.js" "$ROOT/scripts/infra/check-stores.ts"
    ;;
  down)
    if ! external_kafka; then bash "$ROOT/scripts/infra/kafka.sh" down; fi
    ;;
  status)
    if external_kafka; then echo "[kafka] configured: $KAFKA_BROKERS"; else bash "$ROOT/scripts/infra/kafka.sh" status; fi
    ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
