"""Outbound webhooks: signed events to a brand's URL, retried with backoff, logged.

Other features call :func:`~.service.send_event` (``design.completed``,
``order.production_ready``, ``budget.alert``). Brands set their endpoint with
:func:`~.endpoints.configure_endpoint` (admin settings, ``flask luneo webhook-endpoint``)
and test it with ``GET /v1/webhooks/verify``.
"""

from typing import Any


def init_app(app: Any) -> None:
    """React to the design lifecycle: ``design.completed`` when its files are ready."""
    from ..designs import lifecycle
    from . import events

    lifecycle.changed.connect(events.on_design_changed)
