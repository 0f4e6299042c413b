"""``/scim/v2``: SCIM 2.0 (RFC 7644) for the brand's identity provider, authenticated by the
brand's SCIM bearer token. Bodies are parsed and written with scim2-models; errors are SCIM
error bodies (``application/scim+json``) with ``scimType``."""

from __future__ import annotations

import json
import logging
from typing import Any

from apiflask import APIBlueprint
from flask import Response, g, request
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    Group,
    ListResponse,
    PatchOp,
    SCIMException,
)
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from ..core.errors import LuneoError
from ..extensions import db
from ..models import Account, ScimGroup
from . import resources, service
from . import tokens as scim_tokens
from .resources import GROUP_SCHEMAS, POLICY, USER_SCHEMAS, InvalidFilter, ScimUser

bp = APIBlueprint("scim", __name__, url_prefix="/scim/v2", enable_openapi=False)
log = logging.getLogger("luneo.scim")
MEDIA = "application/scim+json"
SCIM_TYPES = {
    "uniqueness": "uniqueness",
    "mutability": "mutability",
    "invalid_value": "invalidValue",
    "invalid_filter": "invalidFilter",
    "invalid_syntax": "invalidSyntax",
}


def _json(body: Any, status: int = 200, location: str | None = None) -> Response:
    response = Response(json.dumps(body, default=str), status=status, mimetype=MEDIA)
    if location:
        response.headers["Location"] = location
    return response


def _error(status: int, detail: str, scim_type: str | None = None) -> Response:
    body: dict[str, Any] = {"schemas": [str(Error.__schema__)], "status": str(status)}
    if scim_type:
        body["scimType"] = scim_type
    body["detail"] = detail
    return _json(body, status)


@bp.before_request
def _authenticate() -> Response | None:
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    brand_id = scim_tokens.brand_of(presented.strip()) if scheme.lower() == "bearer" else None
    if brand_id is None:
        log.info("scim token refused", extra={"ip": request.remote_addr})
        response = _error(401, "A valid SCIM bearer token of the brand is required.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="Luneo SCIM"'
        return response
    g.scim_brand = brand_id
    return None


@bp.errorhandler(LuneoError)
def _luneo_error(exc: LuneoError) -> Response:
    db.session.rollback()
    status = 400 if exc.code == "mutability" or exc.status == 422 else exc.status
    if exc.code == "uniqueness":
        status = 409
    return _error(
        status, exc.message, SCIM_TYPES.get(exc.code, "invalidValue" if status == 400 else None)
    )


@bp.errorhandler(SCIMException)
def _scim_error(exc: SCIMException) -> Response:
    db.session.rollback()
    status = int(getattr(exc, "status", 400) or 400)
    return _error(status, str(getattr(exc, "detail", None) or exc), getattr(exc, "scim_type", None))


@bp.errorhandler(ValidationError)
def _invalid(exc: ValidationError) -> Response:
    db.session.rollback()
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    scim_type = "invalidValue"
    if first.get("ctx", {}).get("scim_type"):
        scim_type = first["ctx"]["scim_type"]
    return _error(400, f"{where}: {first.get('msg', 'invalid')}", scim_type)


@bp.errorhandler(InvalidFilter)
def _bad_filter(exc: InvalidFilter) -> Response:
    return _error(400, str(exc), "invalidFilter")


@bp.errorhandler(HTTPException)
def _http(exc: HTTPException) -> Response:
    return _error(exc.code or 500, exc.description or exc.name)


def _load(declared: set[str], extra: set[str] | None = None) -> dict[str, Any]:
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise LuneoError("The body must be a JSON object.", code="invalid_syntax")
    schemas = body.get("schemas")
    if not isinstance(schemas, list) or not schemas:
        raise LuneoError("schemas is required.", code="invalid_syntax")
    unknown = {str(s) for s in schemas} - declared - (extra or set())
    if unknown:
        raise LuneoError(f"Undeclared schema: {', '.join(sorted(unknown))}.", code="invalid_syntax")
    for key in body:
        if ":" in key and key not in declared:
            raise LuneoError(f"Undeclared schema extension: {key}.", code="invalid_syntax")
    return body


def _page(model: Any, query: Any, serialize: Any) -> Response:
    try:
        start = max(1, int(request.args.get("startIndex", 1)))
        limit = int(request.args.get("count", current_max()))
    except ValueError:
        return _error(400, "startIndex and count must be integers.", "invalidValue")
    limit = min(max(0, limit), current_max())
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = list(db.session.scalars(query.offset(start - 1).limit(limit))) if limit else []
    page = ListResponse[model](
        total_results=total,
        start_index=start,
        items_per_page=len(rows),
        resources=[serialize(r) for r in rows],
    )
    body = page.model_dump(scim_ctx=Context.SEARCH_RESPONSE)
    body.setdefault("Resources", [])
    return _json(body)


def current_max() -> int:
    from flask import current_app

    return int(current_app.config["SCIM_MAX_RESULTS"])


# ----------------------------------------------------------------------------- discovery
@bp.get("/ServiceProviderConfig")
def service_provider_config() -> Response:
    return _json(
        resources.service_provider_config().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    )


@bp.get("/ResourceTypes")
def resource_types() -> Response:
    items = [
        r.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE) for r in resources.resource_types()
    ]
    return _json(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": len(items),
            "startIndex": 1,
            "itemsPerPage": len(items),
            "Resources": items,
        }
    )


