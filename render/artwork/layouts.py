"""Layouts of procedural artwork: a text treatment, a monogram, an emblem, a pattern, and a
band for long thin print areas."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from . import ornaments as orn
from .colour import paint
from .pieces import SS, Pieces


class Canvas(Pieces):
    """A piece of artwork being composed; :meth:`paint` gives the finished picture."""

    def text_piece(self) -> None:
        """A name (and a second line) framed, with dividers and sprinkled motifs."""
        w, h, rng = self.w, self.h, self.rng
        words = self.brief.words
        if len(words) == 2 and all(word.isalpha() for word in words):
            words = (f"{words[0]} & {words[1]}",)  # two names: a couple, on one line
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
                (cx1 - rr * 0.96, cy1 - rr * 0.55, cx1 - rr * 0.38, cy1 + rr * 0.55),
                font,
            )
            self.words(
                letters[1], (cx1 - rr * 0.4, cy1 - rr * 0.95, cx1 + rr * 0.4, cy1 + rr * 0.95), font
            )
            self.words(
                letters[2],
                (cx1 + rr * 0.38, cy1 - rr * 0.55, cx1 + rr * 0.96, cy1 + rr * 0.55),
                font,
            )
        else:
            self.words(
                letters, (cx1 - rr * 0.9, cy1 - rr * 0.95, cx1 + rr * 0.9, cy1 + rr * 0.95), font
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

    def paint(self) -> Image.Image:
        """The finished RGBA picture."""
        return paint(self)
