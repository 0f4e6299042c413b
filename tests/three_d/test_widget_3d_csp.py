"""The 3D tab inside the storefront widget under a strict CSP: no 'unsafe-eval', no inline
script, 'wasm-unsafe-eval' allowed, styles by hash. One canvas, no console errors, a
visible bounded loading state, and the viewer inside its slot at desktop and phone width.
Screenshots (1280x900, 390x844) go to ``$LUNEO_SCREENSHOTS``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.browser import CHROMIUM, WEBGL_ARGS
from tests.three_d.test_widget_browser import served  # noqa: F401 - the served app fixture

VISIBLE_CANVASES = """root => {
  const all = [];
  const walk = (node) => {
    for (const el of node.querySelectorAll('*')) {
      if (el.tagName === 'CANVAS') all.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return all.filter((c) => {
    const r = c.getBoundingClientRect();
    const s = getComputedStyle(c);
    return r.width > 0 && r.height > 0 && s.display !== 'none' && s.visibility !== 'hidden'
      && Number(s.opacity) > 0;
  }).length;
}"""


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_the_3d_tab_renders_under_a_strict_csp_at_desktop_and_phone_width(
    served,  # noqa: F811
    tmp_path,
    width,
    height,
):
    base, sync_api = served
    storefront = base.replace("127.0.0.1", "localhost")
    shots = Path(os.environ.get("LUNEO_SCREENSHOTS") or tmp_path)
    expect = sync_api.expect
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=WEBGL_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            policies: list[str] = []
            page.on(
                "response",
                lambda r: (
                    policies.append(r.headers.get("content-security-policy", ""))
                    if "/embed/widget" in r.url
                    else None
                ),
            )
            page.goto(f"{storefront}/demo/product", wait_until="networkidle")
            page.get_by_role("button", name="Personalize").click()
            frame = page.frame_locator("iframe.luneo-frame")
            frame.get_by_label("Your text").press_sequentially("Jessica", delay=30)
            expect(frame.locator("#server-preview:not(.stale)")).to_be_visible(timeout=30_000)

            frame.locator("#tab-3d").click()
            viewer = frame.locator("model-viewer")
            expect(viewer).to_have_count(1, timeout=30_000)
            # loading is shown while the model comes: a progressbar in the viewer's slot
            bar = frame.locator("model-viewer > [role=progressbar]")
            expect(bar).to_have_count(1)
            viewer.evaluate(
                "el => el.loaded || new Promise(ok => el.addEventListener('load', ok))",
                timeout=60_000,
            )
            expect(bar).to_have_attribute("aria-valuenow", "100")
            expect(bar).to_be_hidden()
            page.wait_for_timeout(800)
            path = shots / f"widget-3d-{width}x{height}.png"
            page.screenshot(path=str(path))

            (policy,) = [p for p in policies if p]
            script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
            assert "'unsafe-eval'" not in script_src and "'unsafe-inline'" not in script_src
            assert "'wasm-unsafe-eval'" in script_src
            style_src = next(d for d in policy.split(";") if d.strip().startswith("style-src "))
            assert "'sha256-" in style_src and "'unsafe-inline'" not in style_src

            widget = page.frames[1]
            assert widget.evaluate(VISIBLE_CANVASES) == 1  # the viewer's, not the 2D sketch
            slot = frame.locator("#view-3d").bounding_box()
            box = viewer.bounding_box()
            assert box and slot
            assert box["x"] >= slot["x"] - 1 and box["y"] >= slot["y"] - 1
            assert box["y"] + box["height"] <= slot["y"] + slot["height"] + 1
            # the viewer's own parts (AR button, hidden texts) stay inside it, not below
            outside = viewer.evaluate(
                """el => [...el.shadowRoot.querySelectorAll('*')].filter(n => {
                    const r = n.getBoundingClientRect(), b = el.getBoundingClientRect();
                    const s = getComputedStyle(n);
                    return r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
                      && (r.top > b.bottom + 1 || r.bottom < b.top - 1);
                  }).map(n => n.className || n.tagName)"""
            )
            assert outside == []
            assert errors == []
        finally:
            browser.close()
