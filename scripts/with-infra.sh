#!/usr/bin/env bash
# Runs a command with the infrastructure up; stops afterwards only what this call started.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
started_kafka=0
if ! bash "$ROOT/scripts/infra/kafka.sh" status | grep -q -e running -e external; then started_kafka=1; fi
cleanup() { if [[ "$started_kafka" == 1 && "${KEEP_INFRA:-0}" != 1 ]]; then bash "$ROOT/scripts/infra/infra.sh" down; fi; }
trap cleanup EXIT
bash "$ROOT/scripts/infra/infra.sh" up
"$@"
