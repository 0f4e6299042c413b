"""Shopify adapter: the OAuth token endpoint and the Admin GraphQL API, over HTTP only.

Shopify's own ``shopifyapp`` package does the token exchange, the refresh and the GraphQL
calls; this module gives them one small typed face (:class:`ShopifyAdmin`) and three errors
that say what the caller should do next:

* :class:`ShopifyAuthError` - Shopify refused the credentials: the merchant must open the app
  again (or the token must be refreshed);
* :class:`ShopifyUnavailable` - network, rate limit or Shopify outage: try again later;
* :class:`ShopifyRequestError` - Shopify refused the request itself: trying again won't help.

With ``admin_origin`` set (``SHOPIFY_ADMIN_ORIGIN``, tests), every request meant for
``https://{shop}/admin/...`` goes to ``{admin_origin}/admin/...`` instead; the ``Host``
header still names the shop, so a fake Shopify knows which shop is meant.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import shopify_app
from shopify_app import IdTokenDetails

from .base import ConnectorAuthError, ConnectorError, ConnectorRequestError, ConnectorUnavailable
from .shopify_commerce import ShopifyCommerce

MYSHOPIFY_SUFFIX = ".myshopify.com"
_SHOP_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}\.myshopify\.com$")
_HANDLE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

# Shopify's documented lifetime of an expiring offline access token, used when a token
# response leaves ``expires_in`` out (it must not make the next refresh fail).
DEFAULT_ACCESS_TOKEN_TTL = timedelta(hours=1)

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"


class ShopifyError(ConnectorError):
    """A call to Shopify failed; ``code`` says how (``invalid_grant``, ``network_error`` ...)."""


class ShopifyAuthError(ShopifyError, ConnectorAuthError):
    """Shopify refused the credentials (token revoked or expired, app uninstalled)."""


class ShopifyUnavailable(ShopifyError, ConnectorUnavailable):
    """Network trouble, rate limit or a Shopify outage: worth trying again later."""


class ShopifyRequestError(ShopifyError, ConnectorRequestError):
    """Shopify refused the request itself; trying again will not help."""


def normalize_shop_domain(value: str | None, *, allow_handle: bool = False) -> str | None:
    """The shop's canonical ``name.myshopify.com``, or None when ``value`` is not one.

    Accepts surrounding spaces, upper case, an ``https://`` prefix and a trailing slash.
    ``evil.com`` and ``x.myshopify.com.evil.com`` are refused. With ``allow_handle`` a bare
    handle (``acme``) is completed (for people typing their shop name).
    """
    if not value or len(value) > 300:
        return None
    text = value.strip().lower()
    for prefix in ("https://", "http://"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    text = text.rstrip("/")
    if allow_handle and _HANDLE_RE.match(text):
        text += MYSHOPIFY_SUFFIX
    return text if _SHOP_RE.match(text) else None


def shop_handle(shop_domain: str) -> str:
    """``acme`` for ``acme.myshopify.com`` (what ``shopifyapp`` calls the shop)."""
    return shop_domain.removesuffix(MYSHOPIFY_SUFFIX)


def query_signature(params: Sequence[tuple[str, str]], secret: str) -> str:
    """Hex HMAC-SHA256 of OAuth query parameters, the way Shopify signs them.

    ``hmac`` itself is left out; the other pairs are escaped, sorted and joined with ``&``;
    repeated ``key[]`` parameters are signed as one JSON list.
    """
    grouped: dict[str, list[str]] = {}
    for key, value in params:
        if key != "hmac":
            grouped.setdefault(key, []).append(value)
    pairs = []
    for key, values in grouped.items():
        if key.endswith("[]"):
            name, text = key[:-2], json.dumps(values)
        else:
            name, text = key, values[-1]
        name = name.replace("%", "%25").replace("=", "%3D")
        text = text.replace("%", "%25")
        pairs.append(f"{name}={text}".replace("&", "%26"))
    message = "&".join(sorted(pairs))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class TokenGrant:
    """What Shopify's token endpoint granted. Tokens never appear in ``repr``."""

    access_token: str = field(repr=False)
    scopes: tuple[str, ...]
    expires_at: datetime | None
    refresh_token: str | None = field(repr=False)
    refresh_token_expires_at: datetime | None

    @property
    def expiring(self) -> bool:
        """True for an expiring offline token (it comes with a refresh token)."""
        return self.refresh_token is not None


