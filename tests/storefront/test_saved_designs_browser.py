"""Save for later, reopen, and edit from the cart, in headless Chromium on the demo shop.

Uses the shopper-flow module's storefront (Luneo on 127.0.0.1, the shop on localhost: two
origins) and its keepsake mug (a paid name, a paid Gold finish). Screenshots go to
``$LUNEO_SCREENSHOTS`` (default ``/tmp/luneo-storefront-shots``).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from luneo_app.storefront import cart
from tests.storefront.test_shopper_flow_browser import (  # noqa: F401 - fixtures
    SHOTS,
    _new_page,
    _preview,
    browser,
    expect,
    storefront,
)
from tests.storefront.test_widget_a11y_browser import AXE, _axe

VIEWPORTS = [{"width": 390, "height": 844}, {"width": 1280, "height": 900}]
KEEPSAKE = "/demo/product?product=demo-keepsake"


def _name(viewport: dict) -> str:
    return "phone" if viewport["width"] < 700 else "desktop"


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_a_saved_design_reopens_from_its_link_with_the_text_and_finish(
    storefront,  # noqa: F811 - the shopper-flow module's fixture
    browser,  # noqa: F811
    viewport,
):
    url = storefront.url
    # bypass_csp: axe-core is injected into the widget to check the saved panel
    page = _new_page(browser, viewport=viewport, bypass_csp=True)
    page.goto(f"{url}{KEEPSAKE}")
    page.locator("[data-luneo-open]").click()
    frame = page.frame_locator("iframe.luneo-frame")
    frame.get_by_label("Name").fill("Anna & Tom")
    frame.get_by_text("Dancing Script", exact=True).click()
    frame.get_by_text("Gold", exact=True).click()
    expect(_preview(frame)).to_be_visible(timeout=20000)
    frame.get_by_role("button", name="Save for later").press("Enter")
    saved = frame.get_by_role("dialog", name="Your design is saved")
    expect(saved).to_be_visible(timeout=20000)
    expect(frame.locator("#saved-note")).to_contain_text("It works until")
    link = frame.get_by_label("Link to your design").input_value()
    assert link.startswith(f"{url}/demo/product?product=demo-keepsake&luneo_design=")
    page.screenshot(path=str(SHOTS / f"{_name(viewport)}-saved-link.png"))
    if AXE.is_file():
        widget = next(f for f in page.frames if "/embed/widget" in f.url)
        violations = _axe(widget)
        assert violations == [], violations
    frame.get_by_role("button", name="Copy link").press("Enter")
    expect(frame.locator("#saved-copied")).to_have_text("Link copied")
    frame.get_by_role("button", name="Done").press("Enter")
    expect(saved).to_be_hidden()
    assert page.request.get(f"{url}/demo/store/cart.js").json()["items"] == []  # saved only
    page.close()

    # Another visit (a new browser context: no cookie, no sessionStorage) opens the link.
    later = _new_page(browser, viewport=viewport)
    later.goto(link)
    expect(later.get_by_role("dialog", name="Personalize")).to_be_visible(timeout=20000)
    again = later.frame_locator("iframe.luneo-frame")
    expect(again.get_by_label("Name")).to_have_value("Anna & Tom", timeout=20000)
    expect(again.get_by_role("radio", name="Dancing Script")).to_be_checked()
    expect(again.get_by_role("radio", name=re.compile(r"^Gold\b"))).to_be_checked()
    expect(again.locator("#price")).to_contain_text("8.00")
    expect(_preview(again)).to_be_visible(timeout=20000)
    # the token left the address bar once used
    assert "luneo_design" not in later.url
    later.screenshot(path=str(SHOTS / f"{_name(viewport)}-reopened.png"))
    later.close()


def test_a_forged_link_is_refused_politely_and_the_widget_starts_empty(
    storefront,  # noqa: F811 - the shopper-flow module's fixture
    browser,  # noqa: F811
):
    page = _new_page(browser, viewport=VIEWPORTS[1])
    page.goto(f"{storefront.url}{KEEPSAKE}&luneo_design=forged.token.value")
    frame = page.frame_locator("iframe.luneo-frame")
    expect(frame.get_by_role("alert")).to_have_text(
        "This saved design is no longer available. Start a new one.", timeout=20000
    )
    expect(frame.get_by_label("Name")).to_have_value("")
    page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_editing_from_the_cart_replaces_the_line_with_the_new_text_and_fee(
    storefront,  # noqa: F811 - the shopper-flow module's fixture
    browser,  # noqa: F811
    viewport,
):
    url = storefront.url
    page = _new_page(browser, viewport=viewport)
    page.goto(f"{url}{KEEPSAKE}")
    page.locator("[data-luneo-open]").click()
    frame = page.frame_locator("iframe.luneo-frame")
    frame.get_by_label("Name").fill("Jessica")
    expect(_preview(frame)).to_be_visible(timeout=20000)
    frame.get_by_role("button", name="Add to cart").press("Enter")
    frame.get_by_role("button", name="Confirm and add to cart").press("Enter")
    expect(page.get_by_role("dialog")).to_be_hidden(timeout=20000)
    first = page.request.get(f"{url}/demo/store/cart.js").json()
    assert len(first["items"]) == 1 and first["items"][0]["properties"]["_luneo_fee_cents"] == "300"
    old_design = first["items"][0]["properties"]["_luneo_design_id"]

    # The cart line's "Edit design" link reopens the widget with the design.
    expect(page.locator("#mini-cart")).to_be_visible()
    edit = page.locator("#cart-lines").get_by_role("link", name="Edit design")
    token = parse_qs(urlsplit(edit.get_attribute("href")).query)["luneo_design"][0]
    assert old_design not in token
    page.screenshot(path=str(SHOTS / f"{_name(viewport)}-cart-edit-link.png"))
    edit.click()
    frame = page.frame_locator("iframe.luneo-frame")
    name = frame.get_by_label("Name")
    expect(name).to_have_value("Jessica", timeout=20000)
    name.fill("Jessica & Sam")
    frame.get_by_text("Gold", exact=True).click()
    expect(frame.locator("#price")).to_contain_text("8.00")
    expect(_preview(frame)).to_be_visible(timeout=20000)
    frame.get_by_role("button", name="Add to cart").press("Enter")
    frame.get_by_role("button", name="Confirm and add to cart").press("Enter")
    expect(page.get_by_role("dialog")).to_be_hidden(timeout=20000)

    shown = page.request.get(f"{url}/demo/store/cart.js").json()
    assert len(shown["items"]) == 1 and shown["item_count"] == 1  # replaced, not added
    line = shown["items"][0]
    assert "Jessica & Sam" in line["properties"]["Personalization"]
    assert "Gold" in line["properties"]["Personalization"]
    assert line["properties"]["_luneo_design_id"] != old_design
    assert line["properties"]["_luneo_fee_cents"] == "800"
    assert shown["total_price"] == cart.PRODUCT_PRICE_CENTS + 800
    expect(page.locator("#cart-count")).to_have_text("1")
    expect(page.locator("#cart-lines")).to_contain_text("Jessica & Sam")
    expect(page.locator("#cart-lines")).not_to_contain_text("Jessica ×")
    page.screenshot(path=str(SHOTS / f"{_name(viewport)}-cart-after-edit.png"))

    # "Edit personalization" on the product page edits the same line again.
    page.locator("[data-luneo-open]").click()
    frame.get_by_label("Name").fill("Sam")
    expect(_preview(frame)).to_be_visible(timeout=20000)
    frame.get_by_role("button", name="Add to cart").press("Enter")
    frame.get_by_role("button", name="Confirm and add to cart").press("Enter")
    expect(page.get_by_role("dialog")).to_be_hidden(timeout=20000)
    final = page.request.get(f"{url}/demo/store/cart.js").json()
    assert len(final["items"]) == 1
    assert "Sam" in final["items"][0]["properties"]["Personalization"]
    assert "Jessica" not in final["items"][0]["properties"]["Personalization"]
    page.close()


def test_editing_in_fee_units_recounts_the_fee_line(
    storefront,  # noqa: F811 - the shopper-flow module's fixture
    browser,  # noqa: F811
):
    url = storefront.url
    page = _new_page(browser, viewport=VIEWPORTS[1])
    page.goto(f"{url}{KEEPSAKE}&fee=units")
    page.locator("[data-luneo-open]").click()
    frame = page.frame_locator("iframe.luneo-frame")
    frame.get_by_label("Name").fill("Jo")
    expect(_preview(frame)).to_be_visible(timeout=20000)
    frame.get_by_role("button", name="Add to cart").press("Enter")
    frame.get_by_role("button", name="Confirm and add to cart").press("Enter")
    expect(page.get_by_role("dialog")).to_be_hidden(timeout=20000)
    lines = page.request.get(f"{url}/demo/store/cart.js").json()["items"]
    assert [ln["quantity"] for ln in lines] == [1, 3]  # the mug and 3 x $1.00 fee units

    page.locator("#cart-lines").get_by_role("link", name="Edit design").click()
    frame = page.frame_locator("iframe.luneo-frame")
    expect(frame.get_by_label("Name")).to_have_value("Jo", timeout=20000)
    frame.get_by_text("Gold", exact=True).click()
    expect(_preview(frame)).to_be_visible(timeout=20000)
    frame.get_by_role("button", name="Add to cart").press("Enter")
    frame.get_by_role("button", name="Confirm and add to cart").press("Enter")
    expect(page.get_by_role("dialog")).to_be_hidden(timeout=20000)
    shown = page.request.get(f"{url}/demo/store/cart.js").json()
    assert [(ln["id"], ln["quantity"]) for ln in shown["items"]] == [
        (shown["items"][0]["id"], 1),
        (cart.FEE_VARIANT_ID, 8),
    ]
    design = shown["items"][0]["properties"]["_luneo_design_id"]
    assert shown["items"][1]["properties"]["_luneo_design_id"] == design
    assert shown["total_price"] == cart.PRODUCT_PRICE_CENTS + 800
    page.close()
