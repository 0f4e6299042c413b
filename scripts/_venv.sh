# Shared by scripts/start and scripts/test: make .venv and install the pinned requirements
# (only when requirements changed since the last install). Says what it does: the first
# install takes a few minutes on a fresh machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "luneo: creating the virtual environment in .venv ..."
  "$PYTHON" -m venv .venv
fi
REQ_FILE="${1:-requirements.txt}"
STAMP=".venv/.installed-$(cat requirements.txt "$REQ_FILE" | sha256sum | cut -c1-16)"
if [ ! -f "$STAMP" ]; then
  echo "luneo: installing Python packages from $REQ_FILE (first time: a few minutes) ..."
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet --progress-bar off -r "$REQ_FILE"
  touch "$STAMP"
  echo "luneo: Python packages installed."
fi
export FLASK_APP=wsgi
