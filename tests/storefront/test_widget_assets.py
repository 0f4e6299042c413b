"""The SDK loader, the widget iframe page and the assets Luneo serves for them."""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image

from render import fonts as font_catalog
from tests.storefront.helpers import ORIGIN, bearer, live_token, storefront_shop

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "widget" / "sdk.js"
EXTENSION_SDK = ROOT / "extensions" / "luneo-personalizer" / "assets" / "luneo-sdk.js"
SHOP = "acme.myshopify.com"


def test_sdk_loader_is_at_most_8_kb_gzipped():
    size = len(gzip.compress(SDK.read_bytes(), compresslevel=9))
    assert size <= 8 * 1024, f"widget/sdk.js is {size} bytes gzipped"


def test_sdk_has_no_dependencies_and_does_nothing_at_load():
    source = SDK.read_text()
    assert not re.search(r"\bimport\b|\brequire\(", source)
    # At load it only defines LuneoWidget and one delegated click listener: no fetch, no DOM.
    top_level = source.split("var widgets = [];")[1]
    assert "fetch(" not in top_level and "createElement" not in top_level
    # ... unless the page's URL is a reopen link (?luneo_design=): checked before anything else
    reopen = re.search(r"function reopenFromLink\(\) \{.*?\n  \}\n", top_level, re.S).group(0)
    first_act = min(reopen.index("addEventListener"), reopen.index("querySelector"))
    assert -1 < reopen.index("if (!token") < first_act
    assert top_level.replace(reopen, "").count("addEventListener") == 1


def test_extension_ships_the_same_sdk_as_luneo_serves():
    assert EXTENSION_SDK.read_bytes() == SDK.read_bytes(), (
        "copy widget/sdk.js to extensions/luneo-personalizer/assets/luneo-sdk.js"
    )


def test_sdk_iframe_sandbox_allows_only_scripts_and_its_own_origin():
    match = re.search(r"setAttribute\('sandbox', '([^']*)'\)", SDK.read_text())
    assert match and match.group(1).split() == ["allow-scripts", "allow-same-origin"]


def test_sdk_is_served_compressed_and_cacheable(client):
    answer = client.get("/widget/sdk.js", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.headers["Content-Encoding"] == "gzip"
    assert answer.mimetype == "text/javascript"
    assert gzip.decompress(answer.data) == SDK.read_bytes()
    assert "max-age=" in answer.headers["Cache-Control"]


def test_widget_files_outside_the_widget_folder_are_not_served(client):
    for path in ("/widget/../wsgi.py", "/widget/%2e%2e/wsgi.py", "/widget/app/missing.js"):
        assert client.get(path).status_code == 404, path


def test_fonts_are_the_render_engines_own_files(client):
    for info in font_catalog.catalog()[:3]:
        answer = client.get(f"/widget/fonts/{info.id}")
        assert answer.status_code == 200
        body = (
            gzip.decompress(answer.data) if answer.headers.get("Content-Encoding") else answer.data
        )
        assert body == info.path.read_bytes()
        assert answer.mimetype.startswith("font/")
    assert client.get("/widget/fonts/comic-sans").status_code == 404


def test_versioned_font_urls_from_the_product_view_are_cached_for_a_year(app, client):
    storefront_shop(app)
    token = live_token(client, SHOP)
    fonts = client.get("/embed/products/mug-1", headers=bearer(token)).get_json()["fonts"]
    answer = client.get(fonts[0]["url"])
    assert answer.status_code == 200
    assert "max-age=31536000" in answer.headers["Cache-Control"]
    assert "immutable" in answer.headers["Cache-Control"]


def test_fonts_come_as_woff2_subsets_with_their_unicode_ranges(app, client):
    storefront_shop(app)
    token = live_token(client, SHOP)
    fonts = client.get("/embed/products/mug-1", headers=bearer(token)).get_json()["fonts"]
    for font in fonts:
        ranges = [face["unicodeRange"] for face in font["faces"]]
        assert ranges and "U+20-7E" in ranges[0]  # Latin first: space, digits, letters
        latin = client.get(font["faces"][0]["url"])
        assert latin.status_code == 200 and latin.mimetype == "font/woff2"
        assert latin.data[:4] == b"wOF2"
        assert "immutable" in latin.headers["Cache-Control"]
        whole = font_catalog.get(font["id"]).path.stat().st_size
        assert len(latin.data) < whole
    assert client.get(f"/widget/fonts/{fonts[0]['id']}/klingon.woff2").status_code == 404
    assert client.get("/widget/fonts/comic-sans/latin.woff2").status_code == 404


def _file(client, url: str):  # type: ignore[no-untyped-def]
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def test_the_sketch_gets_light_copies_of_the_product_photo(app, client):
    storefront_shop(app)
    token = live_token(client, SHOP)
    product = client.get("/embed/products/mug-1", headers=bearer(token)).get_json()
    original = _file(client, product["imageUrl"])
    assert original.status_code == 200
    copies = product["imageSrcset"]
    assert [copy["width"] for copy in copies] == [480, 800, 1200]
    for copy in copies:
        answer = _file(client, copy["url"])
        assert answer.status_code == 200 and answer.mimetype == "image/webp"
        with Image.open(io.BytesIO(answer.data)) as picture:
            assert picture.format == "WEBP" and picture.width <= copy["width"]
        assert len(answer.data) < len(original.data) / 4
    again = client.get("/embed/products/mug-1", headers=bearer(token)).get_json()
    assert [c["width"] for c in again["imageSrcset"]] == [480, 800, 1200]  # made once, reused


def test_widget_page_may_only_be_framed_by_the_shops_origin(app, client):
    storefront_shop(app)
    query = {"shop": SHOP, "origin": ORIGIN, "product": "mug-1", "locale": "fr-CA"}
    page = client.get("/embed/widget", query_string=query)
    assert page.status_code == 200
    csp = page.headers["Content-Security-Policy"]
    assert f"frame-ancestors {ORIGIN}" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    html = page.get_data(as_text=True)
    assert '<html lang="fr">' in html and '"parentOrigin": "https://acme-mugs.example"' in html
    foreign = client.get("/embed/widget", query_string={**query, "origin": "https://evil.example"})
    assert foreign.status_code == 403 and "Content-Security-Policy" not in foreign.headers


def test_widget_page_refuses_an_uninstalled_shop(app, client):
    query = {"shop": "gone.myshopify.com", "origin": ORIGIN, "product": "mug-1"}
    assert client.get("/embed/widget", query_string=query).status_code == 403


def test_widget_app_modules_are_all_served(client):
    html_modules = {"main", "bridge", "api", "design", "form", "i18n", "photo", "preview"}
    for name in html_modules:
        assert client.get(f"/widget/app/{name}.js").status_code == 200, name
    assert client.get("/widget/app/widget.css").mimetype == "text/css"


def test_widget_strings_exist_in_english_and_french():
    source = (ROOT / "widget" / "app" / "i18n.js").read_text()
    english, french = source.split("  fr: {")
    keys = lambda text: set(re.findall(r"^\s+'?([\w-]+)'?: ", text, re.M))  # noqa: E731
    assert keys(english) - {"en"} == keys(french.split("};")[0])
