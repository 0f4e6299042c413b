from apiflask import APIBlueprint

bp = APIBlueprint("scim", __name__, url_prefix="/scim/v2", enable_openapi=False)
