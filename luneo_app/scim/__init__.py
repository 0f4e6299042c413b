"""SCIM 2.0 (RFC 7643 / 7644) at ``/scim/v2``: the brand's identity provider creates,
changes and removes its members (Users) and the groups that give their roles (Groups)."""
