"""AI artwork benchmarks: the procedural generator, and what Luneo adds around a provider call.

    python bench/ai.py [--runs 30] [--size 1024] [--redis redis://127.0.0.1:6379/14]

1. Procedural generation at ``--size`` px (target: median <= 150 ms), for four typical
   prompts (text treatment, monogram, emblem, pattern): the picture, and the picture encoded
   as the PNG Luneo stores.
2. Luneo's overhead around a provider call (target: median <= 20 ms). A provider that
   answers instantly (in-process, already made PNG) stands in for OpenAI, so the time is
   all Luneo's: moderation rules, budget, artwork cache lookup, circuit breaker, storing
   the file, the artwork and usage rows, budget alerts, commit. Also the cache-hit path.
3. The OpenAI adapter against the fake OpenAI server (real SDK, loopback HTTP): client
   time minus the time the fake spent answering = the adapter's own work (framing the
   photo and mask, the SDK's multipart request, decoding and cutting out the answer).

Runs on the embedded default (a scratch SQLite database, in-process key-value store);
``--redis`` puts the breaker and caches on Redis like production.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from render import artwork, samples  # noqa: E402

PROMPTS = (
    "a gold cursive 'Jessica' with small stars",
    "monogram 'AJM' in silver with hearts",
    "rose gold floral emblem",
    "teal and coral pattern of flowers and dots",
)


class Timings(list):
    """Wall-clock milliseconds, with the process CPU milliseconds of the same runs beside
    them (CPU time does not grow when other programs load the machine)."""

    cpu: list[float]


def stats(values: list[float]) -> str:
    """Median and p95 (and CPU median when known) of millisecond timings."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    text = f"median {statistics.median(values):7.1f} ms   p95 {p95:7.1f} ms"
    cpu = getattr(values, "cpu", None)
    if cpu:
        text += f"   cpu median {statistics.median(cpu):7.1f} ms"
    return text + f"   (n={len(values)})"


def timed(fn, runs: int) -> Timings:  # type: ignore[no-untyped-def]
    """Run ``fn(i)`` once to warm up, then ``runs`` times, timing each run."""
    fn(0)  # warm fonts and caches
    out = Timings()
    out.cpu = []
    for i in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        fn(i + 1)
        out.append((time.perf_counter() - start) * 1000)
        out.cpu.append((time.process_time() - cpu) * 1000)
    return out


def bench_procedural(runs: int, size: int) -> None:
    """1. The procedural generator alone."""
    print(f"\n1. procedural artwork at {size} px (target: median <= 150 ms)")
    images, pngs = Timings(), Timings()
    images.cpu, pngs.cpu = [], []
    for prompt in PROMPTS:
        image_ms = timed(lambda seed, p=prompt: artwork.generate(p, seed, size), runs)
        png_ms = timed(lambda seed, p=prompt: artwork.generate_png(p, seed, size), runs)
        images += image_ms
        images.cpu += image_ms.cpu
        pngs += png_ms
        pngs.cpu += png_ms.cpu
        print(
            f"   {prompt[:44]:44}  picture {statistics.median(image_ms):6.1f} ms"
            f"   with PNG {statistics.median(png_ms):6.1f} ms"
        )
    print(f"   all prompts, picture:        {stats(images)}")
    print(f"   all prompts, picture + PNG:  {stats(pngs)}")


