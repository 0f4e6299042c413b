"""Luneo's rows as SCIM resources and back, with scim2-models: an ``Account`` is a User
(with the enterprise extension declared), a ``ScimGroup`` a Group. Also the service
provider's discovery documents and the translation of filters into SQL."""

from __future__ import annotations

from typing import Any

from flask import current_app
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Email,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    GroupMember,
    GroupMembership,
    Meta,
    Name,
    Patch,
    ResourceType,
    ScimFilter,
    ScimPolicy,
    ServiceProviderConfig,
    Sort,
    User,
)
from scim2_models.path.expressions import (
    CompareOperator,
    Comparison,
    LogicalExpr,
    LogicalOperator,
)
from sqlalchemy import ColumnElement, and_, func

from ..models import Account, ScimGroup

ScimUser = User[EnterpriseUser]
USER_SCHEMAS = {str(User.__schema__), str(EnterpriseUser.__schema__)}
GROUP_SCHEMAS = {str(Group.__schema__)}
# Real IdPs send attributes of declared schemas that Luneo does not keep (Entra's
# "roles", Okta's "locale"): ignored. Entra's habits are accepted: a remove carrying the
# member to remove as its value, and a replace of a filtered path with no match yet.
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)


class InvalidFilter(ValueError):
    """A filter Luneo cannot answer (scimType ``invalidFilter``)."""


def base_url() -> str:
    return f"{str(current_app.config['APP_URL']).rstrip('/')}/scim/v2"


def _meta(kind: str, row: Any, version: int) -> Meta:
    return Meta(
        resource_type=kind,
        created=row.created_at,
        last_modified=row.updated_at,
        location=f"{base_url()}/{kind}s/{row.id}",
        version=f'W/"{version}"',
    )


ENTERPRISE = str(EnterpriseUser.__schema__)


def _manager_ref(value: str) -> str:
    return f"{base_url()}/Users/{value}"


def normalise_enterprise(body: dict[str, Any]) -> dict[str, Any]:
    """Accept the enterprise ``manager`` the way IdPs send it before scim2-models checks it:
    Entra sends a bare id (``"manager": "id"`` or a PATCH of ``...:User:manager`` with a
    string), Okta ``{"value": id}`` without ``$ref``. Each becomes ``{"value", "$ref"}``,
    the ``$ref`` naming our User with that id (RFC 7643 4.3). Other values are left for
    the model to refuse."""

    def fix(manager: Any) -> Any:
        if isinstance(manager, str) and manager.strip():
            return {"value": manager.strip(), "$ref": _manager_ref(manager.strip())}
        if isinstance(manager, dict) and isinstance(manager.get("value"), str):
            return {**manager, "$ref": _manager_ref(manager["value"])}
        return manager

    extension = body.get(ENTERPRISE)
    if isinstance(extension, dict) and "manager" in extension:
        body[ENTERPRISE] = {**extension, "manager": fix(extension["manager"])}
    for operation in body.get("Operations") or []:
        if not isinstance(operation, dict):
            continue
        path = str(operation.get("path") or "")
        value = operation.get("value")
        if path.lower() == f"{ENTERPRISE}:manager".lower():
            operation["value"] = fix(value)
        elif not path and isinstance(value, dict):
            if isinstance(value.get(ENTERPRISE), dict):
                normalise_enterprise(value)
            if f"{ENTERPRISE}:manager" in value:
                value[f"{ENTERPRISE}:manager"] = fix(value[f"{ENTERPRISE}:manager"])
    return body


def enterprise_of(user: ScimUser) -> dict[str, Any] | None:
    """The enterprise extension of a parsed (or patched) User as stored on the member: its
    attributes in SCIM's JSON form, the manager's ``$ref`` following its ``value``; None
    when the IdP sent none."""
    extension = user[EnterpriseUser]
    if extension is None:
        return None
    data = extension.model_dump(mode="json", exclude_none=True, by_alias=True)
    data.pop("schemas", None)
    manager = data.get("manager")
    if isinstance(manager, dict):
        if manager.get("value"):
            data["manager"] = {"value": manager["value"], "$ref": _manager_ref(manager["value"])}
        else:
            data.pop("manager")
    return data or None


