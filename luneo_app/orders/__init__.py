"""Orders: designs linked to store orders, their production files and the write-back.

``orders/create|updated|cancelled`` webhooks (:mod:`.shopify_handlers`) and ``POST
/v1/orders`` (:mod:`.routes`) both go through :func:`.intake.sync_order`. Production is
queued once per design (:mod:`.production`), each order is packaged once (:mod:`.tasks`:
stable file names, a zip, the write-back to the store, ``order.production_ready``), and
closed orders' files are removed after the retention period (:mod:`.retention`).
"""

from typing import Any


def init_app(app: Any) -> None:
    """React to the design lifecycle: a design done (files ready, or failed) may complete
    the orders waiting on it (:func:`.production.on_design_changed`); a failed design
    retried by support reopens its order lines (:func:`.production.on_design_retried`)."""
    from ..designs import lifecycle
    from . import production

    lifecycle.changed.connect(production.on_design_changed)
    # Support's retry of a failed design reopens the order lines that failed with it.
    lifecycle.changing.connect(production.on_design_retried)
    lifecycle.changed.connect(production.on_design_back_in_line)
