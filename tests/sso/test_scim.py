"""SCIM 2.0 at /scim/v2, driven by scim2-client and by raw requests shaped like Okta's and
Microsoft Entra's: create -> patch -> deactivate -> delete; groups give roles; the token of
one brand never reaches another; bad bodies are refused with SCIM errors."""

from __future__ import annotations

from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_models import EnterpriseUser, Group, Name, ScimProvider, User
from sqlalchemy import func, select

from luneo_app.extensions import db
from luneo_app.models import Account, SamlIdentityProvider
from luneo_app.scim import tokens as scim_tokens
from tests.accounts.helpers import PASSWORD, bearer
from tests.sso.conftest import make_brand

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
MEDIA = "application/scim+json"


def token_for(member) -> str:  # type: ignore[no-untyped-def]
    return scim_tokens.create(db.session.get(Account, member.account_id), "Okta").plaintext


def scim(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": MEDIA}


def map_groups(brand_id: str, roles: dict[str, str]) -> None:
    db.session.add(
        SamlIdentityProvider(
            realm="brand", brand_id=brand_id, metadata_xml="", idp_entity_id="", group_roles=roles
        )
    )
    db.session.commit()


def test_scim2_client_discovers_and_runs_the_user_lifecycle(app, owner):
    token = token_for(owner)
    client = WSGISCIMClient(
        app,
        base_url="http://127.0.0.1:5000/scim/v2",
        headers={"Authorization": f"Bearer {token}"},
        provider=ScimProvider(models=[User, EnterpriseUser, Group]),
    )
    client.discover()
    assert client.service_provider_config.patch.supported
    user_model = client.get_resource_model("User")
    created = client.create(
        user_model(
            user_name="grace@acme-brand.com",
            name=Name(given_name="Grace", family_name="Hopper"),
            external_id="okta-1",
            active=True,
        )
    )
    assert created.id and created.user_name == "grace@acme-brand.com"
    found = client.query(user_model, created.id)
    assert found.name.family_name == "Hopper"
    listed = client.query(user_model)
    assert listed.total_results == 2  # the owner and Grace
    client.delete(user_model, created.id)
    assert db.session.get(Account, created.id) is None


def test_okta_creates_updates_with_put_and_deactivates_with_patch(client, owner):
    token = token_for(owner)
    body = {
        "schemas": [CORE_USER],
        "userName": "lin@acme-brand.com",
        "name": {"givenName": "Lin", "familyName": "Ma"},
        "emails": [{"primary": True, "value": "lin@acme-brand.com", "type": "work"}],
        "displayName": "Lin Ma",
        "locale": "en-US",
        "externalId": "00u1",
        "groups": [],
        "password": "ignored-by-luneo",
        "active": True,
    }
    # Okta first looks the user up by userName.
    r = client.get('/scim/v2/Users?filter=userName eq "lin@acme-brand.com"', headers=scim(token))
    assert r.status_code == 200 and r.get_json()["totalResults"] == 0
    r = client.post("/scim/v2/Users", json=body, headers=scim(token))
    assert r.status_code == 201, r.get_json()
    assert r.mimetype == MEDIA and r.headers["Location"].endswith(r.get_json()["id"])
    user_id = r.get_json()["id"]
    account = db.session.get(Account, user_id)
    assert account.brand_id == owner.brand_id and account.provisioned_by == "scim"
    # The member signs in (password set by a reset in real life) and holds tokens.
    from luneo_app.accounts.passwords import hash_password

    account.password_hash = hash_password(PASSWORD)
    db.session.commit()
    pair = client.post(
        "/v1/auth/login", json={"email": "lin@acme-brand.com", "password": PASSWORD}
    ).get_json()
    assert client.get("/v1/products", headers=bearer(pair["accessToken"])).status_code == 200
    # Okta's PUT for a profile update.
    body.update(name={"givenName": "Lin", "familyName": "Ma-Smith"}, id=user_id)
    r = client.put(f"/scim/v2/Users/{user_id}", json=body, headers=scim(token))
    assert r.status_code == 200 and r.get_json()["name"]["familyName"] == "Ma-Smith"
    # Okta's PATCH active:false.
    r = client.patch(
        f"/scim/v2/Users/{user_id}",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "value": {"active": False}}],
        },
        headers=scim(token),
    )
    assert r.status_code == 200 and r.get_json()["active"] is False
    # Access and refresh tokens stop working at once.
    r = client.get("/v1/products", headers=bearer(pair["accessToken"]))
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "session_ended"
    r = client.post("/v1/auth/refresh", json={"refreshToken": pair["refreshToken"]})
    assert r.status_code == 401
    r = client.post("/v1/auth/login", json={"email": "lin@acme-brand.com", "password": PASSWORD})
    assert r.status_code == 401
    # Reactivated, then deleted.
    r = client.patch(
        f"/scim/v2/Users/{user_id}",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "path": "active", "value": True}],
        },
        headers=scim(token),
    )
    assert r.get_json()["active"] is True
    assert client.delete(f"/scim/v2/Users/{user_id}", headers=scim(token)).status_code == 204
    assert client.get(f"/scim/v2/Users/{user_id}", headers=scim(token)).status_code == 404