def make_app(redis_url: str | None):  # type: ignore[no-untyped-def]
    """The app on a scratch SQLite database (and Redis when given), migrated."""
    from flask_migrate import upgrade

    from luneo_app import create_app
    from luneo_app.config import TestConfig

    work = Path(tempfile.mkdtemp(prefix="luneo-bench-ai-"))
    env = {
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "LUNEO_INSTANCE_DIR": str(work / "instance"),
        "STORAGE_DIR": str(work / "storage"),
        "LOG_LEVEL": "WARNING",
        "CELERY_EAGER": "1",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    app = create_app(TestConfig(env))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    if redis_url:
        app.extensions["luneo.kv"].client.flushdb()
    return app


def _brand_and_product(app):  # type: ignore[no-untyped-def]
    from luneo_app.extensions import db
    from luneo_app.models import Brand, Product

    template = samples.demo_template("mug")
    template["options"] = [{"id": "art", "type": "ai", "label": "Art", "printArea": "front"}]
    brand = Brand(kind="api", name="Bench", monthly_ai_budget_cents=10_000_000)
    db.session.add(brand)
    db.session.flush()
    product = Product(
        brand_id=brand.id,
        platform="api",
        external_id="mug",
        title="Mug",
        template=template,
        personalizable=True,
    )
    db.session.add(product)
    db.session.flush()
    key = f"brands/{brand.id}/products/{product.id}/photo.png"
    app.extensions["luneo.storage"].put(key, samples.demo_product_photo("mug", 1200))
    product.image_key = key
    db.session.commit()
    return brand, product


def bench_overhead(runs: int, redis_url: str | None) -> None:
    """2. Everything Luneo does around a provider that answers at once."""
    print(
        "\n2. Luneo's overhead around a provider call (instant provider; target: median <= 20 ms)"
    )
    from luneo_app.ai import service
    from luneo_app.ai.moderation import Verdict
    from luneo_app.ai.providers import Artwork
    from luneo_app.extensions import db

    buf = io.BytesIO()
    artwork.generate("gold stars", 0, (900, 1024)).save(buf, "PNG", compress_level=1)
    ready = Artwork(
        png=buf.getvalue(),
        width=900,
        height=1024,
        provider="openai",
        model="instant",
        tokens_in=300,
        tokens_out=1000,
    )

    class InstantProvider:
        name, paid = "openai", True

        def generate(self, request):  # type: ignore[no-untyped-def]
            return ready

    app = make_app(redis_url)
    app.config["OPENAI_API_KEY"] = "sk-bench-not-used"
    original = service.provider_chain, service.moderation.check_remote
    # the provider's own calls (images and moderation) answer at once
    service.provider_chain = lambda allow_paid=True: [InstantProvider()]
    service.moderation.check_remote = lambda prompt, brand: Verdict(remote_checked=True)
    try:
        with app.app_context():
            brand, product = _brand_and_product(app)

            def one(i: int, prompt: str | None = None) -> None:
                layer = {
                    "type": "ai",
                    "printArea": "front",
                    "seed": 0,
                    "prompt": prompt or f"gold stars and 'Name {i}'",
                }
                service.check_prompts(brand, [layer])
                service.plan_generation(brand, product, [layer])
                service.make_artwork(
                    brand,
                    product,
                    layer,
                    design_id=f"des_bench{i}",
                    shopper_ref=None,
                    remote_checked=True,
                )
                db.session.commit()

            miss = timed(one, runs)
            hit = timed(lambda i: one(i, "gold stars and 'Name 1'"), runs)
    finally:
        service.provider_chain, service.moderation.check_remote = original
    print(f"   new artwork (store file + rows):  {stats(miss)}")
    print(f"   cached artwork (no call):         {stats(hit)}")


def bench_openai_adapter(runs: int) -> None:
    """3. The OpenAI adapter's own work against the fake server."""
    print("\n3. OpenAI adapter against the fake server (client time - server time)")
    import openai

    from luneo_app.ai.openai_provider import OpenAIProvider
    from luneo_app.ai.providers import ArtworkRequest
    from tests.fakes.openai import FakeOpenAI

    photo = samples.demo_product_photo("mug", 1200)
    area = samples.demo_template("mug")["printAreas"][0]
    with FakeOpenAI() as fake:
        client = openai.OpenAI(api_key=fake.api_key, base_url=fake.base_url, max_retries=0)
        provider = OpenAIProvider(client, {"OPENAI_MODEL": "gpt-image-1.5"})
        request = ArtworkRequest(
            prompt="gold stars", seed=0, width=900, height=1024, area=area, product_image=photo
        )
        adapter: list[float] = []
        adapter_cpu: list[float] = []
        server: list[float] = []

        def one(_: int) -> None:
            start, cpu = time.perf_counter(), time.thread_time()
            provider.generate(request)
            total = (time.perf_counter() - start) * 1000
            adapter_cpu.append((time.thread_time() - cpu) * 1000)  # this thread only
            adapter.append(total - fake.last("edits").server_ms)
            server.append(fake.last("edits").server_ms)

        for i in range(runs + 1):
            one(i)
    first = adapter.pop(0)  # the first call also frames the photo (then cached)
    adapter_cpu.pop(0)
    server.pop(0)
    timings = Timings(adapter)
    timings.cpu = adapter_cpu
    print(f"   adapter, first call (frames the photo): {first:7.1f} ms")
    print(f"   adapter, later calls:  {stats(timings)}")
    print(f"   fake server's own work: {stats(server)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--redis", default=None, help="Redis URL for the kv store (optional)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    bench_procedural(args.runs, args.size)
    bench_overhead(args.runs, args.redis)
    bench_openai_adapter(max(5, args.runs // 3))


if __name__ == "__main__":
    main()
