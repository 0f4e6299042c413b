"""AI artwork: moderation, providers (OpenAI images and the offline procedural generator),
the circuit breaker, the artwork cache, costs and budget caps.

Designs call :func:`layers.prepare_layers` and :func:`service.plan_generation` when they
are created; the ``ai`` queue's job (``designs/artwork.py``) calls :func:`service.make_artwork`.
This package imports nothing of ``designs``. Staff read costs at ``GET /v1/admin/ai/costs``.
"""
