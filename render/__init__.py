"""Luneo render engine: design spec in, pictures and print files out.

Pure Python (Pillow + numpy): no web framework, no database. See render/SPEC.md
for the design spec. Public API::

    preview(spec, width=1200, fmt="webp", quality=85) -> bytes
    production(spec, area_id=None, dpi=300) -> ProductionFile
    texture(spec, area_id, size_px) -> PIL.Image.Image (RGBA)
    parse_spec(spec) -> DesignSpec;  content_hash(spec) -> str
"""

from render import samples
from render.errors import SpecError
from render.output import ProductionFile, preview, production, texture
from render.spec import DesignSpec, content_hash, parse_spec

ENGINE_VERSION = "1"  # bump when output pixels change, to invalidate cached renders

__all__ = [
    "ENGINE_VERSION",
    "DesignSpec",
    "ProductionFile",
    "SpecError",
    "content_hash",
    "parse_spec",
    "preview",
    "production",
    "samples",
    "texture",
]
