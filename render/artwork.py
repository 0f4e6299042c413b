"""Procedural artwork: ornamental art drawn from a shopper's words, offline and deterministic.

This is not AI. It reads a prompt for quoted words (set as a text treatment or a monogram),
named colours and metals, motifs (stars, hearts, flowers, leaves, snowflakes, moons, suns,
waves ...) and a few style words (cursive, serif, modern, vintage, pattern, frame), then
composes patterns, frames, monograms and wreaths from :mod:`render.ornaments`.

The same prompt and seed always give the same pixels; another prompt or seed gives other
art. Output is RGBA with a transparent background, ready to print or engrave::

    generate(prompt, seed=0, size=1024) -> PIL.Image.Image  (RGBA)
    generate_png(prompt, seed=0, size=1024) -> bytes
    read_prompt(prompt) -> Brief
"""

from __future__ import annotations

import hashlib
import io
import math
import random
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from render import fonts
from render import ornaments as orn
from render.errors import SpecError
from render.spec import TextLayer
from render.text import render_text

GENERATOR = "luneo-procedural-1"  # bump when output pixels change
MAX_SIDE = 2048
SS = 2  # ornaments are drawn supersampled, then reduced: smooth edges without AA support
RGB = tuple[int, int, int]

METALS: dict[str, list[tuple[float, RGB]]] = {
    "gold": [
        (0.0, (122, 82, 22)),
        (0.42, (201, 153, 58)),
        (0.7, (240, 208, 122)),
        (0.86, (255, 240, 190)),
        (1.0, (214, 170, 80)),
    ],
    "silver": [
        (0.0, (96, 100, 108)),
        (0.45, (170, 174, 182)),
        (0.75, (228, 230, 234)),
        (0.88, (255, 255, 255)),
        (1.0, (186, 190, 198)),
    ],
    "rose gold": [
        (0.0, (128, 70, 62)),
        (0.45, (203, 137, 120)),
        (0.72, (236, 190, 172)),
        (0.88, (255, 228, 214)),
        (1.0, (212, 150, 132)),
    ],
    "copper": [
        (0.0, (102, 46, 20)),
        (0.45, (184, 100, 52)),
        (0.75, (232, 160, 108)),
        (1.0, (196, 112, 62)),
    ],
    "bronze": [
        (0.0, (86, 58, 24)),
        (0.45, (160, 112, 52)),
        (0.75, (214, 170, 104)),
        (1.0, (170, 122, 60)),
    ],
}
COLOURS: dict[str, RGB] = {
    "black": (24, 24, 28),
    "white": (250, 250, 247),
    "ivory": (244, 238, 220),
    "cream": (240, 228, 200),
    "beige": (216, 196, 160),
    "navy": (28, 42, 84),
    "blue": (40, 92, 180),
    "royal blue": (38, 70, 170),
    "sky blue": (110, 170, 226),
    "baby blue": (150, 196, 232),
    "teal": (20, 118, 122),
    "turquoise": (48, 180, 178),
    "green": (46, 130, 70),
    "emerald": (16, 122, 86),
    "forest green": (34, 84, 52),
    "sage": (140, 160, 120),
    "olive": (110, 116, 52),
    "mint": (150, 214, 180),
    "red": (196, 36, 44),
    "crimson": (170, 20, 50),
    "burgundy": (118, 24, 44),
    "maroon": (112, 28, 36),
    "pink": (232, 122, 160),
    "hot pink": (226, 40, 128),
    "blush": (232, 176, 170),
    "coral": (240, 112, 92),
    "orange": (236, 120, 36),
    "peach": (246, 170, 130),
    "yellow": (240, 196, 40),
    "mustard": (212, 164, 40),
    "purple": (110, 52, 150),
    "lavender": (170, 150, 210),
    "lilac": (196, 160, 210),
    "violet": (128, 64, 180),
    "plum": (104, 40, 90),
    "brown": (110, 70, 40),
    "chocolate": (86, 50, 30),
    "grey": (120, 122, 128),
    "gray": (120, 122, 128),
    "charcoal": (54, 56, 62),
    "rainbow": (220, 60, 90),
}
# Tasteful pairs for prompts that name no colour: (ink, ornament, accent).
PALETTES: tuple[tuple[str, str, str], ...] = (
    ("navy", "gold", "gold"),
    ("forest green", "gold", "sage"),
    ("burgundy", "rose gold", "blush"),
    ("charcoal", "copper", "copper"),
    ("teal", "gold", "coral"),
    ("black", "silver", "silver"),
)
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


