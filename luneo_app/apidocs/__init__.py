"""The self-describing API: shared schemas of the OpenAPI document, the spec's finishing
touches, ``flask luneo openapi`` and the offline ``/docs`` page."""
