#!/usr/bin/env bash
# Build render/icc/luneo-fogra39.icc, the CMYK output profile of our PDF/X-4 files, from
# Fogra's FOGRA39 characterization data as Debian ships it (package icc-profiles-free,
# /usr/share/color/icc/FOGRA39L.ti3) with ArgyllCMS's colprof (package argyll).
#
# The result is reproducible: colprof is deterministic for a given input and options, and
# the header's creation date (the only varying field) is pinned to the data's date and the
# profile ID recomputed (ICC.1:2010 7.2.18). Run it again and `git diff` shows nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC=/usr/share/color/icc/FOGRA39L.ti3
OUT="$ROOT/render/icc/luneo-fogra39.icc"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
[ -r "$SRC" ] || { echo "missing $SRC: apt-get install icc-profiles-free" >&2; exit 1; }
command -v colprof >/dev/null || { echo "missing colprof: apt-get install argyll" >&2; exit 1; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp "$SRC" "$WORK/luneo-fogra39.ti3"
# -qm medium quality; -kr ramp black generation; -l 300 total area coverage, -L 100 black,
# as ISO 12647-2 coated paper prints; -nc: do not embed the measurement data (size).
(cd "$WORK" && colprof -qm -kr -l 300 -L 100 -nc \
  -D "Luneo FOGRA39 (ISO 12647-2 coated) built with ArgyllCMS colprof" \
  -C "No copyright. Built from FOGRA39L characterization data (Fogra); see LICENSE.md" \
  -A "Luneo" luneo-fogra39 >/dev/null)
"$PY" - "$WORK/luneo-fogra39.icc" "$OUT" <<'PYEOF'
import hashlib, struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
data[24:36] = struct.pack(">6H", 2006, 12, 1, 0, 0, 0)  # dateTimeNumber: the data's date
# profile ID: MD5 of the profile with flags, rendering intent and ID zeroed (ICC.1 7.2.18)
probe = bytearray(data)
probe[44:48] = b"\0" * 4
probe[64:68] = b"\0" * 4
probe[84:100] = b"\0" * 16
data[84:100] = hashlib.md5(probe).digest()
open(sys.argv[2], "wb").write(data)
PYEOF
echo "wrote $OUT ($(stat -c %s "$OUT") bytes)"
