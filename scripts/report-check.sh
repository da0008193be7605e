#!/usr/bin/env bash
# Renders a spectrum-report folder in headless Chromium and checks it (see report_check.py).
# Usage: scripts/report-check.sh REPORT_DIR [PNG_OUT_DIR]
# Exit 0: all checks passed; 1: a check failed; 2: usage error or no Chromium installed.
set -euo pipefail
if [ $# -lt 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 REPORT_DIR [PNG_OUT_DIR]   (REPORT_DIR must contain index.html)" >&2
  exit 2
fi
report="$1"
out="${2:-${TMPDIR:-/tmp}/report-check-$(basename "$(cd "$report" && pwd)")}"
browser="${CHROMIUM:-}"
if [ -z "$browser" ]; then
  for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null 2>&1; then browser="$(command -v "$candidate")"; break; fi
  done
fi
if [ -z "$browser" ]; then
  echo "report-check: no Chromium found (install Debian's 'chromium' or set CHROMIUM=/path/to/chrome)" >&2
  exit 2
fi
exec "${PYTHON3:-python3}" "$(dirname "$0")/report_check.py" "$report" "$out" "$browser"
