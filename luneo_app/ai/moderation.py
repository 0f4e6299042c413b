"""Prompt moderation, before any generation: rules, a denylist, then OpenAI's moderation.

Refusals are :class:`PromptRefused` (422) with a code a shopper-facing widget can map to a
friendly sentence. Each refusal is counted (``luneo_ai_prompt_refusals_total``) and logged
with a short hash of the prompt, never the prompt itself.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from prometheus_client import Counter

from ..core.errors import ValidationFailed
from ..models import Brand
from .prompts import normalize_prompt, prompt_ref

log = logging.getLogger("luneo.ai")

REFUSALS = Counter(
    "luneo_ai_prompt_refusals_total", "Artwork prompts refused before generation", ["reason"]
)

MESSAGES = {
    "prompt_too_short": "Tell us a little more about the artwork you would like.",
    "prompt_too_long": "That description is a bit long; please shorten it.",
    "prompt_invalid_characters": "Please use plain words: some characters cannot be used.",
    "prompt_contains_link": "Please describe the artwork in words; links cannot be used.",
    "prompt_not_allowed": "We can't make artwork from that description. Please try different "
    "words.",
    "prompt_flagged": "We can't make artwork from that description. Please try something else.",
}

# A starting point, extended per deployment (AI_DENYLIST) and per brand (settings.denylist,
# edited on the admin's Settings page).
DEFAULT_DENYLIST = (
    "nazi",
    "swastika",
    "hitler",
    "kkk",
    "isis",
    "terrorist",
    "terrorism",
    "bomb making",
    "porn",
    "porno",
    "pornographic",
    "nude",
    "nudes",
    "naked",
    "nsfw",
    "sex",
    "sexy",
    "hentai",
    "genitals",
    "gore",
    "gory",
    "beheading",
    "decapitated",
    "suicide",
    "self harm",
    "kill yourself",
    "kys",
    "murder",
    "rape",
    "cocaine",
    "heroin",
    "meth",
    "child abuse",
)
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_LINK = re.compile(r"(https?://|www\.|\b[\w.-]+\.(com|net|org|io|ru|cn|xyz)\b)", re.I)
_BANNED_CHARS = set("<>{}\\`|^~")
_BIDI_AND_INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Cn"}


class PromptRefused(ValidationFailed):
    """A prompt that will not be sent to any generator (422, code = the reason)."""

    def __init__(self, reason: str) -> None:
        super().__init__(MESSAGES[reason], code=reason, details={"reason": reason})
        self.reason = reason


@dataclass(frozen=True)
class Verdict:
    """A prompt that passed. ``remote_checked`` is False when OpenAI's moderation could not
    be asked (no key, circuit open, outage): such prompts may only reach the procedural
    generator, which draws ornaments and the quoted words that passed the denylist."""

    remote_checked: bool


def refuse(reason: str, prompt: str, brand_id: str | None) -> PromptRefused:
    """Count and log a refusal (without the prompt) and return the error to raise."""
    REFUSALS.labels(reason).inc()
    log.warning(
        "artwork prompt refused",
        extra={
            "reason": reason,
            "brand_id": brand_id,
            "prompt_ref": prompt_ref(prompt),
            "prompt_chars": len(prompt or ""),
        },
    )
    return PromptRefused(reason)


def check_rules(prompt: str, brand: Brand) -> None:
    """Length, character and denylist rules; raises :class:`PromptRefused`."""
    cfg = current_app.config
    text = normalize_prompt(prompt)
    if len(text) < cfg["AI_PROMPT_MIN_CHARS"]:
        raise refuse("prompt_too_short", prompt, brand.id)
    if len(text) > cfg["AI_PROMPT_MAX_CHARS"]:
        raise refuse("prompt_too_long", prompt, brand.id)
    if any(ch in _BANNED_CHARS or unicodedata.category(ch) in _BIDI_AND_INVISIBLE for ch in text):
        raise refuse("prompt_invalid_characters", prompt, brand.id)
    if _LINK.search(text):
        raise refuse("prompt_contains_link", prompt, brand.id)
    if denied(text, denylist(brand)):
        raise refuse("prompt_not_allowed", prompt, brand.id)


def denylist(brand: Brand) -> list[str]:
    """Built-in terms, the deployment's ``AI_DENYLIST`` and the brand's own additions."""
    extra = current_app.config.get("AI_DENYLIST", "")
    brand_terms = (brand.settings or {}).get("denylist") or []
    if isinstance(brand_terms, str):
        brand_terms = brand_terms.split(",")
    terms = [*DEFAULT_DENYLIST, *extra.split(","), *brand_terms]
    return [t.strip() for t in terms if isinstance(t, str) and t.strip()]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.translate(_LEET)


def denied(text: str, terms: Iterable[str]) -> str | None:
    """The first denied term found in ``text`` as whole words, else None.

    Accents, case and leetspeak are folded, and letters spelled out one by one
    (``p.o.r.n``, ``a N.A.Z.I eagle``) are searched as one run of letters.
    """
    tokens = re.findall(r"[a-z0-9]+", _fold(text))
    joined, runs = _join_spelled(tokens)
    texts = (" ".join(tokens), " ".join(joined))
    for term in terms:
        t = " ".join(re.findall(r"[a-z0-9]+", _fold(term)))
        if not t:
            continue
        pattern = re.compile(rf"(?<![a-z0-9]){re.escape(t)}(?![a-z0-9])")
        if any(pattern.search(words) for words in texts):
            return term
        if any(t.replace(" ", "") in run for run in runs):
            return term
    return None


def _join_spelled(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Tokens with runs of one-letter tokens joined (``k i l l`` -> ``kill``), and the runs
    of three letters or more on their own."""
    joined: list[str] = []
    runs: list[str] = []
    run = ""
    for token in [*tokens, ""]:
        if len(token) == 1:
            run += token
            continue
        if run:
            joined.append(run)
            if len(run) >= 3:
                runs.append(run)
        run = ""
        if token:
            joined.append(token)
    return joined, runs


def check_remote(prompt: str, brand: Brand) -> Verdict:
    """OpenAI's moderation endpoint when a key is set (verdicts cached for a day)."""
    from .providers import openai_breaker, openai_client

    if not current_app.config.get("OPENAI_API_KEY"):
        return Verdict(remote_checked=False)
    kv = current_app.extensions["luneo.kv"]
    digest = hashlib.sha256(normalize_prompt(prompt).encode()).hexdigest()
    cache_key = f"luneo:ai:moderation:{digest}"
    cached = kv.get(cache_key)
    if cached == "flagged":
        raise refuse("prompt_flagged", prompt, brand.id)
    if cached == "ok":
        return Verdict(remote_checked=True)
    breaker = openai_breaker()
    if not breaker.allow():
        return Verdict(remote_checked=False)
    try:
        result = openai_client().moderations.create(
            input=prompt, model=current_app.config["OPENAI_MODERATION_MODEL"]
        )
        flagged = any(r.flagged for r in result.results)
    except Exception as exc:  # noqa: BLE001 - an outage must not block designs
        breaker.record_failure()
        log.warning(
            "moderation call failed; only the procedural generator may answer",
            extra={"error": type(exc).__name__, "brand_id": brand.id},
        )
        return Verdict(remote_checked=False)
    breaker.record_success()
    kv.set_if_absent(cache_key, "flagged" if flagged else "ok", ttl=86400)
    if flagged:
        raise refuse("prompt_flagged", prompt, brand.id)
    return Verdict(remote_checked=True)