def generate_png(prompt: str, seed: int = 0, size: int | tuple[int, int] = 1024) -> bytes:
    """:func:`generate` encoded as PNG bytes (lossless, deterministic)."""
    buf = io.BytesIO()
    generate(prompt, seed, size).save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def generate(prompt: str, seed: int = 0, size: int | tuple[int, int] = 1024) -> Image.Image:
    """Ornamental art for ``prompt`` as an RGBA image of ``size`` (square int, or (w, h)).

    Deterministic for a given prompt, seed and size. Raises ``SpecError('bad_value')``
    for sizes outside 16..2048 px.
    """
    w, h = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    if not (16 <= w <= MAX_SIDE and 16 <= h <= MAX_SIDE):
        raise SpecError("bad_value", f"artwork size must be 16..{MAX_SIDE} px", "size")
    brief = read_prompt(prompt)
    digest = hashlib.sha256(f"{GENERATOR}\x00{' '.join(prompt.split())}\x00{seed}".encode())
    rng = random.Random(int.from_bytes(digest.digest()[:8], "big"))
    canvas = _Canvas(w, h, brief, rng)
    if min(w, h) * 2.2 < max(w, h):
        canvas.band()
    else:
        {
            "text": canvas.text_piece,
            "monogram": canvas.monogram,
            "pattern": canvas.pattern,
            "emblem": canvas.emblem,
        }[brief.layout]()
    return canvas.paint()


