"""Prompts as Luneo keys them: normalised text and the hash of a whole generation request."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any

_SPACES = re.compile(r"\s+")
# Quoted words: double quotes of any style, or single quotes not inside a word (mom's).
_QUOTED = re.compile(
    r"[\"“”„«»][^\"“”„«»\n]{1,80}[\"“”„«»]|(?<![\w])['‘’][^'‘’\n]{1,80}?['‘’](?![\w])"
)


def normalize_prompt(prompt: str) -> str:
    """NFKC, single spaces, lower case outside quotes ('Jessica' keeps its capital).

    Two prompts that differ only in spacing or the case of ordinary words ask for the same
    artwork, so they share a cache entry.
    """
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", prompt or "")).strip()
    out, last = [], 0
    for match in _QUOTED.finditer(text):
        out.append(text[last : match.start()].lower())
        out.append(match.group(0))
        last = match.end()
    out.append(text[last:].lower())
    return "".join(out)


def prompt_ref(prompt: str) -> str:
    """A short, non-reversible reference to a prompt for logs (never log the prompt)."""
    return hashlib.sha256(normalize_prompt(prompt).encode()).hexdigest()[:12]


def template_fingerprint(template: dict[str, Any], image_key: str | None) -> str:
    """What of a product template shapes its artwork: print areas, product look, photo."""
    doc = {
        "printAreas": template.get("printAreas") or [],
        "product": template.get("product") or {},
        "image": image_key,
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


def artwork_hash(prompt: str, seed: int, area_id: str, template_hash: str) -> str:
    """The cache key of one generation: normalised prompt + options + product template."""
    doc = {
        "v": 1,
        "prompt": normalize_prompt(prompt),
        "seed": seed,
        "area": area_id,
        "template": template_hash,
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()
