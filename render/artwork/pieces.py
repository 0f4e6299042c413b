"""The canvas procedural artwork is composed on, and the pieces layouts reuse: words fitted
into a box, frames, rosettes, sprigs, and motifs sprinkled in free space."""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw

from render import fonts
from render.errors import SpecError
from render.spec import TextLayer
from render.text import render_text

from . import ornaments as orn
from .colour import METALS, PALETTES
from .prompt import STYLE_FONTS, Brief

SS = 2  # ornaments are drawn supersampled, then reduced: smooth edges without AA support


class Pieces:
    """Three coverage masks (ink for words, ornament, accent) and the pieces drawn on them."""

    def __init__(self, w: int, h: int, brief: Brief, rng: random.Random) -> None:
        self.w, self.h, self.brief, self.rng = w, h, brief, rng
        self.ss = SS  # masks are this many times the picture's size
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

    def font(self, default: str) -> str:
        """A font of the prompt's style (chosen by the seed), else ``default``."""
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