class _Canvas:
    """Three coverage masks (ink for words, ornament, accent) and how to colour them."""

    def __init__(self, w: int, h: int, brief: Brief, rng: random.Random) -> None:
        self.w, self.h, self.brief, self.rng = w, h, brief, rng
        self.masks = {role: Image.new("L", (w * SS, h * SS), 0) for role in ("orn", "acc")}
        self.draw = {role: ImageDraw.Draw(m) for role, m in self.masks.items()}
        self.ink = np.zeros((h, w), np.float32)
        self.keep_out: list[tuple[float, float, float, float]] = []  # 1x boxes sprinkles avoid
        names = list(brief.inks)
        if not names:
            names = list(rng.choice(PALETTES))
        elif len(names) == 1:
            names = [names[0], names[0], names[0]]
        while len(names) < 3:
            names.append(names[-1] if names[-1] in METALS else names[0])
        self.colours = {"ink": names[0], "orn": names[1], "acc": names[2]}
        motifs = list(brief.motifs) or [rng.choice(["star", "sparkle", "dot", "diamond"])]
        self.motifs = motifs
        self.u = min(w, h) * SS  # the ornament unit: supersampled short side
        self.weight = max(2.0, self.u * 0.0075)

    # -- words -------------------------------------------------------------------

    def font(self, default: str) -> str:
        style = self.brief.style
        options = STYLE_FONTS[style] if style else (default,)
        return options[self.rng.randrange(len(options))]

    def words(
        self,
        text: str,
        box: tuple[float, float, float, float],
        font: str,
        spacing: float = 0.0,
        curve: float = 0.0,
    ) -> tuple[int, int, int, int] | None:
        """Set ``text`` fitted into the 1x ``box`` on the ink mask; returns its ink bounds."""
        text = "".join(
            ch
            for ch in fonts.clean_text(text)
            if ch not in set(fonts.missing_characters(font, text))
        ).strip()
        x0, y0, x1, y1 = (round(v) for v in box)
        if not text or x1 - x0 < 8 or y1 - y0 < 8:
            return None
        layer = TextLayer(
            print_area="art",
            text=text,
            font=font,
            letter_spacing=spacing,
            curve=curve,
            line_height=1.1,
        )
        try:
            placed = render_text(layer, (x1 - x0, y1 - y0), 1.0)
        except SpecError:
            return None
        mh, mw = placed.mask.shape
        px, py = x0 + placed.x0, y0 + placed.y0
        cx0, cy0, cx1, cy1 = max(0, px), max(0, py), min(self.w, px + mw), min(self.h, py + mh)
        if cx1 <= cx0 or cy1 <= cy0:
            return None
        sub = placed.mask[cy0 - py : cy1 - py, cx0 - px : cx1 - px]
        np.maximum(self.ink[cy0:cy1, cx0:cx1], sub, out=self.ink[cy0:cy1, cx0:cx1])
        self.keep_out.append((cx0, cy0, cx1, cy1))
        return cx0, cy0, cx1, cy1

    # -- layouts -----------------------------------------------------------------

    def text_piece(self) -> None:
        """A name (and a second line) framed, with dividers and sprinkled motifs."""
        w, h, rng = self.w, self.h, self.rng
        words = self.brief.words
        frame = rng.choice(["classic", "oval", "scallop", "none"])
        if self.brief.frame and frame == "none":
            frame = "classic"
        inset = 0.06 if frame != "none" else 0.0
        self.frame(frame, inset)
        main_h = 0.34 if len(words) == 1 else 0.28
        cy = 0.47 if len(words) > 1 else 0.5
        bounds = self.words(
            words[0],
            (w * 0.16, h * (cy - main_h / 2), w * 0.84, h * (cy + main_h / 2)),
            self.font("dancing-script"),
        )
        top, bottom = (bounds[1], bounds[3]) if bounds else (h * 0.4, h * 0.6)
        if len(words) > 1:
            sub = " · ".join(words[1:]).upper()
            line = self.words(
                sub,
                (w * 0.28, bottom + h * 0.05, w * 0.72, bottom + h * 0.13),
                "playfair-display",
                spacing=0.18,
            )
            bottom = line[3] if line else bottom
        half = self.u * 0.24
        gap = self.u * 0.05
        d = self.draw["orn"]
        orn.divider(d, w * SS / 2, top * SS - gap, half, self.weight)
        orn.divider(d, w * SS / 2, bottom * SS + gap, half, self.weight)
        self.keep_out.append(
            (w / 2 - half / SS, top - 2 * gap / SS, w / 2 + half / SS, bottom + 2 * gap / SS)
        )
        if "leaf" in self.motifs or "flower" in self.motifs:
            self.sprigs(bottom * SS + gap * 2.2)
        self.sprinkle(count=rng.randint(9, 14), margin=inset + 0.05)

    def monogram(self) -> None:
        """Initials in a double ring inside a laurel wreath."""
        w, h, u = self.w * SS, self.h * SS, self.u
        cx, cy, r = w / 2, h / 2, u * 0.30
        d = self.draw["orn"]
        orn.ring(d, cx, cy, r, self.weight * 1.6)
        orn.ring(d, cx, cy, r * 0.9, self.weight * 0.6)
        dots = 24
        for i in range(dots):
            a = 2 * math.pi * i / dots
            orn.circle(
                self.draw["acc"],
                cx + r * 1.08 * math.cos(a),
                cy + r * 1.08 * math.sin(a),
                self.weight * 0.7,
            )
        orn.wreath(self.draw["orn"], cx, cy, u * 0.42, self.weight)
        letters = "".join(self.brief.words[0].split())
        font = self.font("playfair-display")
        s, cx1, cy1 = 1 / SS, cx / SS, cy / SS
        rr = r * s * 0.86
        if len(letters) == 3:  # the classic monogram: surname initial large in the middle
            self.words(
                letters[0],
                (cx1 - rr * 0.98, cy1 - rr * 0.42, cx1 - rr * 0.36, cy1 + rr * 0.42),
                font,
            )
            self.words(
                letters[1], (cx1 - rr * 0.4, cy1 - rr * 0.78, cx1 + rr * 0.4, cy1 + rr * 0.78), font
            )
            self.words(
                letters[2],
                (cx1 + rr * 0.36, cy1 - rr * 0.42, cx1 + rr * 0.98, cy1 + rr * 0.42),
                font,
            )
        else:
            self.words(
                letters, (cx1 - rr * 0.85, cy1 - rr * 0.8, cx1 + rr * 0.85, cy1 + rr * 0.8), font
            )
        self.keep_out.append(
            ((cx - u * 0.55) * s, (cy - u * 0.55) * s, (cx + u * 0.55) * s, (cy + u * 0.55) * s)
        )
        orn.stamp(
            self.masks["acc"], self.motifs[0], cx, cy - u * 0.39, u * 0.035 * self.brief.scale
        )
        self.sprinkle(count=self.rng.randint(4, 8), margin=0.04)

    def emblem(self) -> None:
        """A rosette: outlined petals around a centre motif, rings of dots and motifs."""
        w, h, u, rng = self.w * SS, self.h * SS, self.u, self.rng
        cx, cy = w / 2, h / 2
        petals = rng.choice([10, 12, 14, 16])
        rot = rng.uniform(0, 360 / petals)
        self.rosette(cx, cy, u * 0.10, u * 0.17, petals, rot)
        orn.stamp(self.masks["acc"], self.motifs[0], cx, cy, u * 0.075)
        d = self.draw["orn"]
        orn.ring(d, cx, cy, u * 0.295, self.weight * 1.2)
        for i in range(petals * 2):
            a = math.radians(rot + (i + 0.5) * 180 / petals)
            orn.circle(
                self.draw["acc"],
                cx + u * 0.322 * math.cos(a),
                cy + u * 0.322 * math.sin(a),
                self.weight * 0.75,
            )
        ring_motif = self.motifs[1 % len(self.motifs)]
        k = rng.choice([8, 10, 12])
        for i in range(k):
            a = math.radians(i * 360 / k - 90)
            orn.stamp(
                self.masks["orn"],
                ring_motif,
                cx + u * 0.37 * math.cos(a),
                cy + u * 0.37 * math.sin(a),
                u * 0.036 * self.brief.scale,
                math.degrees(a) + 90,
            )
        if "leaf" in self.motifs or "flower" in self.motifs or rng.random() < 0.4:
            orn.wreath(self.draw["acc"], cx, cy, u * 0.445, self.weight * 0.9, span=150)
        else:
            orn.ring(d, cx, cy, u * 0.43, self.weight * 0.9)
            orn.ring(d, cx, cy, u * 0.45, self.weight * 0.45)
            for i in range(k):
                a = math.radians((i + 0.5) * 360 / k - 90)
                d.polygon(
                    orn.diamond_points(
                        cx + u * 0.44 * math.cos(a), cy + u * 0.44 * math.sin(a), u * 0.022, 0.7
                    ),
                    fill=orn.INK,
                )
        if self.brief.frame:
            self.frame("classic", 0.03)

    def rosette(self, cx: float, cy: float, r0: float, length: float, n: int, rot: float) -> None:
        """Outlined petals radiating from radius ``r0``, sized so neighbours do not merge."""
        tile = Image.new("L", self.masks["orn"].size, 0)
        d = ImageDraw.Draw(tile)
        spacing = 2 * math.pi * (r0 + length * 0.5) / n
        width = min(0.36, 0.46 * spacing / length)
        for i in range(n):
            ang = rot + i * 360 / n
            a = math.radians(ang)
            bx, by = cx + r0 * math.cos(a), cy + r0 * math.sin(a)
            d.polygon(orn.leaf_points(bx, by, length, ang, width), fill=orn.INK)
            inset = self.weight * 1.3
            d.polygon(
                orn.leaf_points(
                    bx + inset * 1.6 * math.cos(a),
                    by + inset * 1.6 * math.sin(a),
                    length - inset * 3.4,
                    ang,
                    width * 0.62,
                ),
                fill=0,
            )
            tip = length + self.weight * 4
            orn.circle(
                d, cx + (r0 + tip) * math.cos(a), cy + (r0 + tip) * math.sin(a), self.weight * 0.8
            )
        self.masks["orn"].paste(tile, (0, 0), tile)

    def pattern(self) -> None:
        """A staggered repeat of the prompt's motifs in alternating colours."""
        w, h, u, rng = self.w * SS, self.h * SS, self.u, self.rng
        step = u * rng.choice([0.16, 0.19, 0.22]) * self.brief.scale
        cols, rows = math.ceil(w / step) + 1, math.ceil(h / step) + 1
        tilt = rng.uniform(-20, 20)
        for j in range(rows):
            for i in range(cols):
                x = (i + (0.5 if j % 2 else 0.0)) * step
                y = j * step * 0.87
                motif = self.motifs[(i + j) % len(self.motifs)]
                role = "orn" if (i + 2 * j) % 3 else "acc"
                orn.stamp(self.masks[role], motif, x, y, step * 0.3, tilt)
                orn.circle(self.draw["acc"], x + step * 0.5, y + step * 0.43, step * 0.035)
        if self.brief.frame:
            self.frame("classic", 0.03)

    def band(self) -> None:
        """For long thin areas (rings, bracelets): words between vines, or a motif vine."""
        w, h = self.w, self.h
        horizontal = w >= h
        if not horizontal:  # draw as a wide band, rotated at paint time
            self.w, self.h = h, w
            self.masks = {r: Image.new("L", (h * SS, w * SS), 0) for r in self.masks}
            self.draw = {r: ImageDraw.Draw(m) for r, m in self.masks.items()}
            self.ink = np.zeros((w, h), np.float32)
            self.u = min(w, h) * SS
            self.rotated = True
        bw, bh = self.w * SS, self.h * SS
        bounds = None
        if self.brief.words:
            text = " ".join(self.brief.words)
            bounds = self.words(
                text,
                (self.w * 0.3, self.h * 0.12, self.w * 0.7, self.h * 0.88),
                self.font("dancing-script"),
            )
        left = (bounds[0] * SS - bh * 0.12) if bounds else bw / 2 - bh * 0.3
        right = (bounds[2] * SS + bh * 0.12) if bounds else bw / 2 + bh * 0.3
        cy = bh / 2
        if not bounds:
            orn.stamp(self.masks["acc"], self.motifs[0], bw / 2, cy, bh * 0.22)
        leaf = bh * 0.13
        for start, end in ((left, bh * 0.2), (right, bw - bh * 0.2)):
            length = abs(end - start)
            if length < bh * 0.35:
                continue
            n = 120
            waves = max(1.0, round(length / bh * 0.8))
            amp = bh * 0.09
            pts = [
                (start + (end - start) * i / n, cy + amp * math.sin(i / n * math.pi * waves))
                for i in range(n + 1)
            ]
            every = max(2, round(n * leaf * 0.7 / length))
            orn.branch(self.draw["orn"], pts, leaf, every, self.weight * 0.6)
            steps = min(3, max(len(self.motifs), round(waves)))
            for k in range(steps):
                t = (k + 0.5) / steps
                x = start + (end - start) * t
                y = cy + amp * math.sin(t * math.pi * waves)
                up = -1 if math.sin(t * math.pi * waves) > 0 else 1
                motif = self.motifs[k % len(self.motifs)]
                orn.stamp(
                    self.masks["acc"], motif, x, y + up * bh * 0.3, bh * 0.085 * self.brief.scale
                )

    # -- pieces ------------------------------------------------------------------

    def frame(self, kind: str, inset: float) -> None:
        """A border around the piece: classic, oval, scallop, or nothing."""
        w, h, u, d = self.w * SS, self.h * SS, self.u, self.draw["orn"]
        m = u * inset
        if kind == "classic":
            width = max(1, round(self.weight * 1.5))
            d.rounded_rectangle((m, m, w - m, h - m), radius=u * 0.04, outline=orn.INK, width=width)
            i2 = m + u * 0.022
            d.rounded_rectangle(
                (i2, i2, w - i2, h - i2),
                radius=u * 0.03,
                outline=orn.INK,
                width=max(1, round(self.weight * 0.55)),
            )
            for sx, sy, x, y in (
                (1, 1, i2, i2),
                (-1, 1, w - i2, i2),
                (1, -1, i2, h - i2),
                (-1, -1, w - i2, h - i2),
            ):
                orn.corner_flourish(
                    d, x + sx * u * 0.03, y + sy * u * 0.03, u * 0.16, self.weight, sx, sy
                )
            for x, y in ((w / 2, m), (w / 2, h - m), (m, h / 2), (w - m, h / 2)):
                d.polygon(orn.diamond_points(x, y, u * 0.028, 0.7), fill=orn.INK)
        elif kind == "oval":
            width = max(1, round(self.weight * 1.4))
            d.ellipse((m, m, w - m, h - m), outline=orn.INK, width=width)
            i2 = m + u * 0.025
            d.ellipse(
                (i2, i2, w - i2, h - i2), outline=orn.INK, width=max(1, round(self.weight * 0.5))
            )
            for i in range(36):
                a = 2 * math.pi * i / 36
                rx, ry = w / 2 - m - u * 0.0125, h / 2 - m - u * 0.0125
                orn.circle(
                    self.draw["acc"],
                    w / 2 + rx * math.cos(a),
                    h / 2 + ry * math.sin(a),
                    self.weight * 0.55,
                )
        elif kind == "scallop":
            orn.scallops(d, (m, m, w - m, h - m), u * 0.045, self.weight * 0.9)
        if kind != "none":
            band = inset + 0.09
            ow, oh = self.w, self.h
            su = self.u / SS
            self.keep_out += [
                (0, 0, ow, su * band),
                (0, oh - su * band, ow, oh),
                (0, 0, su * band, oh),
                (ow - su * band, 0, ow, oh),
            ]
            if kind == "classic":  # the corner flourishes reach further in
                c = su * (inset + 0.24)
                self.keep_out += [
                    (0, 0, c, c),
                    (ow - c, 0, ow, c),
                    (0, oh - c, c, oh),
                    (ow - c, oh - c, ow, oh),
                ]

    def sprigs(self, y: float) -> None:
        """Two small leafy sprigs or flowers under the words."""
        cx, u = self.w * SS / 2, self.u
        if y + u * 0.08 > self.h * SS * 0.9:
            return
        for side in (-1, 1):
            pts = [
                (cx + side * u * (0.03 + 0.2 * i / 20), y + u * 0.03 * math.sin(i / 20 * math.pi))
                for i in range(21)
            ]
            orn.branch(self.draw["acc"], pts, u * 0.045, 4, self.weight * 0.6)
        if "flower" in self.motifs:
            orn.stamp(self.masks["orn"], "flower", cx, y + u * 0.01, u * 0.035)

    def sprinkle(self, count: int, margin: float) -> None:
        """Scatter the prompt's motifs evenly in free space (not over words or frames).

        One candidate per cell of a jittered grid keeps the spread balanced; candidates
        that touch a keep-out box or a neighbour are dropped.
        """
        rng, w, h = self.rng, self.w, self.h
        su = self.u / SS
        m = su * margin
        cols = max(2, round(math.sqrt(count * 2.2 * w / h)))
        rows = max(2, round(count * 2.2 / cols))
        cells = [(i, j) for j in range(rows) for i in range(cols)]
        rng.shuffle(cells)
        placed: list[tuple[float, float, float]] = []
        for i, j in cells:
            if len(placed) >= count:
                break
            r = su * rng.uniform(0.02, 0.045) * self.brief.scale
            x = m + r + (i + rng.uniform(0.15, 0.85)) * (w - 2 * (m + r)) / cols
            y = m + r + (j + rng.uniform(0.15, 0.85)) * (h - 2 * (m + r)) / rows
            if any(
                x + r > a and x - r < c and y + r > b and y - r < e for a, b, c, e in self.keep_out
            ):
                continue
            if any(math.hypot(x - px, y - py) < (r + pr) * 1.8 for px, py, pr in placed):
                continue
            placed.append((x, y, r))
        for i, (x, y, r) in enumerate(placed):
            motif = self.motifs[i % len(self.motifs)]
            role = "acc" if i % 3 else "orn"
            orn.stamp(self.masks[role], motif, x * SS, y * SS, r * SS, rng.uniform(-25, 25))

    # -- colour ------------------------------------------------------------------

    def paint(self) -> Image.Image:
        """Colour the masks (metals get a polished gradient and bevel) into RGBA.

        Each role is coloured only inside its own bounding box and alpha-composited in
        order: ornaments, accents, then the words on top.
        """
        w, h = self.w, self.h
        out = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        ink = Image.fromarray((self.ink * 255.0 + 0.5).astype(np.uint8), "L")
        halo = None
        if ink.getbbox():  # keep ornaments off the letters so the words stay legible
            radius = max(2, round(min(w, h) / 300))
            halo = ink.filter(ImageFilter.BoxBlur(radius)).point(lambda v: min(255, v * 4))
        covs: dict[str, Image.Image] = {}
        for role in ("orn", "acc", "ink"):
            cov = ink if role == "ink" else self.masks[role].reduce(SS)
            if halo is not None and role != "ink":
                cov = ImageChops.subtract(cov, halo)
            covs[role] = cov
        fills: dict[str, Image.Image] = {}
        for role in ("orn", "acc", "ink"):  # roles in one metal share one lit surface
            name = self.colours[role]
            if name in METALS and name not in fills:
                union = None
                for other, cov in covs.items():
                    if self.colours[other] == name:
                        union = cov if union is None else ImageChops.lighter(union, cov)
                fills[name] = self._metal(name, union)
        for role, cov in covs.items():
            box = cov.getbbox()
            if box is None:
                continue
            name = self.colours[role]
            if name in METALS:
                piece = fills[name].crop(box)
            else:
                piece = Image.new("RGB", (box[2] - box[0], box[3] - box[1]), COLOURS[name])
            piece.putalpha(cov.crop(box))
            out.alpha_composite(piece, (box[0], box[1]))
        if getattr(self, "rotated", False):
            out = out.transpose(Image.Transpose.ROTATE_90)
        return out

    def _metal(self, name: str, cov: Image.Image) -> Image.Image:
        """A metal's polished gradient, lit from the upper left at the edges of ``cov``."""
        box = cov.getbbox() or (0, 0, 1, 1)
        soft = cov.crop(box).filter(ImageFilter.BoxBlur(max(1, round(min(self.w, self.h) / 300))))
        shade = ImageChops.add(_sheen(self.w, self.h).crop(box), soft.filter(_BEVEL), 1.0, -128)
        lit = Image.merge("RGB", [shade.point(channel) for channel in _metal_lut(name)])
        out = Image.new("RGB", (self.w, self.h))
        out.paste(lit, box[:2])
        return out