def test_entra_patch_habits_are_understood(client, owner):
    token = token_for(owner)
    r = client.post(
        "/scim/v2/Users",
        json={
            "schemas": [CORE_USER, ENTERPRISE],
            "externalId": "entra-guid-1",
            "userName": "sam@acme-brand.com",
            "active": True,
            "displayName": "Sam",
            "emails": [{"primary": True, "type": "work", "value": "sam@acme-brand.com"}],
            "name": {"formatted": "Sam Lee", "familyName": "Lee", "givenName": "Sam"},
            ENTERPRISE: {"department": "Print", "employeeNumber": "42", "costCenterX": "?"},
            "roles": [],
        },
        headers=scim(token),
    )
    assert r.status_code == 201, r.get_json()
    user_id = r.get_json()["id"]
    r = client.get('/scim/v2/Users?filter=externalId eq "entra-guid-1"', headers=scim(token))
    assert [u["id"] for u in r.get_json()["Resources"]] == [user_id]
    # Capitalised op, a path-less replace with dotted keys, and a boolean as a string.
    r = client.patch(
        f"/scim/v2/Users/{user_id}",
        json={
            "schemas": [PATCH],
            "Operations": [
                {"op": "Replace", "value": {"name.familyName": "Lee-Park", "active": "False"}},
                {"op": "Add", "path": "displayName", "value": "Sam Lee-Park"},
            ],
        },
        headers=scim(token),
    )
    assert r.status_code == 200, r.get_json()
    got = r.get_json()
    assert got["active"] is False and got["name"]["familyName"] == "Lee-Park"
    assert db.session.get(Account, user_id).status == "deactivated"


def test_groups_give_roles_and_membership_changes_change_them(client, owner):
    token = token_for(owner)
    map_groups(owner.brand_id, {"Luneo Admins": "admin", "Engineering": "developer"})
    ids = []
    for name in ("ana", "bo"):
        r = client.post(
            "/scim/v2/Users",
            json={"schemas": [CORE_USER], "userName": f"{name}@acme-brand.com"},
            headers=scim(token),
        )
        ids.append(r.get_json()["id"])
    assert {db.session.get(Account, i).role for i in ids} == {"viewer"}
    r = client.post(
        "/scim/v2/Groups",
        json={"schemas": [GROUP], "displayName": "Engineering", "members": [{"value": ids[0]}]},
        headers=scim(token),
    )
    assert r.status_code == 201, r.get_json()
    group_id = r.get_json()["id"]
    assert db.session.get(Account, ids[0]).role == "developer"
    r = client.get('/scim/v2/Groups?filter=displayName eq "Engineering"', headers=scim(token))
    assert r.get_json()["totalResults"] == 1
    # Entra: add a member, then remove one with a members[value eq "..."] path.
    r = client.patch(
        f"/scim/v2/Groups/{group_id}",
        json={
            "schemas": [PATCH],
            "Operations": [
                {"op": "Add", "path": "members", "value": [{"value": ids[1]}]},
                {"op": "Remove", "path": f'members[value eq "{ids[0]}"]'},
            ],
        },
        headers=scim(token),
    )
    assert r.status_code == 200, r.get_json()
    assert [m["value"] for m in r.get_json()["members"]] == [ids[1]]
    db.session.expire_all()
    assert db.session.get(Account, ids[0]).role == "viewer"
    assert db.session.get(Account, ids[1]).role == "developer"
    # Renamed to a mapped admin group: its members become admins.
    r = client.patch(
        f"/scim/v2/Groups/{group_id}",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "path": "displayName", "value": "Luneo Admins"}],
        },
        headers=scim(token),
    )
    assert r.status_code == 200
    db.session.expire_all()
    assert db.session.get(Account, ids[1]).role == "admin"
    assert client.delete(f"/scim/v2/Groups/{group_id}", headers=scim(token)).status_code == 204
    db.session.expire_all()
    assert db.session.get(Account, ids[1]).role == "viewer"


