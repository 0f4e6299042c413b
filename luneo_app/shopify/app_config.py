"""The app's own Shopify configuration, read from ``shopify.app.toml``.

Webhook routes and requested scopes come from this file, the same one ``shopify app deploy``
sends to Shopify, so what Luneo serves and what Shopify delivers never drift apart.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from ..config import PROJECT_ROOT

APP_TOML = PROJECT_ROOT / "shopify.app.toml"

COMPLIANCE_TOPICS = frozenset({"customers/data_request", "customers/redact", "shop/redact"})


class AppConfigError(Exception):
    """``shopify.app.toml`` is missing something Luneo relies on."""


@dataclass(frozen=True)
class WebhookRoute:
    """A path Shopify posts to and the topics it may carry there."""

    path: str
    topics: frozenset[str]


@dataclass(frozen=True)
class ShopifyAppConfig:
    """What Luneo reads from ``shopify.app.toml``."""

    client_id: str
    name: str
    application_url: str
    embedded: bool
    scopes: tuple[str, ...]
    redirect_paths: tuple[str, ...]
    webhook_api_version: str
    webhook_routes: tuple[WebhookRoute, ...]

    def route_for(self, path: str) -> WebhookRoute | None:
        """The webhook route declared for a request path, if any."""
        for route in self.webhook_routes:
            if route.path == path:
                return route
        return None

    @property
    def topics(self) -> frozenset[str]:
        """Every topic (compliance topics included) the app subscribes to."""
        return frozenset().union(*(route.topics for route in self.webhook_routes))


@cache
def load_app_config(path: Path = APP_TOML) -> ShopifyAppConfig:
    """Parse and check ``shopify.app.toml`` (once per process)."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AppConfigError(f"cannot read {path}: {exc}") from exc

    scopes = tuple(
        s.strip() for s in str(data.get("access_scopes", {}).get("scopes", "")).split(",")
    )
    routes: dict[str, set[str]] = {}
    webhooks = data.get("webhooks", {})
    for sub in webhooks.get("subscriptions", []):
        uri = str(sub.get("uri", ""))
        path = urlsplit(uri).path if "://" in uri else uri
        if not path.startswith("/"):
            raise AppConfigError(f"webhook uri {uri!r} must be a path or an https URL")
        topics = [*sub.get("topics", []), *sub.get("compliance_topics", [])]
        routes.setdefault(path, set()).update(topics)
    declared = frozenset().union(*routes.values()) if routes else frozenset()
    missing = COMPLIANCE_TOPICS - declared
    if missing:
        raise AppConfigError(f"shopify.app.toml lacks compliance topics {sorted(missing)}")
    redirects = tuple(urlsplit(u).path for u in data.get("auth", {}).get("redirect_urls", []))
    return ShopifyAppConfig(
        client_id=str(data.get("client_id", "")),
        name=str(data.get("name", "")),
        application_url=str(data.get("application_url", "")),
        embedded=bool(data.get("embedded", False)),
        scopes=tuple(s for s in scopes if s),
        redirect_paths=redirects,
        webhook_api_version=str(webhooks.get("api_version", "")),
        webhook_routes=tuple(
            WebhookRoute(path=p, topics=frozenset(t)) for p, t in sorted(routes.items())
        ),
    )
