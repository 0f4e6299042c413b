"""Last keystroke -> server preview shown, in the storefront widget (headless Chromium).

Starts the embedded default (SQLite, jobs in the request) under gunicorn on loopback (the
same start-up as ``bench/storefront.py``), opens the demo product page, opens the widget and,
for each run, types a new name (60 ms between keys, as a quick typist) and measures, in the
widget frame's own clock, from the last keydown to the moment the server's preview of that
text is shown (``Preview updated``: the image has loaded). The instant client sketch is
drawn on every keystroke either way; what this measures is the wait for the real preview.

Printed per run and as median / p95, with the parts: the pause the widget waits before
asking (debounce), the ``POST /v1/designs`` round trip (the preview is rendered in the
request on the embedded default), the follow-up ``GET`` if any, and the image download.

    .venv/bin/python bench/preview_latency.py [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from storefront import ARGS, CHROMIUM, start_luneo  # noqa: E402

WATCH = r"""() => {
  window.__lat = {keys: [], shown: []};
  document.addEventListener('keydown', () => window.__lat.keys.push(performance.now()), true);
  // Keep the server's own timings of the last design read (previewRenderMs, queuedMs ...).
  const fetch0 = window.fetch.bind(window);
  window.fetch = async (...a) => {
    const r = await fetch0(...a);
    if (/\/v1\/designs(\/des_[a-z2-7]+)?$/.test(String(a[0]))) {
      r.clone().json()
        .then((b) => { if (b && b.timings) window.__lat.timings = b.timings; })
        .catch(() => {});
    }
    return r;
  };
  const status = document.getElementById('preview-status');
  new MutationObserver(() => {
    if (status.dataset.kind === 'done') window.__lat.shown.push(performance.now());
  }).observe(status, {childList: true, characterData: true, subtree: true, attributes: true});
}"""

READ = r"""(since) => {
  const key = window.__lat.keys[window.__lat.keys.length - 1];
  const shown = window.__lat.shown.filter((t) => t > key);
  const res = performance.getEntriesByType('resource').filter((r) => r.startTime >= key);
  const post = res.find((r) => r.initiatorType === 'fetch' && /\/v1\/designs$/.test(r.name));
  const gets = res.filter((r) => r.initiatorType === 'fetch' && /\/v1\/designs\/des_/.test(r.name));
  const img = res.find((r) => r.initiatorType === 'img');
  return {
    total: shown.length ? shown[0] - key : null,
    debounce: post ? post.startTime - key : null,
    post: post ? post.duration : null,
    get: gets.reduce((a, r) => a + r.duration, 0),
    image: img ? img.duration : null,
    timings: window.__lat.timings || {},
  };
}"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        proc, port = start_luneo(Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"http://localhost:{port}/demo/product", wait_until="load")
                page.locator("[data-luneo-open]").click()
                frame_el = page.locator("iframe.luneo-frame")
                frame_el.wait_for()
                frame = page.frame_locator("iframe.luneo-frame")
                text = frame.get_by_label("Your text")
                text.wait_for()
                inner = frame_el.element_handle().content_frame()
                inner.evaluate(WATCH)
                rows = []
                for run in range(args.runs + 2):  # two warm-up runs
                    text.fill("")
                    inner.wait_for_timeout(900)
                    text.press_sequentially(f"Name {run} {os.getpid() % 97}", delay=60)
                    inner.wait_for_function(
                        "() => { const k = window.__lat.keys.at(-1);"
                        " return window.__lat.shown.some((t) => t > k); }",
                        timeout=30000,
                    )
                    row = inner.evaluate(READ)
                    if run >= 2:
                        rows.append(row)
                        print(
                            f"run {run - 1:2d}: {row['total']:6.0f} ms  (debounce "
                            f"{row['debounce'] or 0:4.0f}, POST {row['post'] or 0:4.0f}, "
                            f"GET {row['get']:4.0f}, image {row['image'] or 0:4.0f}) "
                            f"server {row['timings']}"
                        )
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    totals = [r["total"] for r in rows]
    print()
    print(f"last keystroke -> server preview shown, {len(totals)} runs")
    print(f"  median {statistics.median(totals):.0f} ms, p95 {pct(totals, 0.95):.0f} ms")
    for part in ("debounce", "post", "get", "image"):
        values = [r[part] or 0 for r in rows]
        print(f"  {part:9s} median {statistics.median(values):4.0f} ms")
    print(f"  load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")


if __name__ == "__main__":
    main()
