"""Image delivery is measured where the app hands images out of the store: every outcome of
``/files/<key>`` and ``/production/<order>/<name>`` counts in
``luneo_image_deliveries_total``, read back from ``/metrics`` as Prometheus would."""

from __future__ import annotations

from urllib.parse import urlsplit

from prometheus_client.parser import text_string_to_metric_families

from luneo_app.extensions import db
from luneo_app.models import Order
from luneo_app.orders.files import link_signature, order_folder
from tests.support.factories import make_brand

PNG = b"\x89PNG\r\n\x1a\n" + b"pixels" * 2000


def _deliveries(client) -> dict[tuple[str, str], float]:  # type: ignore[no-untyped-def]
    body = client.get("/metrics").get_data(as_text=True)
    return {
        (s.labels["route"], s.labels["outcome"]): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
        if s.name == "luneo_image_deliveries_total"
    }


def _delta(before: dict, after: dict) -> dict[tuple[str, str], float]:
    return {k: v - before.get(k, 0.0) for k, v in after.items() if v != before.get(k, 0.0)}


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_each_outcome_of_a_signed_download_is_counted(app, client):
    app.config["METRICS_PUBLIC"] = True
    storage = app.extensions["luneo.storage"]
    key = "brands/brd_x/designs/dsg_x/preview.png"
    storage.put(key, PNG, "image/png")
    link = _path(storage.url(key, 300))
    before = _deliveries(client)

    served = client.get(link)
    assert served.status_code == 200 and served.data == PNG
    again = client.get(link, headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(link.replace("sig=", "sig=0")).status_code == 403
    storage.delete(key)
    assert client.get(link).status_code == 404

    assert _delta(before, _deliveries(client)) == {
        ("files", "served"): 1.0,
        ("files", "not_modified"): 1.0,
        ("files", "refused"): 1.0,
        ("files", "missing"): 1.0,
    }


def test_a_store_failing_mid_stream_counts_as_an_error(app, client, monkeypatch):
    app.config["METRICS_PUBLIC"] = True
    storage = app.extensions["luneo.storage"]
    key = "brands/brd_x/designs/dsg_y/preview.png"
    storage.put(key, PNG, "image/png")
    link = _path(storage.url(key, 300))

    def broken(_key):  # type: ignore[no-untyped-def]
        yield PNG[:100]
        raise OSError("the disk went away")

    monkeypatch.setattr(storage, "stream", broken)
    before = _deliveries(client)
    try:
        client.get(link).get_data()
    except OSError:
        pass
    assert _delta(before, _deliveries(client)) == {("files", "error"): 1.0}


def test_a_lasting_production_link_counts_redirects_and_missing_files(app, client):
    app.config["METRICS_PUBLIC"] = True
    brand = make_brand()
    order = Order(brand_id=brand.id, platform="api", external_id="1001", name="#1001")
    db.session.add(order)
    db.session.commit()
    storage = app.extensions["luneo.storage"]
    name = "1001-1-front.png"
    storage.put(order_folder(order) + name, PNG, "image/png")
    link = f"/production/{order.id}/{name}?sig={link_signature(order.id, name)}"
    before = _deliveries(client)

    first = client.get(link)
    assert first.status_code == 302
    assert client.get(_path(first.headers["Location"])).data == PNG
    storage.delete(order_folder(order) + name)
    assert client.get(link).status_code == 404

    assert _delta(before, _deliveries(client)) == {
        ("production", "redirected"): 1.0,
        ("files", "served"): 1.0,
        ("production", "missing"): 1.0,
    }
