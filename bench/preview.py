"""Benchmark ``render.preview`` against a plain Pillow composite + encode of the same pixels.

    python bench/preview.py [--runs 60] [--width 1200] [--fmt webp]

A typical design: the demo mug photo (1600 px PNG), one text layer in gold and one
uploaded photo (2400x1800 JPEG); the text changes on every call, as when a shopper
types, so text rendering is never served from the engine's caches. The baseline does
only what any preview must do: paste the already-rendered design onto the
already-scaled photo and encode it with the same encoder settings. Prints median and
p95 of both and their ratio.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import render  # noqa: E402
from render import compose, output, samples  # noqa: E402
from render.spec import parse_spec  # noqa: E402


def typical_spec() -> dict:
    """The design we call typical: one text layer, one uploaded photo, on the demo mug."""
    upload = Image.open(io.BytesIO(samples.demo_product_photo("pendant", 1800))).convert("RGB")
    upload = upload.resize((2400, 1800))
    buf = io.BytesIO()
    upload.save(buf, "JPEG", quality=90)
    template = samples.demo_template("mug")
    return {
        "product": {"image": samples.demo_product_photo("mug", 1600)},
        "printAreas": template["printAreas"],
        "layers": [
            {"type": "image", "image": buf.getvalue(), "scale": 0.8, "y": 0.62},
            {
                "type": "text",
                "text": "Jessica",
                "font": "playfair-display",
                "material": "gold",
                "y": 0.18,
            },
        ],
    }


def timings(fns: list, runs: int) -> list[list[float]]:
    """Run each function ``runs`` times, interleaved so background load hits all alike."""
    for fn in fns:
        fn()  # warm caches (fonts, decoded images, scaled photo)
    out: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, times in zip(fns, out, strict=True):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000.0)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--fmt", default="webp", choices=output.PREVIEW_FORMATS)
    args = parser.parse_args()

    spec = typical_spec()
    # the same pixels, prepared outside the timed part: scaled photo + rendered area
    design = parse_spec(spec)
    photo = output._product_photo(design, args.width)
    area = design.print_areas[0]
    w, h = photo.size
    x0, y0 = round(area.x * w), round(area.y * h)
    x1, y1 = round((area.x + area.width) * w), round((area.y + area.height) * h)
    base = photo.crop((x0, y0, x1, y1))
    pixels = compose.render_area(
        design, area, base.size, np.asarray(base, np.float32) / 255, "preview"
    )
    overlay = pixels.to_image()

    def baseline() -> bytes:
        canvas = photo.copy()
        canvas.paste(overlay, (x0, y0), overlay)
        return output.encode(canvas, args.fmt, 85)

    # a shopper typing: every preview has new text, so no text is ever served from cache
    names = itertools.cycle([f"Jessica {i}" for i in range(1000)])

    def engine_preview() -> bytes:
        spec["layers"][1]["text"] = next(names)
        return render.preview(spec, width=args.width, fmt=args.fmt)

    engine, plain = timings([engine_preview, baseline], args.runs)
    label = f"{args.width}px {args.fmt}"
    for name, values in (("render.preview ", engine), ("Pillow baseline", plain)):
        median = statistics.median(values)
        print(f"{name} {label}: median {median:6.1f} ms   p95 {p95(values):6.1f} ms")
    print(f"ratio (median): {statistics.median(engine) / statistics.median(plain):.2f}")

    # a shopper zooming the photo: every preview has a new scale, so the photo tile is new
    scales = itertools.cycle([round(0.5 + i * 0.001, 3) for i in range(500)])

    def zoom_preview() -> bytes:
        spec["layers"][0]["scale"] = next(scales)
        return render.preview(spec, width=args.width, fmt=args.fmt)

    reduced = timings([zoom_preview], args.runs)[0]
    kept = compose._OVERSAMPLE
    compose._OVERSAMPLE = 10**9  # the same work from the full-size photo, for the ratio
    try:
        full = timings([zoom_preview], args.runs)[0]
    finally:
        compose._OVERSAMPLE = kept
    for name, values in (("zoom, reduced copy", reduced), ("zoom, full photo  ", full)):
        median = statistics.median(values)
        print(f"{name} {label}: median {median:6.1f} ms   p95 {p95(values):6.1f} ms")
    print(
        "zoom ratio reduced/full (median): "
        f"{statistics.median(reduced) / statistics.median(full):.2f}; against the Pillow "
        f"baseline: {statistics.median(reduced) / statistics.median(plain):.2f}"
    )
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
