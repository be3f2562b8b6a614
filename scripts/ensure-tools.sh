#!/usr/bin/env bash
# Tools the test suite uses beyond Node.js: poppler-utils (pdftotext, pdftoppm) to read the certificate
# PDFs origin-certificate renders and to draw them as PNG for a person to look at. Installed from the
# Debian packages when missing and allowed (root or passwordless sudo); otherwise one clear line.
set -euo pipefail
if command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; then exit 0; fi
sudo_=""
if [[ "$(id -u)" != 0 ]]; then
  if sudo -n true 2>/dev/null; then sudo_="sudo -n"; else
    echo "[tools] ERROR: pdftotext/pdftoppm missing; install poppler-utils (apt-get install poppler-utils)" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "[tools] ERROR: pdftotext/pdftoppm missing and no apt-get here; install poppler-utils" >&2
  exit 1
fi
echo "[tools] installing poppler-utils (pdftotext, pdftoppm)"
export DEBIAN_FRONTEND=noninteractive
$sudo_ apt-get install -y -q --no-install-recommends poppler-utils >/dev/null 2>&1 ||
  { $sudo_ apt-get update -q >/dev/null 2>&1 && $sudo_ apt-get install -y -q --no-install-recommends poppler-utils >/dev/null; }
command -v pdftotext >/dev/null
