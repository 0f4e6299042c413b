"""Storefront cost of the Luneo app embed: loader size, and page metrics with and without it.

Starts the embedded default (SQLite, in-process jobs) under gunicorn on loopback, seeds the
demo shop, then loads the demo product page in headless Chromium (Debian's, no download)
with Lighthouse's mobile conditions emulated (4x CPU slowdown, 150 ms RTT, 1.6 Mbps), cold
cache, alternating ``?embed=1`` and ``?embed=0``. From Chromium's performance timeline it
reads FCP, LCP, total blocking time (long tasks after FCP), CLS, load time, script time and
bytes, and scores them with Lighthouse v10's log-normal curves (mobile; Speed Index is not
measured, so its weight is spread over the others). What matters is the difference.

It also measures what the shopper pays on the first click: click -> widget ready.

    .venv/bin/python bench/storefront.py [--runs 12] [--no-throttle]
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SDK = ROOT / "widget" / "sdk.js"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Lighthouse v10 mobile scoring: (p10, median, weight); Speed Index left out.
CURVES = {
    "fcp": (1800, 3000, 10),
    "lcp": (2500, 4000, 25),
    "tbt": (200, 600, 30),
    "cls": (0.1, 0.25, 25),
}
OBSERVE = """
window.__luneoPerf = {lcp: 0, cls: 0, longtasks: []};
const __watch = (type, take) => new PerformanceObserver((list) => list.getEntries().forEach(take))
  .observe({type, buffered: true});
__watch('largest-contentful-paint', (e) => { window.__luneoPerf.lcp = e.startTime; });
__watch('layout-shift', (e) => { if (!e.hadRecentInput) window.__luneoPerf.cls += e.value; });
__watch('longtask', (e) => { window.__luneoPerf.longtasks.push([e.startTime, e.duration]); });
"""
READ = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || 0;
  const p = window.__luneoPerf;
  const blocking = p.longtasks.filter(([s]) => s >= fcp).map(([, d]) => Math.max(0, d - 50));
  return {fcp, lcp: p.lcp, cls: p.cls, tbt: blocking.reduce((a, b) => a + b, 0),
          load: nav.loadEventEnd, dcl: nav.domContentLoadedEventEnd};
}"""


def lighthouse_score(metric: str, value: float) -> float:
    """Lighthouse's log-normal score (0..1) of one metric."""
    p10, median, _ = CURVES[metric]
    if value <= 0:
        return 1.0
    standardized = math.log(value / median) * 0.9061938024368232 / -math.log(p10 / median)
    return max(0.0, min(1.0, math.erfc(standardized) / 2))


def performance_score(sample: dict[str, float]) -> float:
    total = sum(w for _, _, w in CURVES.values())
    return 100 * sum(lighthouse_score(m, sample[m]) * w / total for m, (_, _, w) in CURVES.items())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SETUP = """
from luneo_app import create_app
from luneo_app.demo.seed import seed_demo
from luneo_app.extensions import db
from luneo_app.models import ShopInstall
import os
app = create_app()
with app.app_context():
    seed_demo()
    install = db.session.query(ShopInstall).one()
    install.storefront_domains = [*install.storefront_domains, os.environ["STOREFRONT_ORIGIN"]]
    db.session.commit()
"""


def start_luneo(workdir: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")
    }
    env.update(
        {
            "LUNEO_INSTANCE_DIR": str(workdir / "instance"),
            "APP_URL": f"http://127.0.0.1:{port}",
            "STOREFRONT_ORIGIN": f"http://localhost:{port}",
            "LOG_LEVEL": "WARNING",
            "FLASK_APP": "wsgi",
            "PYTHONPATH": str(ROOT),
        }
    )
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True}
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], **run)  # noqa: S603
    subprocess.run([sys.executable, "-c", SETUP], **run)  # noqa: S603
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "wsgi:app",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "8",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("Luneo did not start")


def _bytes(request) -> int:  # type: ignore[no-untyped-def]
    sizes = request.sizes()
    return sizes["responseBodySize"] + sizes["responseHeadersSize"]


def load(browser, url: str, throttle: bool) -> dict[str, float]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 412, "height": 823}, device_scale_factor=1.75)
    page = context.new_page()
    page.add_init_script(OBSERVE)
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    if throttle:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": 150,
                "downloadThroughput": 1638.4 * 1024 / 8,
                "uploadThroughput": 750 * 1024 / 8,
            },
        )
    sizes: list[tuple[str, int]] = []
    page.on("requestfinished", lambda r: sizes.append((r.resource_type, _bytes(r))))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(1500)  # let LCP, long tasks and layout shifts settle
    sample = page.evaluate(READ)
    sample["requests"] = len(sizes)
    sample["bytes"] = sum(n for _, n in sizes)
    sample["scriptBytes"] = sum(n for kind, n in sizes if kind == "script")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    sample["scriptMs"] = metrics.get("ScriptDuration", 0) * 1000
    sample["score"] = performance_score(sample)
    context.close()
    return sample


def click_to_ready(browser, url: str) -> float:  # type: ignore[no-untyped-def]
    """Milliseconds from the click on Personalize to the widget's `ready` (unthrottled)."""
    page = browser.new_page(viewport={"width": 412, "height": 823})
    page.goto(url, wait_until="load")
    page.evaluate(
        "() => { window.__ready = new Promise("
        "(r) => document.addEventListener('luneo:ready', r)); }"
    )
    started = time.perf_counter()
    page.locator("[data-luneo-open]").click()
    page.evaluate("() => window.__ready")
    elapsed = (time.perf_counter() - started) * 1000
    page.close()
    return elapsed


