"""OpenAI images through the official SDK: an edit of the product photo, masked to the print
area, so the artwork is drawn where it can be made; then the area is cut back out."""

from __future__ import annotations

import base64
import binascii
import io
import logging
from collections.abc import Mapping
from typing import Any

import openai

from .canvas import cut_area, edit_canvas
from .providers import Artwork, ArtworkRequest, ProviderFailed, ProviderRefused

log = logging.getLogger("luneo.ai")

# What the model is asked, around the shopper's own words.
INSTRUCTIONS = (
    "Design print-ready artwork that fills only the transparent (masked) print area of this "
    "product photo. Keep the rest of the photo unchanged. Flat, crisp artwork suitable for "
    "printing or engraving; no mockup, no extra text beyond what is quoted. Artwork: {prompt}"
)
_REFUSAL_CODES = {"moderation_blocked", "content_policy_violation", "safety_violation"}


class OpenAIProvider:
    """Paid provider: one ``images.edit`` call per artwork (the SDK retries transient errors)."""

    name = "openai"
    paid = True

    def __init__(self, client: Any, config: Mapping[str, Any]) -> None:
        self.client = client
        self.model = config["OPENAI_MODEL"]
        self.quality = config.get("OPENAI_IMAGE_QUALITY") or "medium"

    def generate(self, request: ArtworkRequest) -> Artwork:
        """Edit the framed product photo inside the print area's mask; raises
        :class:`ProviderRefused` when OpenAI's safety system refuses the prompt and
        :class:`ProviderFailed` for everything else that went wrong."""
        canvas = edit_canvas(
            request.product_image,
            request.area,
            request.product_background,
            aspect=max(request.width, 1) / max(request.height, 1),
        )
        extra: dict[str, Any] = {}
        if request.safety_id:
            extra["safety_identifier"] = request.safety_id
        try:
            response = self.client.images.edit(
                model=self.model,
                image=("product.png", canvas.image_png, "image/png"),
                mask=("mask.png", canvas.mask_png, "image/png"),
                prompt=INSTRUCTIONS.format(prompt=request.prompt),
                size=canvas.size_param,
                quality=self.quality,
                n=1,
                **extra,
            )
        except openai.BadRequestError as exc:
            if _error_code(exc) in _REFUSAL_CODES:
                raise ProviderRefused(_error_code(exc)) from exc
            raise ProviderFailed(f"bad request: {_error_code(exc) or exc.status_code}") from exc
        except openai.APIStatusError as exc:
            raise ProviderFailed(f"HTTP {exc.status_code}") from exc
        except (openai.APIConnectionError, openai.APITimeoutError) as exc:
            raise ProviderFailed(type(exc).__name__) from exc
        except openai.OpenAIError as exc:
            raise ProviderFailed(type(exc).__name__) from exc
        png = _first_image(response)
        try:
            art = cut_area(png, canvas, long_side=max(request.width, request.height))
        except (OSError, ValueError) as exc:  # PIL: not a picture we can read
            raise ProviderFailed("the answer's image cannot be read") from exc
        buf = io.BytesIO()
        art.save(buf, "PNG", compress_level=1)
        usage = getattr(response, "usage", None)
        return Artwork(
            png=buf.getvalue(),
            width=art.width,
            height=art.height,
            provider=self.name,
            model=self.model,
            images=1,
            tokens_in=int(getattr(usage, "input_tokens", 0) or 0),
            tokens_out=int(getattr(usage, "output_tokens", 0) or 0),
            details={"size": canvas.size_param, "quality": self.quality},
        )


def _first_image(response: Any) -> bytes:
    data = getattr(response, "data", None) or []
    b64 = getattr(data[0], "b64_json", None) if data else None
    if not b64:
        raise ProviderFailed("the answer carried no image")
    try:
        return base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProviderFailed("the answer's image is not valid base64") from exc


def _error_code(exc: openai.APIStatusError) -> str | None:
    body = exc.body if isinstance(exc.body, dict) else {}
    err = body.get("error", body) if isinstance(body, dict) else {}
    code = err.get("code") if isinstance(err, dict) else None
    return str(code) if code else getattr(exc, "code", None)
