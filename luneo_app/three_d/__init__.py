"""3D and AR for designs: product models, personalised GLB/USDZ jobs, the ``/ar`` API.

- :mod:`.product_model` — a product's GLB: validate, store, describe, remove (API and admin).
- :mod:`.placement` — where a print area lands on a model's print material (UV rectangle).
- :mod:`.ar_files` — bake a design's GLB and USDZ, cached by texture hash.
- :mod:`.tasks` — the ``3d`` queue job, its reactions to the design lifecycle (AR files
  after a preview, the GLB in the production set), and ``/ar`` status.
- :mod:`.routes` — ``/v1/products/{id}/model`` and ``/v1/designs/{id}/ar``.
- :mod:`.demo` — ``/3d/demo`` (demo mode): the demo mug in 2D, 3D and AR.

The widget side is ``widget/three-d.js`` (served at ``/widget/three-d.js``), which loads the
vendored ``<model-viewer>`` only when a 3D tab opens.

The engine itself is ``render.three_d`` (pure); this package only feeds it stored bytes.
"""

from typing import Any


def init_app(app: Any) -> None:
    """React to the design lifecycle (see :func:`.tasks.on_design_changing` and
    :func:`.tasks.on_design_changed`)."""
    from ..designs import lifecycle
    from . import tasks

    lifecycle.changing.connect(tasks.on_design_changing)
    lifecycle.changed.connect(tasks.on_design_changed)
