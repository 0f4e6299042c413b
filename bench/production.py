"""Benchmark: production files per print profile, at a small and a large print area.

    .venv/bin/python bench/production.py [--runs 3] [--only print-cmyk] [--area 280x300]

For each print profile (sRGB print, CMYK PDF/X-4, engraving vectors, UV) and two print areas
(a 70 x 80 mm mug wrap and a 300 x 400 mm poster, or ``--area`` W x H mm), renders
``render.production`` for a design with a photo and two text layers and prints the median
wall time, the peak memory the process grew by (tracemalloc, Python + numpy allocations)
and the size of each file. The load average is printed with the figures: these machines
have 2 shared cores.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import render  # noqa: E402

AREAS = {"small 70x80 mm": (70.0, 80.0), "large 300x400 mm": (300.0, 400.0)}
PROFILES = {
    "print-srgb": {"kind": "print-srgb"},
    "print-cmyk": {"kind": "print-cmyk"},
    "engraving": {"kind": "engraving"},
    "uv": {"kind": "uv"},
}


def photo(px: int = 2400) -> bytes:
    """A photo-like JPEG (smooth colours and grain), 2400 x 1800 px."""
    rng = np.random.default_rng(3)
    h = px * 3 // 4
    y, x = np.mgrid[0:h, 0:px] / px
    rgb = np.empty((h, px, 3), np.uint8)
    grain = rng.normal(0, 10, (h, px))
    rgb[..., 0] = np.clip(255 * x + grain, 0, 255)
    rgb[..., 1] = np.clip(200 * y + grain, 0, 255)
    rgb[..., 2] = np.clip(128 + 90 * np.sin(9 * x * y) + grain, 0, 255)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def spec(size: tuple[float, float], profile: dict, image: bytes) -> dict:
    area = {"id": "a", "x": 0, "y": 0, "width": 1, "height": 1, "widthMm": size[0],
            "heightMm": size[1], "profile": profile}  # fmt: skip
    return {
        "printAreas": [area],
        "layers": [
            {"type": "image", "image": image, "scale": 0.9, "y": 0.6},
            {
                "type": "text",
                "text": "Happy birthday Léa",
                "font": "playfair-display",
                "y": 0.15,
                "color": "#1a3c8a",
            },  # fmt: skip
            {"type": "text", "text": "2026", "font": "lato", "curve": 60, "y": 0.9},
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=sorted(PROFILES))
    parser.add_argument("--area", help="one print area instead, W x H in mm (280x300)")
    args = parser.parse_args()
    areas = AREAS
    if args.area:
        w, h = (float(v) for v in args.area.lower().split("x"))
        areas = {f"{w:g}x{h:g} mm": (w, h)}
    image = photo()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"{'profile':<12} {'area':<17} {'dpi':>4} {'median ms':>10} {'peak MB':>8}  files")
    for name, profile in PROFILES.items():
        if args.only and name != args.only:
            continue
        for label, size in areas.items():
            s = spec(size, profile, image)
            result = render.production(s)  # warm-up: fonts, ICC transforms, caches
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                result = render.production(s)
                times.append((time.perf_counter() - started) * 1000)
            tracemalloc.start()
            render.production(s)
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            files = ", ".join(f"{k} {len(v) / 1e6:.2f} MB" for k, v in result.files.items())
            print(
                f"{name:<12} {label:<17} {result.dpi:>4} {statistics.median(times):>10.0f} "
                f"{peak:>8.0f}  {files}"
            )
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