@bp.get("/Schemas")
def schemas() -> Response:
    items = [s.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE) for s in resources.schemas()]
    return _json(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": len(items),
            "startIndex": 1,
            "itemsPerPage": len(items),
            "Resources": items,
        }
    )


# ----------------------------------------------------------------------------- users
def _user_json(row: Account, status: int = 200) -> Response:
    user = _user_of(row)
    return _json(
        user.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE), status, user.meta.location
    )


def _user_of(row: Account) -> ScimUser:
    return resources.user_of(row, service.groups_of(row.id), service.manager_name(row))


def _parse_user(context: Context) -> ScimUser:
    body = resources.normalise_enterprise(_load(USER_SCHEMAS))
    return ScimUser.model_validate(body, scim_ctx=context, scim_policy=POLICY)


@bp.get("/Users")
def list_users() -> Response:
    query = select(Account).where(Account.brand_id == g.scim_brand, Account.status != "invited")
    clause = resources.where(ScimUser, request.args.get("filter"), resources.USER_COLUMNS)
    if clause is not None:
        query = query.where(clause)
    return _page(
        ScimUser,
        query.order_by(Account.created_at, Account.id),
        _user_of,
    )


@bp.post("/Users")
def create_user() -> Response:
    user = _parse_user(Context.RESOURCE_CREATION_REQUEST)
    return _user_json(service.create_user(g.scim_brand, user), 201)


@bp.get("/Users/<user_id>")
def get_user(user_id: str) -> Response:
    return _user_json(service.account(g.scim_brand, user_id))


@bp.put("/Users/<user_id>")
def replace_user(user_id: str) -> Response:
    row = service.account(g.scim_brand, user_id)
    user = _parse_user(Context.RESOURCE_REPLACEMENT_REQUEST)
    return _user_json(service.replace_user(row, user, "put"))


@bp.patch("/Users/<user_id>")
def patch_user(user_id: str) -> Response:
    row = service.account(g.scim_brand, user_id)
    body = resources.normalise_enterprise(_load({str(PatchOp.__schema__)}))
    patch = PatchOp[ScimUser].model_validate(
        body, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=POLICY
    )
    current = _user_of(row)
    current.groups = None  # read-only here: membership changes go through /Groups
    patch.patch(current, scim_policy=POLICY)
    return _user_json(service.replace_user(row, current, "patch"))


@bp.delete("/Users/<user_id>")
def delete_user(user_id: str) -> Response:
    service.delete_user(service.account(g.scim_brand, user_id))
    return Response(status=204)


# ----------------------------------------------------------------------------- groups
def _group_json(row: ScimGroup, status: int = 200) -> Response:
    resource = resources.group_of(row)
    return _json(
        resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE),
        status,
        resource.meta.location,
    )


def _member_ids(resource: Group) -> list[str]:
    return [m.value for m in resource.members or [] if m.value]


@bp.get("/Groups")
def list_groups() -> Response:
    query = select(ScimGroup).where(ScimGroup.brand_id == g.scim_brand)
    clause = resources.where(Group, request.args.get("filter"), resources.GROUP_COLUMNS)
    if clause is not None:
        query = query.where(clause)
    return _page(Group, query.order_by(ScimGroup.created_at, ScimGroup.id), resources.group_of)


@bp.post("/Groups")
def create_group() -> Response:
    resource = Group.model_validate(
        _load(GROUP_SCHEMAS), scim_ctx=Context.RESOURCE_CREATION_REQUEST, scim_policy=POLICY
    )
    row = service.save_group(
        g.scim_brand,
        None,
        resource.display_name,
        resource.external_id,
        _member_ids(resource),
        "created",
    )
    return _group_json(row, 201)


@bp.get("/Groups/<group_id>")
def get_group(group_id: str) -> Response:
    return _group_json(service.group(g.scim_brand, group_id))


@bp.put("/Groups/<group_id>")
def replace_group(group_id: str) -> Response:
    row = service.group(g.scim_brand, group_id)
    resource = Group.model_validate(
        _load(GROUP_SCHEMAS), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST, scim_policy=POLICY
    )
    row = service.save_group(
        g.scim_brand,
        row,
        resource.display_name,
        resource.external_id,
        _member_ids(resource),
        "replaced",
    )
    return _group_json(row)


@bp.patch("/Groups/<group_id>")
def patch_group(group_id: str) -> Response:
    row = service.group(g.scim_brand, group_id)
    patch = PatchOp[Group].model_validate(
        _load({str(PatchOp.__schema__)}),
        scim_ctx=Context.RESOURCE_PATCH_REQUEST,
        scim_policy=POLICY,
    )
    current = resources.group_of(row)
    patch.patch(current, scim_policy=POLICY)
    row = service.save_group(
        g.scim_brand,
        row,
        current.display_name,
        current.external_id,
        _member_ids(current),
        "patched",
    )
    return _group_json(row)


@bp.delete("/Groups/<group_id>")
def delete_group(group_id: str) -> Response:
    service.delete_group(service.group(g.scim_brand, group_id))
    return Response(status=204)
