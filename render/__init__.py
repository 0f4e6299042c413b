"""Luneo render engine: design spec in, pictures and print files out.

Pure Python (Pillow + numpy): no web framework, no database. See render/SPEC.md
for the design spec. Public API::

    preview(spec, width=1200, fmt="webp", quality=85) -> bytes
    production(spec, area_id=None, dpi=None) -> ProductionFile (files per print profile)
    preflight.check(design) -> [Finding]
    texture(spec, area_id, size_px) -> PIL.Image.Image (RGBA)
    parse_spec(spec) -> DesignSpec;  content_hash(spec) -> str
"""

from render import engrave, preflight, samples
from render.errors import SpecError
from render.output import ProductionFile, preview, production, texture
from render.spec import DesignSpec, content_hash, parse_spec

ENGINE_VERSION = "3"  # bump when output pixels change, to invalidate cached renders

__all__ = [
    "ENGINE_VERSION",
    "DesignSpec",
    "ProductionFile",
    "SpecError",
    "content_hash",
    "engrave",
    "parse_spec",
    "preview",
    "preflight",
    "production",
    "samples",
    "texture",
]
