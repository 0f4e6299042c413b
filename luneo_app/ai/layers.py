"""AI layers of a design: ``{"type": "ai", "printArea": "front", "prompt": "...", "seed": 1}``.

An AI layer is placed like an image layer (``x``, ``y``, ``scale``, ``rotation``,
``opacity``, ``material``). Once its artwork exists the layer also carries ``artworkKey``
and ``artworkProvider`` (written by Luneo, never taken from callers), and the spec builder
hands the renderer an image layer with the artwork's bytes.
"""

from __future__ import annotations

import copy
import io
from typing import Any

from PIL import Image

from ..core.errors import ValidationFailed
from .prompts import normalize_prompt

MAX_AI_LAYERS = 1
MAX_SEED = 2**31 - 1
PLACEMENT_KEYS = ("x", "y", "scale", "rotation", "opacity", "material", "crop", "slot")
OUTPUT_KEYS = ("artworkKey", "artworkProvider", "artworkUrl")
_ALLOWED = {"type", "printArea", "prompt", "seed", "optionId", *PLACEMENT_KEYS}


def is_ai(layer: Any) -> bool:
    """Whether a stored or requested layer is an AI layer."""
    return isinstance(layer, dict) and layer.get("type") == "ai"


def ai_layers(layers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The AI layers of a design, in paint order."""
    return [layer for layer in layers if is_ai(layer)]


def prepare_layers(
    template: dict[str, Any], layers: list[dict[str, Any]], prompt: str | None
) -> list[dict[str, Any]]:
    """Requested layers with AI layers checked and cleaned; raises ``ValidationFailed``.

    A top-level ``prompt`` without an AI layer becomes one, on the print area of the
    template's AI option (else the first print area).
    """
    problems: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    for index, layer in enumerate(layers):
        if not is_ai(layer):
            out.append(layer)
            continue
        where = f"layers[{index}]"
        clean = {k: copy.deepcopy(v) for k, v in layer.items() if k in _ALLOWED}
        unknown = sorted(set(layer) - _ALLOWED - set(OUTPUT_KEYS))
        if unknown:
            problems[where] = "unknown fields: " + ", ".join(unknown)
        text = clean.get("prompt")
        if not isinstance(text, str) or not text.strip():
            problems[f"{where}.prompt"] = "describe the artwork in words"
        seed = clean.setdefault("seed", 0)
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
            problems[f"{where}.seed"] = f"seed must be a whole number 0..{MAX_SEED}"
        out.append(clean)
    found = ai_layers(out)
    if prompt and not found:
        out.append({"type": "ai", "printArea": _ai_area(template), "prompt": prompt, "seed": 0})
    elif prompt and any(layer.get("prompt") != prompt for layer in found):
        problems["prompt"] = "give the prompt either on the AI layer or at the top, not both"
    if len(ai_layers(out)) > MAX_AI_LAYERS:
        problems["layers"] = f"at most {MAX_AI_LAYERS} AI layer per design"
    if ai_layers(out) and not _ai_offered(template):
        problems["layers"] = "this product does not offer AI artwork"
    if problems:
        raise ValidationFailed(
            "The AI artwork request is not valid.", code="invalid_ai_layer", details=problems
        )
    return out


def _ai_area(template: dict[str, Any]) -> str | None:
    for option in template.get("options") or []:
        if option.get("type") == "ai" and option.get("printArea"):
            return option["printArea"]
    areas = template.get("printAreas") or []
    return areas[0].get("id") if areas else None


def _ai_offered(template: dict[str, Any]) -> bool:
    options = template.get("options") or []
    return not options or any(o.get("type") == "ai" for o in options)


def design_prompt(layers: list[dict[str, Any]]) -> str | None:
    """The prompt a design asked for (kept on the design row), if any."""
    found = ai_layers(layers)
    return found[0].get("prompt") if found else None


def fingerprint(layers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the AI layers contribute to a design's content hash (not Luneo's outputs)."""
    return [
        {
            "prompt": normalize_prompt(layer.get("prompt") or ""),
            "seed": layer.get("seed", 0),
            "printArea": layer.get("printArea"),
        }
        for layer in ai_layers(layers)
    ]


def spec_layer(layer: dict[str, Any], image: bytes) -> dict[str, Any]:
    """The image layer the render engine draws for an AI layer."""
    out = {k: copy.deepcopy(layer[k]) for k in PLACEMENT_KEYS if k in layer}
    out.update({"type": "image", "printArea": layer.get("printArea"), "image": image})
    return out


def without_artwork(layer: Any) -> Any:
    """A layer without Luneo's artwork fields (what a caller may send back)."""
    if not is_ai(layer):
        return layer
    return {k: v for k, v in layer.items() if k not in OUTPUT_KEYS}


def public_layers(layers: list[dict[str, Any]], storage: Any, ttl: int) -> list[dict[str, Any]]:
    """Layers as the API shows them: AI layers carry a signed ``artworkUrl`` of their
    artwork instead of its storage key."""
    out = []
    for layer in layers:
        if is_ai(layer) and layer.get("artworkKey"):
            shown = without_artwork(layer)
            shown["artworkProvider"] = layer.get("artworkProvider")
            shown["artworkUrl"] = storage.url(layer["artworkKey"], ttl)
            out.append(shown)
        else:
            out.append(layer)
    return out


def without_ai_price(template: dict[str, Any]) -> dict[str, Any]:
    """The template with its AI options priced at nothing (for procedural patterns)."""
    options = [
        {**o, "priceCents": 0} if isinstance(o, dict) and o.get("type") == "ai" else o
        for o in template.get("options") or []
    ]
    return {**template, "options": options}


def provider_of(layers: list[dict[str, Any]]) -> str | None:
    """Which provider made the design's artwork (``openai`` / ``procedural``), if any yet."""
    for layer in ai_layers(layers):
        if layer.get("artworkProvider"):
            return str(layer["artworkProvider"])
    return None


def _placeholder() -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (4, 4), (0, 0, 0, 0)).save(buf, "PNG")
    return buf.getvalue()


PLACEHOLDER_PNG = _placeholder()  # stands in for artwork not made yet, when checking a spec