def _throttle(context, page) -> None:  # type: ignore[no-untyped-def]
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 150,
            "downloadThroughput": 1638.4 * 1024 / 8,
            "uploadThroughput": 750 * 1024 / 8,
        },
    )


def widget_open(browser, url: str, throttle: bool) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The widget's first open on a cold cache and a repeat open (page reloaded, cache warm):
    bytes moved by the click (the iframe and everything it loads) and click -> ready."""
    context = browser.new_context(viewport={"width": 412, "height": 823}, device_scale_factor=1.75)
    page = context.new_page()
    if throttle:
        _throttle(context, page)
    sizes: list[int] = []
    page.on("requestfinished", lambda r: sizes.append(_bytes(r)))
    out: dict[str, float] = {}
    for label in ("first", "repeat"):
        page.goto(url, wait_until="load")
        page.wait_for_timeout(500)
        page.evaluate(
            "() => { window.__ready = new Promise("
            "(r) => document.addEventListener('luneo:ready', r)); }"
        )
        sizes.clear()
        started = time.perf_counter()
        page.locator("[data-luneo-open]").click()
        page.evaluate("() => window.__ready")
        out[f"{label}ReadyMs"] = (time.perf_counter() - started) * 1000
        page.wait_for_timeout(1500)  # what the open still pulls after ready (photo, fonts)
        out[f"{label}Bytes"] = sum(sizes)
        out[f"{label}Requests"] = len(sizes)
    context.close()
    return out


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=4) if len(ordered) > 1 else [ordered[0]] * 3
    return {"median": statistics.median(ordered), "p25": q[0], "p75": q[2]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12, help="page loads per variant")
    parser.add_argument("--no-throttle", action="store_true", help="no CPU/network emulation")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    raw = SDK.read_bytes()
    print(f"loader widget/sdk.js: {len(raw)} bytes, {len(gzip.compress(raw, 9))} bytes gzipped")
    workdir = Path(tempfile.mkdtemp(prefix="luneo-bench-storefront-"))
    proc, port = start_luneo(workdir)
    base = f"http://localhost:{port}/demo/product"
    results: dict[str, list[dict[str, float]]] = {"with": [], "without": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            load(browser, base + "?embed=1", False)  # warm the server (templates, photo)
            for i in range(args.runs):
                order = ("with", "without") if i % 2 == 0 else ("without", "with")
                for variant in order:
                    url = base + ("?embed=1" if variant == "with" else "?embed=0")
                    results[variant].append(load(browser, url, not args.no_throttle))
            ready = [click_to_ready(browser, base) for _ in range(5)]
            opens = [widget_open(browser, base, not args.no_throttle) for _ in range(3)]
            browser.close()
    finally:
        proc.terminate()
        proc.wait(20)
    keys = (
        "score",
        "fcp",
        "lcp",
        "tbt",
        "cls",
        "load",
        "scriptMs",
        "requests",
        "bytes",
        "scriptBytes",
    )
    report: dict[str, object] = {
        "loaderBytes": len(raw),
        "loaderGzipBytes": len(gzip.compress(raw, 9)),
        "runs": args.runs,
        "throttled": not args.no_throttle,
    }
    print(f"\n{'metric':<12}{'with embed':>22}{'without':>22}{'difference':>14}")
    for key in keys:
        w, wo = (
            summary([r[key] for r in results["with"]]),
            summary([r[key] for r in results["without"]]),
        )
        diff = w["median"] - wo["median"]
        report[key] = {"with": w, "without": wo, "difference": diff}
        fmt = (lambda v: f"{v:.3f}") if key == "cls" else (lambda v: f"{v:.0f}")
        print(
            f"{key:<12}{fmt(w['median']):>10} [{fmt(w['p25'])}-{fmt(w['p75'])}]"
            f"{fmt(wo['median']):>10} [{fmt(wo['p25'])}-{fmt(wo['p75'])}]{fmt(diff):>14}"
        )
    report["clickToReadyMs"] = summary(ready)
    print(f"\nclick -> widget ready (unthrottled): median {statistics.median(ready):.0f} ms")
    mode = "mobile profile" if not args.no_throttle else "unthrottled"
    for label, target_kb in (("first", 400), ("repeat", 50)):
        kb = statistics.median(o[f"{label}Bytes"] for o in opens) / 1024
        ms = statistics.median(o[f"{label}ReadyMs"] for o in opens)
        requests = statistics.median(o[f"{label}Requests"] for o in opens)
        report[f"widget{label.title()}Open"] = {"kb": kb, "readyMs": ms, "requests": requests}
        print(
            f"widget {label} open ({mode}): {kb:.0f} KB in {requests:.0f} requests "
            f"(target <= {target_kb} KB), click -> ready {ms:.0f} ms"
        )
    load_avg = os.getloadavg()
    print(f"load average {load_avg[0]:.2f} {load_avg[1]:.2f} {load_avg[2]:.2f}")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "storefront.json").write_text(json.dumps(report, indent=2))
    print(f"written {out / 'storefront.json'}")


if __name__ == "__main__":
    main()