# A diagonal slope: coverage rising towards the lower right (an edge facing the upper
# left, where the light comes from) reads positive, so it is drawn brighter.
_BEVEL = ImageFilter.Kernel(
    (3, 3), [-2.0, -1.0, 0.0, -1.0, 0.0, 1.0, 0.0, 1.0, 2.0], scale=3.0, offset=128
)


@lru_cache(maxsize=4)
def _sheen(w: int, h: int) -> Image.Image:
    """Broad diagonal bands of light across the canvas (L, 0..255), as on polished metal."""
    ys = (np.arange(h, dtype=np.float32) / h)[:, None]
    xs = (np.arange(w, dtype=np.float32) / w)[None, :]
    t = 0.5 + 0.32 * np.sin((ys * 2.6 + xs * 0.9) * (math.pi * 1.4)) + 0.12 * (xs - ys)
    return Image.fromarray((np.clip(t, 0.0, 1.0) * 255.0).astype(np.uint8), "L")


@lru_cache(maxsize=8)
def _metal_lut(name: str) -> tuple[list[int], list[int], list[int]]:
    """Per channel, 256 values along a metal's gradient (index = shade 0..255)."""
    stops = METALS[name]
    pos = np.array([p for p, _ in stops], np.float32)
    t = np.linspace(0.0, 1.0, 256, dtype=np.float32)
    return tuple(  # type: ignore[return-value]
        [int(v + 0.5) for v in np.interp(t, pos, np.array([c[i] for _, c in stops], np.float32))]
        for i in range(3)
    )