def _enterprise(account: Account, manager_name: str | None) -> EnterpriseUser | None:
    data = dict(account.scim_enterprise or {})
    if not data:
        return None
    if isinstance(data.get("manager"), dict) and manager_name:
        data["manager"] = {**data["manager"], "displayName": manager_name}
    return EnterpriseUser.model_validate(data)


def user_of(account: Account, groups: list[ScimGroup], manager_name: str | None = None) -> ScimUser:
    """The SCIM User of a member (``manager_name``: the display name of the member the
    enterprise extension names as manager, when that is a member of the brand)."""
    user = ScimUser(
        id=account.id,
        external_id=account.external_id,
        user_name=account.email,
        name=Name(given_name=account.given_name or None, family_name=account.family_name or None),
        display_name=account.name or None,
        active=account.status == "active",
        emails=[Email(value=account.email, primary=True, type=Email.Type.work)],
        groups=[
            GroupMembership(value=g.id, display=g.display_name, ref=f"{base_url()}/Groups/{g.id}")
            for g in groups
        ]
        or None,
    )
    user[EnterpriseUser] = _enterprise(account, manager_name)
    user.meta = _meta("User", account, account.session_epoch or 0)
    return user


def group_of(group: ScimGroup) -> Group:
    """The SCIM Group of a group and its members."""
    resource = Group(
        id=group.id,
        external_id=group.external_id,
        display_name=group.display_name,
        members=[
            GroupMember(value=a.id, display=a.email, ref=f"{base_url()}/Users/{a.id}")
            for a in group.members
        ]
        or None,
    )
    resource.meta = _meta("Group", group, group.version)
    return resource


def service_provider_config() -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=int(current_app.config["SCIM_MAX_RESULTS"])),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                description="A SCIM token made in the Luneo console (SSO page).",
                primary=True,
            )
        ],
    )


def resource_types() -> list[ResourceType]:
    return [ResourceType.from_resource(ScimUser), ResourceType.from_resource(Group)]


def schemas() -> list[Any]:
    return [User.to_schema(), EnterpriseUser.to_schema(), Group.to_schema()]


USER_COLUMNS = {
    "username": lambda v: func.lower(Account.email) == str(v).lower(),
    "externalid": lambda v: Account.external_id == str(v),
    "emails.value": lambda v: func.lower(Account.email) == str(v).lower(),
    "id": lambda v: Account.id == str(v),
}
GROUP_COLUMNS = {
    "displayname": lambda v: ScimGroup.display_name == str(v),
    "externalid": lambda v: ScimGroup.external_id == str(v),
    "id": lambda v: ScimGroup.id == str(v),
}


def where(model: Any, text: str | None, columns: dict[str, Any]) -> ColumnElement[bool] | None:
    """SQL for a filter of ``eq`` comparisons joined by ``and`` on the indexed attributes
    (``userName``, ``externalId``, ``emails.value``, ``displayName``, ``id``): what IdPs
    send to find a resource before creating it. Anything else is ``invalidFilter``."""
    if not text:
        return None
    try:
        node = ScimFilter[model](text).ast
    except Exception as exc:  # noqa: BLE001 - a malformed filter of any kind is a 400
        raise InvalidFilter(f"The filter does not parse: {exc}") from exc
    terms = node.terms if isinstance(node, LogicalExpr) else (node,)
    if isinstance(node, LogicalExpr) and node.op != LogicalOperator.and_:
        raise InvalidFilter("Only 'and' of 'eq' comparisons is supported.")
    clauses = []
    for term in terms:
        if not isinstance(term, Comparison) or term.op != CompareOperator.eq:
            raise InvalidFilter("Only 'eq' comparisons are supported.")
        path = term.attr_path
        key = path.attr.lower() + (f".{path.sub_attr.lower()}" if path.sub_attr else "")
        if key not in columns:
            raise InvalidFilter(f"Filtering on {path} is not supported.")
        clauses.append(columns[key](term.value))
    return and_(*clauses)