@dataclass(frozen=True)
class ShopProfile:
    """The few facts about a shop Luneo keeps on its brand."""

    name: str
    currency: str
    shop_id: str | None = None  # Shopify's numeric shop id ("548380009")


SHOP_PROFILE_QUERY = "query LuneoShopProfile { shop { id name currencyCode myshopifyDomain } }"


class _AdminTransport(httpx.BaseTransport):
    """Sends ``https://{shop}/admin/...`` requests to the configured origin (when set)."""

    def __init__(self, origin: str | None) -> None:
        self._inner = httpx.HTTPTransport(retries=0)
        self._origin = httpx.URL(origin) if origin else None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._origin is not None:
            request.url = request.url.copy_with(
                scheme=self._origin.scheme, host=self._origin.host, port=self._origin.port
            )
        return self._inner.handle_request(request)

    def close(self) -> None:
        """Per-call clients close; the shared connection pool stays open."""


class ShopifyAdmin(ShopifyCommerce):
    """Luneo's client for one Shopify app (its API key and secret) and Admin API version.

    It is also Luneo's Shopify connector (``connectors.base.CommerceConnector``): products,
    orders, the design write-back and webhook checks come from :class:`ShopifyCommerce`.
    """

    def __init__(
        self,
        api_key: str,
        api_secret: str,
        api_version: str,
        *,
        admin_origin: str | None = None,
        old_api_secret: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        if not api_key or not api_secret:
            raise ValueError("ShopifyAdmin needs the app's API key and secret")
        self.api_key = api_key
        self.api_version = api_version
        self.admin_origin = admin_origin.rstrip("/") if admin_origin else None
        self.timeout = timeout
        self._secret = api_secret
        self._config = shopify_app.ShopifyApp(api_key, api_secret, old_api_secret).config
        self._transport = _AdminTransport(self.admin_origin)

    def __repr__(self) -> str:
        return f"ShopifyAdmin(api_key={self.api_key!r}, api_version={self.api_version!r})"

    # --- URLs -----------------------------------------------------------------------------
    def admin_base(self, shop_domain: str) -> str:
        """``https://{shop}`` or the configured admin origin."""
        return self.admin_origin or f"https://{shop_domain}"

    def authorize_url(
        self, shop_domain: str, scopes: Sequence[str], redirect_uri: str, state: str
    ) -> str:
        """Where to send the merchant to approve the app (authorization-code grant, offline)."""
        query = urlencode(
            {
                "client_id": self.api_key,
                "scope": ",".join(scopes),
                "redirect_uri": redirect_uri,
                "state": state,
            }
        )
        return f"{self.admin_base(shop_domain)}/admin/oauth/authorize?{query}"

    def app_url(self, shop_domain: str) -> str:
        """The app's page inside the shop's admin."""
        return f"{self.admin_base(shop_domain)}/admin/apps/{self.api_key}"

    # --- token endpoint -------------------------------------------------------------------
    def exchange_code(self, shop_domain: str, code: str) -> TokenGrant:
        """Trade an authorization code for an expiring offline token (``expiring=1``)."""
        body = {
            "client_id": self.api_key,
            "client_secret": self._secret,
            "code": code,
            "expiring": 1,
        }
        return self._post_token(shop_domain, body)

    def migrate_to_expiring(self, shop_domain: str, offline_token: str) -> TokenGrant:
        """Trade a non-expiring offline token for an expiring one (token exchange)."""
        body = {
            "client_id": self.api_key,
            "client_secret": self._secret,
            "grant_type": TOKEN_EXCHANGE,
            "subject_token": offline_token,
            "subject_token_type": OFFLINE_TOKEN_TYPE,
            "requested_token_type": OFFLINE_TOKEN_TYPE,
            "expiring": 1,
        }
        return self._post_token(shop_domain, body)

    def exchange_session_token(self, id_token: IdTokenDetails) -> TokenGrant:
        """Trade a verified App Bridge session token for an expiring offline token."""
        with self._client() as (client, seen):
            result = shopify_app.token_exchange(
                "offline", self._config, id_token=id_token, expiring=True, http_client=client
            )
        if result.ok and result.access_token is not None:
            return _grant_from(_last_json(seen), previous_refresh=None)
        raise _token_error(result.log.code, seen, "token exchange")

    def refresh(
        self,
        shop_domain: str,
        refresh_token: str,
        refresh_token_expires_at: datetime | None,
    ) -> TokenGrant:
        """A new access token (and refresh token) for an expiring offline token.

        A response without ``refresh_token`` keeps the old one; without ``expires_in`` the
        documented one-hour lifetime is assumed, so the next refresh still works.
        """
        token = {
            "shop": shop_handle(shop_domain),
            "refresh_token": refresh_token,
            "expires": None,  # Luneo decides when to refresh; always ask.
            "refresh_token_expires": _iso(refresh_token_expires_at),
            "access_mode": "offline",
        }
        with self._client() as (client, seen):
            result = shopify_app.refresh_access_token(token, self._config, http_client=client)
        if result.ok and result.access_token is not None:
            return _grant_from(_last_json(seen), previous_refresh=refresh_token)
        raise _token_error(result.log.code, seen, "token refresh")

    def _post_token(self, shop_domain: str, body: dict[str, Any]) -> TokenGrant:
        url = f"https://{shop_domain}/admin/oauth/access_token"
        headers = {"Accept": "application/json", "User-Agent": "Luneo"}
        with self._client() as (client, seen):
            try:
                client.post(url, json=body, headers=headers)
            except httpx.HTTPError as exc:
                raise ShopifyUnavailable(
                    f"could not reach Shopify: {type(exc).__name__}", code="network_error"
                ) from exc
        response = seen[-1]
        if response.status_code == 200:
            return _grant_from(_last_json(seen), previous_refresh=None)
        error = _error_code(response)
        if response.status_code == 429 or response.status_code >= 500:
            raise ShopifyUnavailable(
                f"Shopify answered {response.status_code}",
                code=error or "unavailable",
                status=response.status_code,
            )
        if error in ("invalid_client", "invalid_grant", "invalid_subject_token"):
            raise ShopifyAuthError(
                f"Shopify refused the grant: {error}", code=error, status=response.status_code
            )
        raise ShopifyRequestError(
            f"Shopify refused the grant: {error or response.status_code}",
            code=error or "request_refused",
            status=response.status_code,
        )

    # --- Admin GraphQL --------------------------------------------------------------------
    def graphql(
        self,
        shop_domain: str,
        access_token: str,
        query: str,
        variables: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Run an Admin GraphQL query or mutation; returns its ``data``."""
        with self._client() as (client, _seen):
            result = shopify_app.admin_graphql_request(
                query,
                shop=shop_handle(shop_domain),
                access_token=access_token,
                api_version=self.api_version,
                variables=dict(variables) if variables else None,
                app_config=self._config,
                http_client=client,
            )
        if result.ok:
            return result.data or {}
        status = result.response.status
        code = result.log.code
        if status == 401 or code == "unauthorized":
            raise ShopifyAuthError(
                "Shopify refused the access token", code="unauthorized", status=401
            )
        if status in (0, 429) or status >= 500:
            raise ShopifyUnavailable(f"Shopify GraphQL failed: {code}", code=code, status=status)
        if code == "graphql_errors":
            messages = _graphql_messages(result.response.body)
            if any("THROTTLED" in m for m in messages):
                raise ShopifyUnavailable("Shopify throttled the query", code="throttled")
            raise ShopifyRequestError("; ".join(messages)[:500], code=code, status=status)
        raise ShopifyRequestError(f"Shopify GraphQL failed: {code}", code=code, status=status)

    def shop_profile(self, shop_domain: str, access_token: str) -> ShopProfile:
        """The shop's name, currency and numeric id."""
        data = self.graphql(shop_domain, access_token, SHOP_PROFILE_QUERY)
        shop = data.get("shop") or {}
        gid = str(shop.get("id") or "")
        numeric = gid.rsplit("/", 1)[-1]
        return ShopProfile(
            name=str(shop.get("name") or shop_handle(shop_domain))[:255],
            currency=str(shop.get("currencyCode") or "USD")[:3],
            shop_id=numeric
            if gid.startswith("gid://shopify/Shop/") and numeric.isdigit()
            else None,
        )

    # --- plumbing -------------------------------------------------------------------------
    @contextmanager
    def _client(self) -> Iterator[tuple[httpx.Client, list[httpx.Response]]]:
        """A client on the shared pool that remembers the responses it received."""
        seen: list[httpx.Response] = []

        def keep(response: httpx.Response) -> None:
            response.read()
            seen.append(response)

        client = httpx.Client(
            transport=self._transport, timeout=self.timeout, event_hooks={"response": [keep]}
        )
        try:
            yield client, seen
        finally:
            client.close()


def _is_shop_gid(gid: str) -> bool:
    return gid.startswith("gid://shopify/Shop/") and gid.rsplit("/", 1)[-1].isdigit()


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _last_json(seen: list[httpx.Response]) -> dict[str, Any]:
    try:
        body = seen[-1].json() if seen else {}
    except ValueError:
        body = {}
    return body if isinstance(body, dict) else {}


def _error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"][:64]
    return None


def _grant_from(body: dict[str, Any], previous_refresh: str | None) -> TokenGrant:
    """Build a grant from the token endpoint's JSON, filling what a response left out."""
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise ShopifyRequestError("Shopify's token response had no access_token", code="no_token")
    now = datetime.now(UTC)
    refresh = body.get("refresh_token") or previous_refresh
    expires_in = _seconds(body.get("expires_in"))
    refresh_in = _seconds(body.get("refresh_token_expires_in"))
    if expires_in is not None:
        expires_at: datetime | None = now + timedelta(seconds=expires_in)
    elif refresh:
        expires_at = now + DEFAULT_ACCESS_TOKEN_TTL
    else:
        expires_at = None
    scopes = tuple(s for s in str(body.get("scope") or "").split(",") if s)
    return TokenGrant(
        access_token=token,
        scopes=scopes,
        expires_at=expires_at,
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        refresh_token_expires_at=now + timedelta(seconds=refresh_in) if refresh_in else None,
    )


def _seconds(value: Any) -> int | None:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 else None


def _token_error(code: str, seen: list[httpx.Response], what: str) -> ShopifyError:
    status = seen[-1].status_code if seen else None
    if code in ("network_error", "rate_limit_exceeded", "server_error") or (
        status is not None and (status == 429 or status >= 500)
    ):
        return ShopifyUnavailable(f"{what} failed: {code}", code=code, status=status)
    if code in (
        "invalid_grant",
        "refresh_token_expired",
        "invalid_client",
        "invalid_subject_token",
    ):
        return ShopifyAuthError(f"{what} refused: {code}", code=code, status=status)
    detail = (seen and _error_code(seen[-1])) or code
    return ShopifyRequestError(f"{what} refused: {detail}", code=detail, status=status)


def _graphql_messages(body: str) -> list[str]:
    try:
        errors = json.loads(body).get("errors")
    except (ValueError, AttributeError):
        return ["unreadable GraphQL error"]
    if isinstance(errors, str):
        return [errors]
    out = []
    for item in errors or []:
        if isinstance(item, dict):
            code = (item.get("extensions") or {}).get("code")
            out.append(f"{item.get('message', 'error')}{f' ({code})' if code else ''}")
    return out or ["GraphQL error"]
