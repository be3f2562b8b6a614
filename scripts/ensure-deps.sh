#!/usr/bin/env bash
# Installs node_modules from the lockfile when missing or older than the lockfile.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# Any Node.js with npm 10+ can bootstrap: the project pins Node.js 24 LTS as a devDependency ("node"), and
# every npm script runs with node_modules/.bin (so that Node.js) first on its PATH.
major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [[ "$major" -lt 18 ]]; then echo "[deps] ERROR: a Node.js with npm is needed to install (found $(node --version 2>/dev/null || echo none))" >&2; exit 1; fi
stamp="node_modules/.cic-lock-stamp"
if [[ -f "$stamp" ]] && cmp -s package-lock.json "$stamp"; then exit 0; fi
echo "[deps] installing the versions pinned in package-lock.json"
# `npm install` rather than `npm ci`: the registry mirror of this workplace serves no darwin/win32 builds of
# the native optional packages, so their lockfile entries cannot exist and `npm ci` refuses the lockfile.
# `npm install` honours every pin; CI fails if it had to change the lockfile (.ci/run).
npm install --no-audit --no-fund
cp package-lock.json "$stamp"
