# Shared by scripts/start and scripts/test: make .venv and install the pinned requirements
# (only when requirements changed since the last install).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
REQ_FILE="${1:-requirements.txt}"
STAMP=".venv/.installed-$(cat requirements.txt "$REQ_FILE" | sha256sum | cut -c1-16)"
if [ ! -f "$STAMP" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$REQ_FILE"
  touch "$STAMP"
fi
export FLASK_APP=wsgi
