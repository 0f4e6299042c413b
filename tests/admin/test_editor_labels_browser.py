"""Headless Chromium: the merchant writes option and finish labels per language in the
template editor; what is saved is what a storefront in that language shows. Screenshots at
1280 x 900 and 390 x 844 go to ``$LUNEO_SCREENSHOTS``."""

from __future__ import annotations

from tests.admin.test_admin_browser import _shots_dir, _stored_template, served  # noqa: F401
from tests.support.browser import ARGS, CHROMIUM


def test_labels_per_language_are_entered_in_the_editor_and_saved(
    served,  # noqa: F811 - the admin browser tests' fixture
    tmp_path,
):
    base, sync_api, app, ids = served
    shots = _shots_dir(tmp_path)
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/admin/products/{ids['product']}/template", wait_until="load")
            page.wait_for_selector("#areas .area")
            text = page.locator("#text-options [data-option-index]").first
            text.locator("summary", has_text="Labels in other languages").click()
            code = text.get_by_label("Language code")
            languages = text.locator(".translations__lang").count()  # the demo has French
            code.fill("1x")  # not a language code: said, nothing added
            text.get_by_role("button", name="Add language").click()
            assert text.locator(".translations__lang").count() == languages
            code.fill("DE")
            code.press("Enter")
            german = text.get_by_role("group", name="German")
            german.get_by_label("Your text").fill("Dein Text")
            # every option now offers German; the finish and its values too
            finish = page.locator("#choice-options [data-option-index]").first
            finish.locator("summary").click()
            group = finish.get_by_role("group", name="German")
            group.get_by_label("Finish", exact=True).fill("Veredelung")
            group.get_by_label("Gold", exact=True).fill("Gold (24 Karat)")
            page.screenshot(path=str(shots / "editor-labels-1280.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.wait_for_timeout(300)
            finish.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "editor-labels-390.png"))
            page.set_viewport_size({"width": 1280, "height": 900})

            page.get_by_role("button", name="Save").click()
            page.get_by_text("Template saved").wait_for()
            options = {o["id"]: o for o in _stored_template(app, ids["product"])["options"]}
            text_option = next(o for o in options.values() if o["type"] == "text")
            assert text_option["labels"]["de"] == "Dein Text"
            material = next(o for o in options.values() if o["type"] == "material")
            assert material["labels"]["de"] == "Veredelung"
            gold = next(v for v in material["values"] if v["value"] == "gold")
            assert gold["labels"]["de"] == "Gold (24 Karat)"
            others = [v for v in material["values"] if v["value"] != "gold"]
            assert all("de" not in (v.get("labels") or {}) for v in others)

            # Removing the language removes its labels everywhere.
            page.locator("#text-options summary").first.click()
            page.get_by_role("button", name="Remove German").first.click()
            page.get_by_role("button", name="Save").click()
            page.get_by_text("Template saved").last.wait_for()
            options = _stored_template(app, ids["product"])["options"]
            assert "'de'" not in str(options)
            assert not errors, errors
        finally:
            browser.close()
