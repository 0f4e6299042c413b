"""The SCIM enterprise extension (RFC 7643 4.3) is kept: what Entra and Okta send
(employeeNumber, department, costCenter, organization, division, manager) comes back on
GET, in lists, after PATCH and PUT; a wrong type is refused and nothing is written."""

from __future__ import annotations

from luneo_app.extensions import db
from luneo_app.models import Account
from tests.sso.test_scim import CORE_USER, ENTERPRISE, PATCH, scim, token_for

BASE = "http://127.0.0.1:5000/scim/v2"


def create(client, token: str, email: str, extension: dict | None = None) -> str:  # type: ignore[no-untyped-def]
    body = {"schemas": [CORE_USER], "userName": email, "active": True}
    if extension is not None:
        body["schemas"].append(ENTERPRISE)
        body[ENTERPRISE] = extension
    r = client.post("/scim/v2/Users", json=body, headers=scim(token))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_entra_enterprise_attributes_are_stored_and_returned_on_get(client, owner):
    token = token_for(owner)
    boss = create(client, token, "boss@acme-brand.com")
    db.session.get(Account, boss).name = "Bea Boss"
    db.session.commit()
    user_id = create(
        client,
        token,
        "sam@acme-brand.com",
        {
            "employeeNumber": "E-042",
            "department": "Print",
            "costCenter": "CC-7",
            "organization": "Acme",
            "division": "EMEA",
            "manager": {"value": boss},
            "somethingEntraAdds": "ignored",
        },
    )
    got = client.get(f"/scim/v2/Users/{user_id}", headers=scim(token)).get_json()
    assert ENTERPRISE in got["schemas"]
    assert got[ENTERPRISE] == {
        "employeeNumber": "E-042",
        "department": "Print",
        "costCenter": "CC-7",
        "organization": "Acme",
        "division": "EMEA",
        "manager": {"value": boss, "$ref": f"{BASE}/Users/{boss}", "displayName": "Bea Boss"},
    }
    listed = client.get(
        '/scim/v2/Users?filter=userName eq "sam@acme-brand.com"', headers=scim(token)
    ).get_json()
    assert listed["Resources"][0][ENTERPRISE]["employeeNumber"] == "E-042"
    # Entra's PATCH: the manager as a bare id on the extension path, a capitalised op.
    r = client.patch(
        f"/scim/v2/Users/{user_id}",
        json={
            "schemas": [PATCH],
            "Operations": [
                {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": owner.account_id},
                {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Sales"},
            ],
        },
        headers=scim(token),
    )
    assert r.status_code == 200, r.get_json()
    db.session.expire_all()
    stored = db.session.get(Account, user_id).scim_enterprise
    assert stored["department"] == "Sales" and stored["employeeNumber"] == "E-042"
    assert stored["manager"] == {
        "value": owner.account_id,
        "$ref": f"{BASE}/Users/{owner.account_id}",
    }
    got = client.get(f"/scim/v2/Users/{user_id}", headers=scim(token)).get_json()
    assert got[ENTERPRISE]["manager"]["displayName"] == owner.email  # the owner has no name
    # Removing the manager.
    r = client.patch(
        f"/scim/v2/Users/{user_id}",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "remove", "path": f"{ENTERPRISE}:manager"}],
        },
        headers=scim(token),
    )
    assert r.status_code == 200, r.get_json()
    assert "manager" not in r.get_json()[ENTERPRISE]


def test_okta_put_replaces_the_extension_and_a_put_without_it_clears_it(client, owner):
    token = token_for(owner)
    user_id = create(client, token, "lin@acme-brand.com", {"department": "Print"})
    body = {
        "schemas": [CORE_USER, ENTERPRISE],
        "id": user_id,
        "userName": "lin@acme-brand.com",
        "active": True,
        ENTERPRISE: {"employeeNumber": "77", "manager": {"value": "00u-okta-manager"}},
    }
    r = client.put(f"/scim/v2/Users/{user_id}", json=body, headers=scim(token))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()[ENTERPRISE] == {
        "employeeNumber": "77",
        "manager": {"value": "00u-okta-manager", "$ref": f"{BASE}/Users/00u-okta-manager"},
    }
    del body[ENTERPRISE]
    body["schemas"] = [CORE_USER]
    r = client.put(f"/scim/v2/Users/{user_id}", json=body, headers=scim(token))
    assert r.status_code == 200 and ENTERPRISE not in r.get_json()
    db.session.expire_all()
    assert db.session.get(Account, user_id).scim_enterprise is None


def test_wrong_types_in_the_extension_are_refused_and_nothing_is_written(client, owner):
    token = token_for(owner)
    user_id = create(client, token, "kim@acme-brand.com", {"department": "Print"})
    for extension in ({"employeeNumber": {"not": "text"}}, {"manager": 42}, {"department": []}):
        r = client.put(
            f"/scim/v2/Users/{user_id}",
            json={
                "schemas": [CORE_USER, ENTERPRISE],
                "userName": "kim@acme-brand.com",
                ENTERPRISE: extension,
            },
            headers=scim(token),
        )
        assert r.status_code == 400, (extension, r.get_json())
        assert r.get_json()["scimType"] == "invalidValue", r.get_json()
    db.session.expire_all()
    assert db.session.get(Account, user_id).scim_enterprise == {"department": "Print"}
