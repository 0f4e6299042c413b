"""The scheduled refresh of identity-provider metadata given by URL.

IdPs rotate their signing certificates and publish the new one in their metadata (Entra
and Okta both do, ahead of the switch). Every ``SAML_METADATA_REFRESH_INTERVAL`` seconds
each provider with a ``metadata_url`` is fetched again through the same SSRF guard as at
set-up (:func:`.metadata.fetch`: https, public addresses, size and time limits) and
checked by :func:`.metadata.parse`. A failure keeps the last good metadata in use and is
recorded on the provider (shown on the console's SSO page) and retried at the next tick;
a document naming another IdP entity id is refused, since trusting it would hand the
brand's sign-in to someone else.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from flask import current_app
from sqlalchemy import or_, select

from ..audit import record
from ..core.clock import utcnow
from ..extensions import db
from ..models import SamlIdentityProvider
from . import metadata

log = logging.getLogger("luneo.sso")


def _due() -> list[str]:
    interval = int(current_app.config["SAML_METADATA_REFRESH_INTERVAL"])
    before = utcnow() - timedelta(seconds=interval)
    return list(
        db.session.scalars(
            select(SamlIdentityProvider.id)
            .where(
                SamlIdentityProvider.metadata_url.is_not(None),
                or_(
                    SamlIdentityProvider.metadata_fetched_at.is_(None),
                    SamlIdentityProvider.metadata_fetched_at < before,
                ),
            )
            .order_by(SamlIdentityProvider.id)
        )
    )


def refresh(provider_id: str) -> bool:
    """Fetch one provider's metadata again; True when the new document is in use. Commits
    (the new metadata, or the failure with the last good metadata kept)."""
    provider = db.session.get(SamlIdentityProvider, provider_id)
    if provider is None or not provider.metadata_url:
        return False
    try:
        parsed = metadata.parse(metadata.fetch(provider.metadata_url))
        if provider.idp_entity_id and parsed.entity_id != provider.idp_entity_id:
            raise metadata.MetadataRefused(
                "The metadata now names another identity provider; set single sign-on up "
                "again to trust it."
            )
    except metadata.MetadataRefused as exc:
        provider.metadata_refresh_failed_at = utcnow()
        provider.metadata_refresh_error = exc.message[:500]
        log.warning(
            "idp metadata refresh failed",
            extra={"provider": provider.id, "realm": provider.realm, "reason": exc.message},
        )
        db.session.commit()
        return False
    changed = parsed.xml != provider.metadata_xml
    provider.metadata_xml = parsed.xml
    provider.metadata_fetched_at = utcnow()
    provider.metadata_refresh_failed_at = None
    provider.metadata_refresh_error = None
    if changed:
        record(
            "sso.metadata_refreshed",
            actor="system:schedule",
            brand_id=provider.brand_id,
            target_type="saml_identity_provider",
            target_id=provider.id,
            details={
                "idp": provider.idp_entity_id,
                "certificates": list(parsed.certificate_subjects),
            },
        )
    db.session.commit()
    return True


@shared_task(name="luneo.sso.refresh_idp_metadata", ignore_result=True)
def refresh_due() -> dict[str, int]:
    """The beat entry: refresh every provider whose metadata is older than the interval
    (those that failed stay due and are tried again at the next tick)."""
    done = failed = 0
    for provider_id in _due():
        if refresh(provider_id):
            done += 1
        else:
            failed += 1
    return {"refreshed": done, "failed": failed}
