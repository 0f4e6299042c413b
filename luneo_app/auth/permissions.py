"""The one permission table: what each console role may do, in API-key scopes.

A signed-in team member acts with the scopes of their role, an API key with the scopes it
was created with; :func:`~.principal.require` checks both the same way. Every route of the
app either names the scope it requires (``require(scope)``, ``console_view(scope)``) or is
listed in :data:`OTHER_GUARDS` with the guard it has instead; the role-matrix test walks the
URL map and fails on a route that does neither.
"""

from __future__ import annotations

# Scopes an API key may carry (what the public API checks).
API_SCOPES = (
    "products:read",
    "products:write",
    "designs:read",
    "designs:write",
    "uploads:write",
    "orders:read",
    "orders:write",
    "embed:write",
)

# Console-only scopes (never on an API key).
CONSOLE_SCOPES = (
    "console:read",  # see the console: dashboard, designs, orders, settings
    "keys:manage",  # create, rotate and revoke API keys
    "webhooks:manage",  # the webhook endpoint, its secret, replays
    "settings:manage",  # retention, budget caps, moderation words
    "team:manage",  # invite, change roles, remove members
    "brand:erase",  # erase every datum of the brand (owner only, re-authenticated)
)

_VIEWER = {"console:read", "products:read", "designs:read", "orders:read"}
_DEVELOPER = _VIEWER | {
    "products:write",
    "designs:write",
    "uploads:write",
    "orders:write",
    "embed:write",
    "keys:manage",
    "webhooks:manage",
}
_ADMIN = _DEVELOPER | {"settings:manage", "team:manage"}
_OWNER = _ADMIN | {"brand:erase"}

ROLE_SCOPES: dict[str, frozenset[str]] = {
    "owner": frozenset(_OWNER),
    "admin": frozenset(_ADMIN),
    "developer": frozenset(_DEVELOPER),
    "viewer": frozenset(_VIEWER),
}
ROLES = tuple(ROLE_SCOPES)  # most powerful first
ROLE_LABELS = {
    "owner": "Owner",
    "admin": "Admin",
    "developer": "Developer",
    "viewer": "Viewer",
}
ROLE_HELP = {
    "owner": "Everything, including erasing the brand's data.",
    "admin": "Everything but erasing the brand: team, settings, keys, webhooks.",
    "developer": "API keys, webhooks, products, designs and orders.",
    "viewer": "Reads the console; changes nothing.",
}

# Routes guarded by something else than a brand scope, by endpoint (``blueprint.view``) or
# blueprint (``blueprint.*``). Each says what guards it.
OTHER_GUARDS: dict[str, str] = {
    "static": "public: the app's static files",
    "health.*": "public: health checks and metrics",
    "openapi.*": "public: the API description",
    "demo.*": "public: the embedded default's demo pages",
    "three_d_demo.*": "public: the 3D demo page",
    "storefront.*": "public: the demo shop",
    "brand_store.*": "public: the demo store of an API brand (its token route is the store's "
    "own backend, which holds the demo brand's key)",
    "apidocs.*": "public: the API documentation UI's files",
    "widget.*": "public: the widget's assets",
    "embed.*": "storefront: embed tokens bound to brand and origin",
    "files.download": "signed URL",
    "proof_page.*": "signed proof link the shop sends its shopper (itsdangerous, 30 days)",
    "orders.production_file": "signed URL",
    "commerce.woo_auth_callback": "WooCommerce: the one-time state of a console-started "
    "authorisation, and a key that works on the store",
    "commerce.woo_webhook": "WooCommerce: the store's delivery token and HMAC secret",
    "connectors.rest_order_event": "HMAC: the brand's inbound secret (Luneo-Signature)",
    "shopify.*": "Shopify: OAuth, HMAC-signed webhooks, session tokens",
    "admin.*": "Shopify: App Bridge session token of the shop",
    "admin_api.*": "Shopify: App Bridge session token of the shop",
    "outbound.admin_log": "Shopify: App Bridge session token of the shop",
    "outbound.admin_replay": "Shopify: App Bridge session token of the shop",
    "outbound.api_log": "API key only (api_key_only), any scope of the brand",
    "outbound.verify": "API key only (api_key_only), any scope of the brand",
    "ai.ai_costs": "Luneo staff: support console session or staff API token",
    "billing.staff_revenue": "Luneo staff: support console session or staff API token",
    "billing.stripe_webhook": "Stripe: Stripe-Signature verified by the official library",
    "support_auth.*": "public: staff sign-in (password, then TOTP; throttled)",
    "support_auth.sso_complete": "public: a one-time ticket (2 min) the ACS issued after the "
    "staff IdP's signed assertion named an active staff account",
    "support.*": "Luneo staff session (staff_view: support reads, admin acts)",
    "auth_api.*": "public: sign-in, refresh, sign-up (throttled per address and account)",
    "console_auth.*": "public: console sign-in, sign-up, verification, reset, invitations",
    "console.outbox": "embedded default only: the local mail outbox",
    "brand_data.*": "owner's user token, re-authenticated (never an API key)",
    "sso.*": "public: SP metadata and SSO redirects; the ACS believes only assertions signed "
    "by the IdP of the realm named in their Audience; the token exchange needs a one-time "
    "code (60 s) from the ACS and its PKCE verifier",
    "scim.*": "the brand's SCIM bearer token (made in the console, stored hashed)",
}


def scopes_of(role: str) -> frozenset[str]:
    """The scopes a role grants (none for an unknown role)."""
    return ROLE_SCOPES.get(role, frozenset())


def guard_of(endpoint: str) -> str | None:
    """What guards ``endpoint`` when it is not a scope, from :data:`OTHER_GUARDS`."""
    if endpoint in OTHER_GUARDS:
        return OTHER_GUARDS[endpoint]
    return OTHER_GUARDS.get(endpoint.split(".", 1)[0] + ".*")


def key_scopes_for(role: str) -> tuple[str, ...]:
    """The API-key scopes a member of ``role`` may put on a key they create."""
    granted = scopes_of(role)
    return tuple(s for s in API_SCOPES if s in granted)
