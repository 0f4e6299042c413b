"""Brand accounts: sign-up, sign-in, tokens, invitations, two-factor, the brand's erasure.

The JSON API lives at ``/v1/auth`` (token pair for API clients) and ``/v1/brands/{id}/data``;
the console (``luneo_app.console``) uses the same services with cookie sessions.
"""

from __future__ import annotations

from flask import Flask


def init_accounts(app: Flask) -> None:
    """Register the account routes and the access-token verifier."""
    from ..auth.principal import register_verifier
    from .routes import bp, data_bp
    from .tokens import user_principal

    app.register_blueprint(bp)
    app.register_blueprint(data_bp)
    register_verifier(user_principal)