def test_pagination_and_discovery_documents(client, owner):
    token = token_for(owner)
    for n in range(5):
        client.post(
            "/scim/v2/Users",
            json={"schemas": [CORE_USER], "userName": f"u{n}@acme-brand.com"},
            headers=scim(token),
        )
    r = client.get("/scim/v2/Users?startIndex=2&count=2", headers=scim(token)).get_json()
    assert r["totalResults"] == 6 and r["startIndex"] == 2 and r["itemsPerPage"] == 2
    assert len(r["Resources"]) == 2
    schemas = client.get("/scim/v2/Schemas", headers=scim(token)).get_json()
    assert ENTERPRISE in {s["id"] for s in schemas["Resources"]}
    types = client.get("/scim/v2/ResourceTypes", headers=scim(token)).get_json()
    assert {t["name"] for t in types["Resources"]} == {"User", "Group"}
    spc = client.get("/scim/v2/ServiceProviderConfig", headers=scim(token)).get_json()
    assert spc["patch"]["supported"] is True and spc["filter"]["supported"] is True


def test_bad_input_is_refused_with_scim_errors_and_nothing_is_written(client, owner):
    token = token_for(owner)
    users = lambda: db.session.scalar(select(func.count()).select_from(Account))  # noqa: E731
    before = users()
    cases = [
        (
            {"schemas": [CORE_USER], "userName": "x@acme-brand.com", "active": 5},
            400,
            "invalidValue",
        ),
        (
            {"schemas": [CORE_USER, "urn:evil:schema"], "userName": "y@acme-brand.com"},
            400,
            "invalidSyntax",
        ),
        (
            {"schemas": [CORE_USER], "userName": "z@acme-brand.com", "urn:evil:ext": {"a": 1}},
            400,
            "invalidSyntax",
        ),
        ({"schemas": [CORE_USER], "userName": "not-an-email"}, 400, "invalidValue"),
        ({"schemas": [CORE_USER], "userName": owner.email}, 409, "uniqueness"),
    ]
    for body, status, scim_type in cases:
        r = client.post("/scim/v2/Users", json=body, headers=scim(token))
        assert r.status_code == status, (body, r.get_json())
        assert r.get_json()["scimType"] == scim_type, r.get_json()
        assert r.get_json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    r = client.get('/scim/v2/Users?filter=userName co "a"', headers=scim(token))
    assert r.status_code == 400 and r.get_json()["scimType"] == "invalidFilter"
    r = client.get("/scim/v2/Users?filter=userName eq", headers=scim(token))
    assert r.status_code == 400 and r.get_json()["scimType"] == "invalidFilter"
    # The owner cannot be switched off by the IdP.
    r = client.patch(
        f"/scim/v2/Users/{owner.account_id}",
        json={"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]},
        headers=scim(token),
    )
    assert r.status_code == 400 and r.get_json()["scimType"] == "mutability"
    assert users() == before
    assert db.session.get(Account, owner.account_id).status == "active"


def test_tokens_are_per_brand_and_revocable(client, owner):
    other = make_brand("Other Co", "boss@other-brand.com")
    mine, theirs = token_for(owner), token_for(other)
    r = client.get(f"/scim/v2/Users/{owner.account_id}", headers=scim(theirs))
    assert r.status_code == 404  # another brand's member is unknown
    r = client.get("/scim/v2/Users", headers=scim(theirs)).get_json()
    assert [u["userName"] for u in r["Resources"]] == ["boss@other-brand.com"]
    for header in ({}, {"Authorization": "Bearer lscim_nope"}, {"Authorization": "Basic eDp5"}):
        r = client.get("/scim/v2/Users", headers=header)
        assert r.status_code == 401 and r.mimetype == MEDIA
    db.session.expire_all()
    token_row = scim_tokens.brand_tokens(owner.brand_id)[0]
    scim_tokens.revoke(db.session.get(Account, owner.account_id), token_row.id)
    assert client.get("/scim/v2/Users", headers=scim(mine)).status_code == 401
    assert token_row.token_hash != mine and mine not in str(token_row.__dict__)


def test_the_idp_cannot_provision_past_the_plans_seats(client):
    # Free: two seats, one taken by the owner.
    owner = make_brand(name="Small Shop", owner="owner@small-shop.com", plan="free")
    token = token_for(owner)

    def create(email: str):  # type: ignore[no-untyped-def]
        body = {"schemas": [CORE_USER], "userName": email, "active": True}
        return client.post("/scim/v2/Users", json=body, headers=scim(token))

    assert create("lin@small-shop.com").status_code == 201
    r = create("max@small-shop.com")
    assert r.status_code == 402, r.get_json()
    assert r.mimetype == MEDIA and "2 team seats" in r.get_json()["detail"]
    emails = db.session.scalars(select(Account.email).where(Account.brand_id == owner.brand_id))
    assert sorted(emails) == ["lin@small-shop.com", "owner@small-shop.com"]
