"""Shopify Admin GraphQL queries for the embedded admin: the shop's products and theme state.

Plain query strings and parsers of their ``data``, so the caller runs them through whatever
client holds the shop's token (``luneo_app.shopify.tokens.shop_graphql`` refreshes on a 401)
and the parsing can be tested without HTTP.

* :data:`PRODUCTS_QUERY` / :func:`parse_product_page`: one page of products, searchable, with
  cursors both ways;
* :data:`THEME_FILES_QUERY` / :func:`parse_theme_state`: whether the main theme carries the
  app block on its product template and has the app embed switched on (``read_themes``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

PAGE_SIZE = 20

_IMAGE = "featuredMedia { preview { image { url%s altText width height } } }"

PRODUCTS_QUERY = (
    "query LuneoProducts($first: Int, $last: Int, $after: String, $before: String, "
    "$query: String) { products(first: $first, last: $last, after: $after, before: $before, "
    "query: $query, sortKey: TITLE) { nodes { id legacyResourceId title handle status "
    + _IMAGE % "(transform: {maxWidth: 160, maxHeight: 160})"
    + " } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"
)

SETTINGS_DATA = "config/settings_data.json"
PRODUCT_TEMPLATE = "templates/product.json"
THEME_FILES_QUERY = (
    "query LuneoThemeState { themes(first: 1, roles: [MAIN]) { nodes { id name "
    f'files(filenames: ["{SETTINGS_DATA}", "{PRODUCT_TEMPLATE}"], first: 2) '
    "{ nodes { filename body { ... on OnlineStoreThemeFileBodyText { content } } } } } } }"
)

_SEARCH_WORD = re.compile(r"[\w'-]+", re.UNICODE)
_LEADING_COMMENT = re.compile(r"^\s*/\*.*?\*/", re.DOTALL)


@dataclass(frozen=True)
class ShopProduct:
    """A product of the shop as the Admin API lists it."""

    gid: str
    external_id: str  # the numeric id, as Liquid's ``product.id`` gives it
    title: str
    handle: str | None
    status: str
    image_url: str | None
    image_alt: str | None


@dataclass(frozen=True)
class ProductPage:
    """One page of products and the cursors to the pages around it."""

    products: tuple[ShopProduct, ...]
    has_next: bool
    has_previous: bool
    start_cursor: str | None
    end_cursor: str | None


@dataclass(frozen=True)
class ThemeState:
    """What the main theme says about Luneo. ``None`` fields: the theme did not say."""

    theme_name: str | None
    embed_enabled: bool | None
    block_added: bool | None


def product_gid(external_id: str) -> str:
    """``gid://shopify/Product/123`` for ``123`` (a gid is returned unchanged)."""
    return (
        external_id if external_id.startswith("gid://") else f"gid://shopify/Product/{external_id}"
    )


def search_syntax(text: str | None) -> str | None:
    """A merchant's search box text as Shopify search syntax (title prefix match per word).

    Only word characters, apostrophes and hyphens survive, so nothing typed can change the
    query's meaning (no field names, no operators).
    """
    words = _SEARCH_WORD.findall((text or "")[:100])[:8]
    return " ".join(f"title:{word}*" for word in words) or None


def page_variables(
    query: str | None, after: str | None, before: str | None, size: int = PAGE_SIZE
) -> dict[str, Any]:
    """Variables of :data:`PRODUCTS_QUERY` for the page after/before a cursor."""
    variables: dict[str, Any] = {"query": search_syntax(query)}
    if before:
        variables.update(last=size, before=before)
    else:
        variables.update(first=size, after=after or None)
    return variables


def parse_product(node: dict[str, Any] | None) -> ShopProduct | None:
    """One product node (``None`` when Shopify returned none)."""
    if not isinstance(node, dict) or not node.get("id"):
        return None
    gid = str(node["id"])
    legacy = node.get("legacyResourceId") or gid.rsplit("/", 1)[-1]
    image = ((node.get("featuredMedia") or {}).get("preview") or {}).get("image") or {}
    return ShopProduct(
        gid=gid,
        external_id=str(legacy),
        title=str(node.get("title") or "Untitled product")[:255],
        handle=node.get("handle"),
        status=str(node.get("status") or "ACTIVE"),
        image_url=image.get("url"),
        image_alt=image.get("altText"),
    )


def parse_product_page(data: dict[str, Any]) -> ProductPage:
    """The ``data`` of :data:`PRODUCTS_QUERY` as a :class:`ProductPage`."""
    products = data.get("products") or {}
    info = products.get("pageInfo") or {}
    parsed = [parse_product(node) for node in products.get("nodes") or []]
    return ProductPage(
        products=tuple(p for p in parsed if p is not None),
        has_next=bool(info.get("hasNextPage")),
        has_previous=bool(info.get("hasPreviousPage")),
        start_cursor=info.get("startCursor"),
        end_cursor=info.get("endCursor"),
    )


def _theme_json(content: Any) -> dict[str, Any] | None:
    """Theme JSON files may open with a ``/* ... */`` comment; anything unreadable is None."""
    if not isinstance(content, str):
        return None
    try:
        value = json.loads(_LEADING_COMMENT.sub("", content, count=1))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _is_app_block(block: Any, block_handle: str) -> bool:
    kind = block.get("type") if isinstance(block, dict) else None
    return (
        isinstance(kind, str)
        and kind.startswith("shopify://apps/")
        and f"/blocks/{block_handle}/" in kind
    )


def parse_theme_state(data: dict[str, Any], block_handle: str, embed_handle: str) -> ThemeState:
    """Whether the main theme has the app embed on and the app block on its product page."""
    themes = (data.get("themes") or {}).get("nodes") or []
    if not themes:
        return ThemeState(None, None, None)
    theme = themes[0] or {}
    files = {
        f.get("filename"): _theme_json((f.get("body") or {}).get("content"))
        for f in ((theme.get("files") or {}).get("nodes") or [])
        if isinstance(f, dict)
    }
    embed: bool | None = None
    settings = files.get(SETTINGS_DATA)
    if settings is not None:
        current = settings.get("current")
        blocks = current.get("blocks") if isinstance(current, dict) else None
        embed = any(
            _is_app_block(b, embed_handle) and not b.get("disabled", False)
            for b in (blocks or {}).values()
        )
    block: bool | None = None
    template = files.get(PRODUCT_TEMPLATE)
    if template is not None:
        sections = template.get("sections") or {}
        block = any(
            _is_app_block(b, block_handle) and not b.get("disabled", False)
            for section in sections.values()
            if isinstance(section, dict)
            for b in (section.get("blocks") or {}).values()
        )
    return ThemeState(theme.get("name"), embed, block)
