"""The role matrix, built from the app's URL map.

Every route must name the permission it needs (``require(scope)`` or ``console_view(scope)``)
or be listed with its other guard in ``luneo_app.auth.permissions.OTHER_GUARDS``: a new route
with neither fails here. Every permission-guarded route is then called by a member of each
role (console routes with the console session, API routes with the member's access token):
a role without the scope gets 403 and nothing else does; a member of a foreign brand never
reaches the brand's resources: their ids answer as if they did not exist.
"""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.routing import Rule

from luneo_app.accounts.tokens import issue_pair
from luneo_app.auth.apikeys import create_api_key
from luneo_app.auth.permissions import ROLES, guard_of, scopes_of
from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.models import Account, Brand, Design, Order, OutboundDelivery, Product
from tests.accounts.helpers import PASSWORD, Member, add_member, console_sign_in

SKIPPED_METHODS = {"HEAD", "OPTIONS"}


def _scoped_rules(app: Flask) -> list[tuple[Rule, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        scope = getattr(app.view_functions[rule.endpoint], "required_scope", None)
        if scope is None:
            continue
        for method in sorted(rule.methods - SKIPPED_METHODS):
            found.append((rule, method, scope))
    return found


def test_every_route_names_its_permission_or_its_other_guard(app):
    missing = [
        f"{rule.endpoint} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "required_scope", None) is None
        and guard_of(rule.endpoint) is None
    ]
    assert missing == [], "routes without a rule in luneo_app/auth/permissions.py"


def test_scopes_named_by_routes_exist_in_the_role_table(app):
    every = set().union(*(scopes_of(r) for r in ROLES))
    named = {scope for _rule, _method, scope in _scoped_rules(app)}
    assert named <= every
    assert scopes_of("viewer") < scopes_of("developer") < scopes_of("admin") < scopes_of("owner")


def _brand_with_everything(name: str, email: str) -> tuple[Member, dict[str, str]]:
    from luneo_app.accounts.passwords import hash_password

    brand = Brand(kind="api", name=name, status="active")
    db.session.add(brand)
    db.session.flush()
    owner = Account(
        brand_id=brand.id,
        email=email,
        role="owner",
        status="active",
        password_hash=hash_password(PASSWORD),
        email_verified_at=utcnow(),
    )
    product = Product(brand_id=brand.id, platform="api", external_id="sku-1", title="Ring")
    db.session.add_all([owner, product])
    db.session.flush()
    design = Design(
        brand_id=brand.id, product_id=product.id, content_hash="0" * 64, status="failed"
    )
    order = Order(brand_id=brand.id, platform="api", external_id="o-1", name="#1")
    now = utcnow()
    delivery = OutboundDelivery(
        brand_id=brand.id,
        event_id=f"evt_{name}",
        event_type="design.ready",
        url="https://hooks.example.com/luneo",
        body="{}",
        status="failed",
        next_attempt_at=now,
        expires_at=now,
    )
    db.session.add_all([design, order, delivery])
    key = create_api_key(brand, "server")
    target = Account(
        brand_id=brand.id, email=f"target@{name.lower()}-brand.com", role="viewer", status="invited"
    )
    db.session.add(target)
    db.session.commit()
    ids = {
        "product_id": product.id,
        "product_ref": product.id,
        "design_id": design.id,
        "order_id": order.id,
        "key_id": key.id,
        "delivery_id": delivery.id,
        "account_id": target.id,
        "brand_id": brand.id,
    }
    return Member(email, owner.id, brand.id), ids


def _url(rule: Rule, ids: dict[str, str]) -> str:
    values = {arg: ids.get(arg, "unknown") for arg in rule.arguments}
    path = rule.rule
    for arg, value in values.items():
        path = path.replace(f"<{arg}>", value).replace(f"<path:{arg}>", value)
    return path


def _call(client, method: str, url: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    kwargs = {"headers": headers, "buffered": False}
    if method not in ("GET", "DELETE"):
        kwargs["json"] = {"password": PASSWORD}  # lets /account/reauth pass; others ignore it
    response = client.open(url, method=method, **kwargs)
    status = response.status_code
    body = response.get_json(silent=True) if response.is_json else None
    response.close()
    return status, body


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_permissions_on_every_route(app, role):
    owner, ids = _brand_with_everything("Acme", "owner@acme-brand.com")
    member = owner if role == "owner" else add_member(owner, f"{role}@acme-brand.com", role)
    account = db.session.get(Account, member.account_id)
    token = issue_pair(account, utcnow()).access_token
    db.session.commit()
    client = app.test_client()
    csrf = console_sign_in(client, member.email)
    granted = scopes_of(role)
    problems = []
    for rule, method, scope in _scoped_rules(app):
        console = rule.rule.startswith("/console")
        headers = {"X-CSRF-Token": csrf} if console else {"Authorization": f"Bearer {token}"}
        status, body = _call(client, method, _url(rule, ids), headers)
        error = body.get("error") if isinstance(body, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
        if scope in granted:
            if status in (401, 403) and code != "reauth_required" or status >= 500:
                problems.append(f"{role} refused {method} {rule.rule} ({status} {code})")
        elif status != 403:
            problems.append(f"{role} reached {method} {rule.rule} needing {scope} ({status})")
    assert problems == []


def test_a_foreign_brand_never_reaches_another_brands_resources(app):
    _victim, ids = _brand_with_everything("Acme", "owner@acme-brand.com")
    intruder, _own = _brand_with_everything("Other", "owner@other-brand.com")
    account = db.session.get(Account, intruder.account_id)
    token = issue_pair(account, utcnow()).access_token
    db.session.commit()
    client = app.test_client()
    csrf = console_sign_in(client, intruder.email)
    problems = []
    nowhere = dict.fromkeys(ids, "nothing_here")
    for rule, method, _scope in _scoped_rules(app):
        if not rule.arguments:
            continue  # acts on the caller's own brand
        console = rule.rule.startswith("/console")
        headers = {"X-CSRF-Token": csrf} if console else {"Authorization": f"Bearer {token}"}
        status, _body = _call(client, method, _url(rule, ids), headers)
        unknown, _ = _call(client, method, _url(rule, nowhere), headers)
        # Another brand's resource answers exactly like one that does not exist.
        if status < 400 or status != unknown:
            problems.append(f"{method} {rule.rule}: {status} for another brand, {unknown} unknown")
    assert problems == []
    db.session.expire_all()
    assert db.session.get(Brand, ids["brand_id"]).erasure_due_at is None
