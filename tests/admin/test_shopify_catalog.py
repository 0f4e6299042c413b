"""The Admin GraphQL queries of the embedded admin, parsed without HTTP."""

from __future__ import annotations

import json

from connectors.shopify_catalog import (
    page_variables,
    parse_product_page,
    parse_theme_state,
    search_syntax,
)

EMBED = "shopify://apps/luneo-personalizer/blocks/luneo-embed/4f1c"
BLOCK = "shopify://apps/luneo-personalizer/blocks/personalize/4f1c"


def _themes(settings=None, product=None):  # type: ignore[no-untyped-def]
    files = []
    if settings is not None:
        files.append({"filename": "config/settings_data.json", "body": {"content": settings}})
    if product is not None:
        files.append({"filename": "templates/product.json", "body": {"content": product}})
    return {"themes": {"nodes": [{"name": "Dawn", "files": {"nodes": files}}]}}


def test_a_disabled_embed_and_an_absent_block_are_reported_as_not_done():
    settings = json.dumps({"current": {"blocks": {"1": {"type": EMBED, "disabled": True}}}})
    product = json.dumps({"sections": {"main": {"blocks": {"b": {"type": "buy_buttons"}}}}})

    state = parse_theme_state(_themes(settings, product), "personalize", "luneo-embed")

    assert (state.embed_enabled, state.block_added, state.theme_name) == (False, False, "Dawn")


def test_files_the_theme_does_not_have_or_cannot_be_read_leave_the_state_unknown():
    state = parse_theme_state(_themes(settings="{not json"), "personalize", "luneo-embed")
    nothing = parse_theme_state({"themes": {"nodes": []}}, "personalize", "luneo-embed")

    assert (state.embed_enabled, state.block_added) == (None, None)
    assert (nothing.embed_enabled, nothing.block_added, nothing.theme_name) == (None, None, None)


def test_another_apps_block_with_a_different_handle_does_not_count():
    other = json.dumps(
        {"current": {"blocks": {"1": {"type": "shopify://apps/x/blocks/reviews/1"}}}}
    )
    product = json.dumps({"sections": {"main": {"blocks": {"p": {"type": BLOCK}}}}})

    state = parse_theme_state(_themes(other, product), "personalize", "luneo-embed")

    assert (state.embed_enabled, state.block_added) == (False, True)


def test_search_text_keeps_only_words():
    assert search_syntax("  Gold  ring ") == "title:Gold* title:ring*"
    assert search_syntax('"); DROP') == "title:DROP*"
    assert search_syntax(":*()") is None
    assert page_variables(None, None, "c1") == {"query": None, "last": 20, "before": "c1"}


def test_a_product_page_keeps_the_numeric_id_shopify_liquid_uses():
    page = parse_product_page({"products": {"nodes": [
        {"id": "gid://shopify/Product/42", "title": "Mug", "status": "DRAFT"}, None],
        "pageInfo": {"hasNextPage": True, "endCursor": "abc"}}})  # fmt: skip

    assert [(p.external_id, p.status, p.image_url) for p in page.products] == [
        ("42", "DRAFT", None)
    ]
    assert page.has_next and page.end_cursor == "abc" and not page.has_previous
