"""Reading a prompt: quoted words, colours and metals, motifs, style and layout."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .colour import COLOURS, METALS

MOTIF_WORDS: dict[str, tuple[str, ...]] = {
    "star": ("star", "stars", "starry", "celestial", "galaxy"),
    "sparkle": ("sparkle", "sparkles", "sparkly", "twinkle", "glitter", "magic", "shine"),
    "heart": ("heart", "hearts", "love", "valentine", "romantic", "wedding"),
    "flower": (
        "flower",
        "flowers",
        "floral",
        "rose",
        "roses",
        "blossom",
        "daisy",
        "botanical",
        "spring",
        "garden",
        "bloom",
    ),
    "leaf": ("leaf", "leaves", "laurel", "wreath", "vine", "olive", "fern", "greenery", "nature"),
    "snowflake": ("snow", "snowflake", "snowflakes", "winter", "christmas", "frost", "frozen"),
    "moon": ("moon", "moons", "crescent", "night", "lunar"),
    "sun": ("sun", "suns", "sunny", "sunburst", "summer", "sunshine"),
    "dot": ("dot", "dots", "polka", "confetti"),
    "diamond": ("diamond", "diamonds", "geometric", "deco", "gem", "jewel", "crystal"),
}
STYLE_FONTS: dict[str, tuple[str, ...]] = {
    "script": ("dancing-script", "kaushan-script"),
    "serif": ("playfair-display", "eb-garamond"),
    "modern": ("bebas-neue", "lato"),
    "vintage": ("lobster-two", "roboto-slab"),
    "hand": ("kristi", "comic-neue"),
}
STYLE_WORDS: dict[str, tuple[str, ...]] = {
    "script": ("cursive", "script", "calligraphy", "handlettered", "elegant", "flowing"),
    "serif": ("serif", "classic", "classical", "royal", "regal", "roman", "formal", "luxury"),
    "modern": ("modern", "bold", "minimal", "minimalist", "sans", "clean", "sporty"),
    "vintage": ("vintage", "retro", "rustic", "western", "old-fashioned", "diner"),
    "hand": ("handwritten", "hand-written", "childlike", "playful", "cute"),
}
_QUOTED = re.compile(
    r"[\"“”„«»]([^\"“”„«»\n]{1,40})[\"“”„«»]|(?<![\w])['‘’]([^'‘’\n]{1,40}?)['‘’](?![\w])"
)
_WORD = re.compile(r"[a-z][a-z\-]*")


@dataclass(frozen=True)
class Brief:
    """What a prompt asks for, as the generator understood it."""

    words: tuple[str, ...]
    inks: tuple[str, ...]  # colour or metal names, in the order the prompt gives them
    motifs: tuple[str, ...]
    style: str | None
    layout: str  # text | monogram | pattern | emblem
    frame: bool
    scale: float  # motif size: 0.7 "small", 1 normal, 1.35 "big"


def read_prompt(prompt: str) -> Brief:
    """Parse ``prompt`` into a :class:`Brief` (quoted words keep their case)."""
    text = unicodedata.normalize("NFKC", prompt or "")
    words = []
    for match in _QUOTED.finditer(text):
        word = " ".join((match.group(1) or match.group(2) or "").split())
        if word:
            words.append(word)
    rest = _QUOTED.sub(" ", text).lower()
    found: list[tuple[int, str]] = []
    taken = rest
    for name in sorted([*METALS, *COLOURS], key=len, reverse=True):
        for m in re.finditer(rf"(?<![a-z]){re.escape(name)}(?![a-z])", taken):
            found.append((m.start(), name))
            taken = taken[: m.start()] + " " * len(name) + taken[m.end() :]
    inks = tuple(dict.fromkeys(name for _, name in sorted(found)))
    tokens = set(_WORD.findall(rest))
    motifs = tuple(m for m, syn in MOTIF_WORDS.items() if tokens & set(syn))
    style = next((s for s, syn in STYLE_WORDS.items() if tokens & set(syn)), None)
    joined = "".join(words).replace(" ", "")
    initials = len(words) == 1 and 1 <= len(joined) <= 3 and joined.isalpha() and joined.isupper()
    if words and (initials or tokens & {"monogram", "initials", "initial"}):
        layout = "monogram"
    elif words:
        layout = "text"
    elif tokens & {"pattern", "repeat", "repeating", "seamless", "tile", "wallpaper"}:
        layout = "pattern"
    else:
        layout = "emblem"
    scale = 0.7 if tokens & {"small", "tiny", "little", "subtle"} else 1.0
    scale = 1.35 if tokens & {"big", "large", "huge", "giant"} else scale
    frame = bool(tokens & {"frame", "framed", "border", "badge", "label", "crest"})
    return Brief(tuple(words[:3]), inks, motifs, style, layout, frame, scale)
