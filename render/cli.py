"""Command line: render a design spec JSON file to a preview or production files.

    python -m render preview --spec design.json --out preview.webp [--width 1200]
    python -m render production --spec design.json --out area.png [--area front] [--dpi N]

Image paths inside the spec are relative to the spec file. ``production`` writes
the PNG to ``--out`` and the PDF beside it (same name, ``.pdf``) unless ``--out``
itself ends in ``.pdf``, and the print profile's other files beside them (``.x4.pdf``,
``.svg``, ``.dxf``, ``.vector.pdf``), and prints the preflight findings.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from render.errors import SpecError
from render.output import MEDIA_TYPES, PREVIEW_FORMATS, preview, production
from render.spec import parse_spec


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m render", description="Render a Luneo design spec."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("preview", help="product photo with the design on it")
    p.add_argument("--spec", required=True, type=Path, help="design spec JSON file")
    p.add_argument("--out", required=True, type=Path, help="output file (.webp, .jpg or .png)")
    p.add_argument("--width", type=int, default=1200)
    p.add_argument("--quality", type=int, default=85)
    p.add_argument("--format", choices=PREVIEW_FORMATS, help="default: from the --out suffix")
    q = sub.add_parser("production", help="print-ready PNG + PDF of one print area")
    q.add_argument("--spec", required=True, type=Path)
    q.add_argument("--out", required=True, type=Path, help="PNG path (the PDF goes beside it)")
    q.add_argument("--area", help="print area id (default: the first)")
    q.add_argument("--dpi", type=int, default=None, help="default: the print profile's")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (0 ok, 2 bad spec or arguments)."""
    args = build_parser().parse_args(argv)
    try:
        data = json.loads(args.spec.read_text(encoding="utf-8"))
        spec = parse_spec(data, base_dir=args.spec.resolve().parent)
        if args.command == "preview":
            fmt = args.format or _format_for(args.out)
            args.out.write_bytes(preview(spec, width=args.width, fmt=fmt, quality=args.quality))
            print(f"wrote {args.out}")
        else:
            files = production(spec, area_id=args.area, dpi=args.dpi)
            png = args.out if args.out.suffix.lower() != ".pdf" else args.out.with_suffix(".png")
            png.write_bytes(files.png)
            png.with_suffix(".pdf").write_bytes(files.pdf)
            size = f"{files.width_px}x{files.height_px} px at {files.dpi} dpi"
            print(f"wrote {png} and {png.with_suffix('.pdf')} ({size})")
            for name, data in files.files.items():  # the print profile's other files
                if name in ("png", "pdf"):
                    continue
                path = png.with_suffix("." + MEDIA_TYPES[name][0])
                path.write_bytes(data)
                print(f"wrote {path}")
            for finding in files.findings:
                print(f"preflight {finding.severity}: {finding.code}: {finding.message}")
    except SpecError as exc:
        where = f" at {exc.field}" if exc.field else ""
        print(f"error: {exc.code}{where}: {exc.message}", file=sys.stderr)
        return 2
    except (OSError, json.JSONDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _format_for(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return {"jpg": "jpeg", "jpeg": "jpeg", "png": "png"}.get(suffix, "webp")
