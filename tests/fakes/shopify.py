"""A fake Shopify: a real local HTTP server speaking Shopify's wire format.

It serves what Luneo calls on ``https://{shop}/admin/...`` (tests point
``SHOPIFY_ADMIN_ORIGIN`` at it; the ``Host`` header names the shop):

* ``POST /admin/oauth/access_token`` with the authorization-code grant, the token-exchange
  grant (session token -> offline token, and non-expiring -> expiring offline token) and
  the refresh grant, answering Shopify's JSON and Shopify's errors (``invalid_client``,
  ``invalid_request``, ``invalid_subject_token``, ``invalid_grant``);
* ``POST /admin/api/{version}/graphql.json`` checking ``X-Shopify-Access-Token``; the ``shop``
  query is built in, and the order and product calls of :mod:`tests.fakes.shopify_orders`
  (``fake.orders``); tests add others with :meth:`FakeShopify.on_graphql`.

Every call is counted (:meth:`FakeShopify.count`); errors, delays and missing response
fields can be switched on per kind of call (``code``, ``exchange``, ``migrate``,
``refresh``, ``graphql``).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode

import jwt

from tests.fakes._server import LocalServer
from tests.fakes.shopify_billing import FakeBilling
from tests.fakes.shopify_orders import FakeOrders

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"


@dataclass
class _Token:
    shop: str
    expires_at: float | None  # None: a non-expiring offline token


@dataclass
class _Failure:
    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


GraphQLHandler = Callable[[str, dict[str, Any], dict[str, Any]], dict[str, Any]]


class FakeShopify(LocalServer):
    """Shopify's token endpoint and Admin GraphQL for one app (API key and secret)."""

    def __init__(
        self,
        api_key: str,
        api_secret: str,
        access_ttl: int = 3600,
        refresh_ttl: int = 90 * 24 * 3600,
    ) -> None:
        self.api_key = api_key
        self.api_secret = api_secret
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.scope = "read_products,read_orders,write_orders,read_themes,write_cart_transforms"
        self.shop_names: dict[str, str] = {}
        # Shopify's numeric shop ids; a stable one is made up for shops not listed here.
        self.shop_ids: dict[str, int] = {}
        self.calls: list[tuple[str, str]] = []  # (kind, shop)
        self._access: dict[str, _Token] = {}
        self._refresh: dict[str, _Token] = {}
        self._codes: dict[str, str] = {}
        self._failures: dict[str, list[_Failure]] = {}
        self._delays: dict[str, float] = {}
        self._omit: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        # Orders and products (tests/fakes/shopify_orders.py): seeded by tests, read and
        # written back by Luneo's connector.
        self.orders = FakeOrders(self._lock)
        # Billing API (tests/fakes/shopify_billing.py): subscriptions and usage records.
        self.billing = FakeBilling(self._lock, lambda: self.origin)
        # The app's ``application_url`` (shopify.app.toml), for :meth:`open_app`.
        self.application_url: str | None = None
        # Cart transforms per shop (what cartTransformCreate made) and app-installation
        # metafields ((shop, namespace, key) -> value).
        self.cart_transforms: dict[str, list[dict[str, str]]] = {}
        self.app_metafields: dict[tuple[str, str, str], str] = {}
        self.deployed_functions = {"luneo-fee-transform"}
        # Staff accounts per shop (``staffMembers``: Shopify Plus/Advanced and ``read_users``
        # only; other shops answer ACCESS_DENIED) and the shop owner (``shop`` fields).
        self.staff_members: dict[str, list[dict[str, Any]]] = {}
        self.shop_owners: dict[str, tuple[str, str]] = {}
        self._graphql: list[tuple[str, GraphQLHandler]] = [
            *self.billing.handlers(),
            ("staffMembers", self._staff_members_query),
            ("shopOwnerName", self._shop_owner_query),
            ("LuneoCartTransforms", self._cart_transforms_query),
            ("LuneoCartTransformCreate", self._cart_transform_create),
            ("LuneoFeeModeSet", self._app_metafields_set),
            *self.orders.handlers(),  # before "shop": the order query reads shopMoney
            ("shop", self._shop_query),
        ]

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> FakeShopify:
        fake = self

        class Handler(_Handler):
            owner = fake

        return self._serve(Handler)

    # --- test controls --------------------------------------------------------------------
    def count(self, kind: str, shop: str | None = None) -> int:
        """How many calls of a kind (``refresh``, ``code``, ``graphql`` ...) were made."""
        with self._lock:
            return sum(1 for k, s in self.calls if k == kind and (shop is None or s == shop))

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(k for k, _ in self.calls)

    def fail_next(
        self,
        kind: str,
        status: int,
        body: dict[str, Any] | str,
        times: int = 1,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` calls of a kind with this status and body."""
        with self._lock:
            self._failures.setdefault(kind, []).extend(
                [_Failure(status, body, headers or {})] * times
            )

    def delay(self, kind: str, seconds: float) -> None:
        """Answer calls of a kind only after ``seconds`` (to make calls overlap)."""
        self._delays[kind] = seconds

    def omit(self, kind: str, *fields: str) -> None:
        """Leave fields out of successful answers of a kind (``expires_in`` of a token
        response; ``id`` of the ``shop`` query with kind ``shop``)."""
        self._omit[kind] = set(fields)

    def on_graphql(self, marker: str, handler: GraphQLHandler) -> None:
        """Answer queries containing ``marker`` with ``handler(shop, variables, body)``."""
        self._graphql.insert(0, (marker, handler))

    def shop_id(self, shop: str) -> int:
        """Shopify's numeric id of the shop (stable for a domain)."""
        return self.shop_ids.get(shop) or 10_000_000 + zlib.crc32(shop.encode()) % 90_000_000

    def issue_code(self, shop: str) -> str:
        """An authorization code, as Shopify puts on the redirect after approval."""
        code = secrets.token_hex(16)
        with self._lock:
            self._codes[code] = shop
        return code

    def issue_tokens(
        self, shop: str, expiring: bool = True, expires_in: int | None = None
    ) -> dict[str, Any]:
        """Tokens as a grant would return them (for seeding an install)."""
        with self._lock:
            return self._grant(shop, expiring, expires_in=expires_in, kind=None)

    def uninstall(self, shop: str) -> None:
        """Revoke every token of the shop, as Shopify does when the app is uninstalled."""
        with self._lock:
            for store in (self._access, self._refresh):
                for token in [t for t, v in store.items() if v.shop == shop]:
                    del store[token]
            self.cart_transforms.pop(shop, None)  # the app's transforms go with it

    def token_is_valid(self, shop: str, token: str) -> bool:
        with self._lock:
            found = self._access.get(token)
            return bool(found and found.shop == shop and _alive(found))

    def open_app(self, path: str, query: str) -> str | None:
        """The shop's admin opening the app at ``/admin/apps/{api_key}/{rest}`` (where the
        Billing API's ``returnUrl`` leads): the app's ``application_url`` + ``rest`` with
        the parameters and a fresh session token Shopify adds. The shop is the one of the
        ``charge_id`` the URL carries (the fake serves every shop on one origin)."""
        if not self.application_url:
            return None
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        sub = self.billing.subscriptions.get(
            f"gid://shopify/AppSubscription/{params.get('charge_id')}"
        )
        if sub is None:
            return None
        shop = sub["shop"]
        host = base64.urlsafe_b64encode(f"admin.shopify.com/store/{shop.split('.')[0]}".encode())
        rest = path[len(f"/admin/apps/{self.api_key}") :]
        params.update(
            shop=shop,
            host=host.decode().rstrip("="),
            embedded="1",
            id_token=self.session_token(shop),
        )
        return f"{self.application_url}{rest}?{urlencode(params)}"

    def session_token(
        self,
        shop: str,
        *,
        user: str = "42",
        ttl: int = 60,
        secret: str | None = None,
        aud: str | None = None,
        **claims: Any,
    ) -> str:
        """A session token exactly as App Bridge hands one to the app."""
        now = int(time.time())
        payload = {
            "iss": f"https://{shop}/admin",
            "dest": f"https://{shop}",
            "aud": aud or self.api_key,
            "sub": user,
            "exp": now + ttl,
            "nbf": now - 1,
            "iat": now - 1,
            "jti": secrets.token_hex(8),
            "sid": secrets.token_hex(8),
            **claims,
        }
        return jwt.encode(payload, secret or self.api_secret, algorithm="HS256")

    # --- behaviour ------------------------------------------------------------------------
    def _grant(
        self, shop: str, expiring: bool, expires_in: int | None, kind: str | None
    ) -> dict[str, Any]:
        now = time.time()
        access = "shpat_" + secrets.token_hex(16)
        ttl = expires_in if expires_in is not None else self.access_ttl
        body: dict[str, Any] = {"access_token": access, "scope": self.scope}
        if expiring:
            refresh = "shprt_" + secrets.token_hex(16)
            self._access[access] = _Token(shop, now + ttl)
            self._refresh[refresh] = _Token(shop, now + self.refresh_ttl)
            body.update(
                expires_in=ttl, refresh_token=refresh, refresh_token_expires_in=self.refresh_ttl
            )
        else:
            self._access[access] = _Token(shop, None)
        for name in self._omit.get(kind or "", set()):
            body.pop(name, None)
        return body

    def token_endpoint(self, shop: str, params: dict[str, Any]) -> tuple[int, Any]:
        grant = params.get("grant_type")
        subject_type = params.get("subject_token_type")
        if grant == "refresh_token":
            kind = "refresh"
        elif grant == TOKEN_EXCHANGE:
            kind = "migrate" if subject_type == OFFLINE_TOKEN_TYPE else "exchange"
        elif params.get("code"):
            kind = "code"
        else:
            kind = "unknown"
        with self._lock:
            self.calls.append((kind, shop))
        if self._delays.get(kind):
            time.sleep(self._delays[kind])
        with self._lock:
            failure = self._pop_failure(kind)
            if failure is not None:
                return failure.status, failure.body
            if params.get("client_id") != self.api_key or params.get("client_secret") != (
                self.api_secret
            ):
                return 401, _error("invalid_client", "Client authentication failed.")
            expiring = str(params.get("expiring", "0")) == "1"
            if kind == "code":
                if self._codes.pop(params["code"], None) != shop:
                    return 400, _error(
                        "invalid_request",
                        "The authorization code was not found or was already used",
                    )
                return 200, self._grant(shop, expiring, None, kind)
            if kind == "refresh":
                found = self._refresh.pop(str(params.get("refresh_token")), None)
                if found is None or found.shop != shop or not _alive(found):
                    return 400, _error("invalid_grant", "Token has been expired or revoked.")
                return 200, self._grant(shop, True, None, kind)
            if kind == "migrate":
                found = self._access.get(str(params.get("subject_token")))
                if found is None or found.shop != shop or found.expires_at is not None:
                    return 400, _error("invalid_subject_token", "Invalid subject token.")
                del self._access[str(params.get("subject_token"))]
                return 200, self._grant(shop, expiring, None, kind)
            if kind == "exchange":
                if not self._valid_id_token(shop, str(params.get("subject_token", ""))):
                    return 400, _error("invalid_subject_token", "Invalid subject token.")
                return 200, self._grant(shop, expiring, None, kind)
            return 400, _error("unsupported_grant_type", "Unsupported grant type.")

    def _valid_id_token(self, shop: str, token: str) -> bool:
        try:
            claims = jwt.decode(token, self.api_secret, algorithms=["HS256"], audience=self.api_key)
        except jwt.PyJWTError:
            return False
        return claims.get("dest") == f"https://{shop}"

    def graphql_endpoint(
        self, shop: str, token: str, body: dict[str, Any]
    ) -> tuple[int, Any, dict]:
        with self._lock:
            self.calls.append(("graphql", shop))
            failure = self._pop_failure("graphql")
            found = self._access.get(token)
        if failure is not None:
            return failure.status, failure.body, failure.headers
        if found is None or found.shop != shop or not _alive(found):
            return (
                401,
                {
                    "errors": "[API] Invalid API key or access token "
                    "(unrecognized login or wrong password)"
                },
                {},
            )
        query = str(body.get("query", ""))
        variables = body.get("variables") or {}
        for marker, handler in self._graphql:
            if marker in query:
                return 200, handler(shop, variables, body), {}
        return (
            200,
            {"errors": [{"message": "Unknown query", "extensions": {"code": "undefinedField"}}]},
            {},
        )

    def _shop_query(self, shop: str, _variables: dict, _body: dict) -> dict[str, Any]:
        name = self.shop_names.get(shop, shop.split(".")[0].replace("-", " ").title())
        gid = f"gid://shopify/Shop/{self.shop_id(shop)}"
        found = {"id": gid, "name": name, "currencyCode": "EUR", "myshopifyDomain": shop}
        for missing in self._omit.get("shop", set()):
            found.pop(missing, None)
        return {
            "data": {"shop": found},
            "extensions": {"cost": {"requestedQueryCost": 1}},
        }

    def _staff_members_query(self, shop: str, variables: dict, _body: dict) -> dict[str, Any]:
        """``staffMembers``: the shop's staff, or Shopify's ACCESS_DENIED for shops that are not
        on Plus/Advanced (``staff_members`` has no entry for them)."""
        with self._lock:
            members = self.staff_members.get(shop)
        if members is None:
            required = (
                "`read_users` access scope. Also: The shop must be on a Shopify Plus or "
                "Advanced plan."
            )
            return {
                "data": {"staffMembers": None},
                "errors": [
                    {
                        "message": "Access denied for staffMembers field. "
                        f"Required access: {required}",
                        "locations": [{"line": 1, "column": 30}],
                        "path": ["staffMembers"],
                        "extensions": {
                            "code": "ACCESS_DENIED",
                            "documentation": "https://shopify.dev/api/usage/access-scopes",
                            "requiredAccess": required,
                        },
                    }
                ],
                "extensions": {"cost": {"requestedQueryCost": 12}},
            }
        first = int(variables.get("first") or 50)
        return {
            "data": {"staffMembers": {"nodes": members[:first]}},
            "extensions": {"cost": {"requestedQueryCost": 12}},
        }

    def _shop_owner_query(self, shop: str, _variables: dict, _body: dict) -> dict[str, Any]:
        name, email = self.shop_owners.get(shop, ("Shop Owner", f"owner@{shop}"))
        return {
            "data": {
                "shop": {
                    "name": self.shop_names.get(shop, shop.split(".")[0]),
                    "shopOwnerName": name,
                    "email": email,
                    "contactEmail": f"hello@{shop}",
                }
            },
            "extensions": {"cost": {"requestedQueryCost": 1}},
        }

    def _cart_transforms_query(self, shop: str, _variables: dict, _body: dict) -> dict[str, Any]:
        with self._lock:
            nodes = list(self.cart_transforms.get(shop, []))
        installation = f"gid://shopify/AppInstallation/{self.shop_id(shop)}"
        return {
            "data": {
                "cartTransforms": {"nodes": nodes},
                "currentAppInstallation": {"id": installation},
            }
        }

    def _cart_transform_create(self, shop: str, variables: dict, _body: dict) -> dict[str, Any]:
        handle = variables.get("handle")
        with self._lock:
            existing = self.cart_transforms.setdefault(shop, [])
            if handle not in self.deployed_functions:
                error = {
                    "field": ["functionHandle"],
                    "message": "Function not found",
                    "code": "FUNCTION_NOT_FOUND",
                }
                return {
                    "data": {"cartTransformCreate": {"cartTransform": None, "userErrors": [error]}}
                }
            if existing:
                error = {
                    "field": ["functionHandle"],
                    "message": "Already registered",
                    "code": "FUNCTION_ALREADY_REGISTERED",
                }
                return {
                    "data": {"cartTransformCreate": {"cartTransform": None, "userErrors": [error]}}
                }
            node = {
                "id": f"gid://shopify/CartTransform/{len(self.cart_transforms) + 100}",
                "functionId": f"fn-{handle}",
            }
            existing.append(node)
        return {"data": {"cartTransformCreate": {"cartTransform": node, "userErrors": []}}}

    def _app_metafields_set(self, shop: str, variables: dict, _body: dict) -> dict[str, Any]:
        out = []
        with self._lock:
            for field in variables.get("metafields") or []:
                self.app_metafields[(shop, field["namespace"], field["key"])] = field["value"]
                out.append({"id": f"gid://shopify/Metafield/{len(self.app_metafields)}"})
        return {"data": {"metafieldsSet": {"metafields": out, "userErrors": []}}}

    def _pop_failure(self, kind: str) -> _Failure | None:
        queue = self._failures.get(kind)
        return queue.pop(0) if queue else None


def _alive(token: _Token) -> bool:
    return token.expires_at is None or token.expires_at > time.time()


def _error(code: str, description: str) -> dict[str, str]:
    return {"error": code, "error_description": description}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: FakeShopify

    def log_message(self, *_: Any) -> None:  # keep test output quiet
        return

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        page = None
        if path.startswith(f"/admin/apps/{self.owner.api_key}"):
            target = self.owner.open_app(path, query)
            if target is None:
                self._send(404, {"errors": "Not Found"})
            else:
                self._send(302, "", {"Location": target})
            return
        if path.startswith("/store/") and "/charges/" in path:
            page = self.owner.billing.confirmation_page(path.split("/")[4])
        if page is None:
            self._send(404, {"errors": "Not Found"})
        else:
            self._send(200, page)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        shop = (self.headers.get("Host") or "").split(":")[0]
        path = self.path.split("?")[0]
        if path.startswith("/store/") and "/charges/" in path:
            answer = parse_qs(raw).get("answer", [""])[-1]
            target = self.owner.billing.confirm(path.split("/")[4], answer == "approve")
            if target is None:
                self._send(404, {"errors": "Not Found"})
            else:
                self._send(303, "", {"Location": target})
        elif path == "/admin/oauth/access_token":
            if "json" in (self.headers.get("Content-Type") or ""):
                params = json.loads(raw or "{}")
            else:
                params = {k: v[-1] for k, v in parse_qs(raw).items()}
            status, body = self.owner.token_endpoint(shop, params)
            self._send(status, body)
        elif path.startswith("/admin/api/") and path.endswith("/graphql.json"):
            token = self.headers.get("X-Shopify-Access-Token") or ""
            status, body, headers = self.owner.graphql_endpoint(
                shop, token, json.loads(raw or "{}")
            )
            self._send(status, body, headers)
        else:
            self._send(404, {"errors": "Not Found"})

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(status)
        content_type = "text/html" if isinstance(body, str) else "application/json"
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
