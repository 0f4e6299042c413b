"""Ornament shapes for procedural artwork: motifs, frames, dividers and wreaths.

Every function draws white (255) coverage onto an ``ImageDraw`` of an ``"L"`` mask in the
caller's (supersampled) pixel space. Shapes are built from polygons and strokes only, so
the same arguments always give the same pixels.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from PIL import Image, ImageDraw

Point = tuple[float, float]
INK = 255


def star_points(
    cx: float, cy: float, r: float, points: int = 5, inner: float = 0.45, rot: float = -90.0
) -> list[Point]:
    """A star polygon: ``points`` tips at radius ``r``, notches at ``r * inner``."""
    out = []
    for i in range(points * 2):
        rad = r if i % 2 == 0 else r * inner
        a = math.radians(rot + i * 180.0 / points)
        out.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    return out


def sparkle_points(cx: float, cy: float, r: float, rot: float = 0.0) -> list[Point]:
    """A four-pointed twinkle with concave sides."""
    out = []
    for i in range(4):
        a = math.radians(rot + i * 90.0 - 90.0)
        for j in range(1, 9):  # concave arc between this tip and the next
            t = j / 9.0
            ang = a + t * math.pi / 2
            rad = r * (0.16 + 0.84 * (abs(1 - 2 * t) ** 3.2))
            out.append((cx + rad * math.cos(ang), cy + rad * math.sin(ang)))
        out.insert(len(out) - 8, (cx + r * math.cos(a), cy + r * math.sin(a)))
    return out


def heart_points(cx: float, cy: float, r: float, rot: float = 0.0) -> list[Point]:
    """The classic parametric heart, ``r`` about half its width."""
    c, s = math.cos(math.radians(rot)), math.sin(math.radians(rot))
    out = []
    for i in range(72):
        t = i / 72 * 2 * math.pi
        x = 16 * math.sin(t) ** 3
        y = -(13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t))
        x, y = x * r / 16, (y + 2.5) * r / 16
        out.append((cx + x * c - y * s, cy + x * s + y * c))
    return out


def leaf_points(
    x: float, y: float, length: float, angle: float, width: float = 0.36, bend: float = 0.0
) -> list[Point]:
    """A pointed leaf (or petal) from its base at ``(x, y)`` towards ``angle`` degrees.

    ``width`` is the widest half-width as a share of the length; ``bend`` curves the
    midrib sideways (share of the length) so leaves along a branch look alive.
    """
    a = math.radians(angle)
    ux, uy = math.cos(a), math.sin(a)
    nx, ny = -uy, ux
    left, right = [], []
    steps = 16
    for i in range(steps + 1):
        t = i / steps
        half = width * length * (math.sin(math.pi * t) ** 0.85) * (1.0 - 0.25 * t)
        off = bend * length * math.sin(math.pi * t)
        px, py = x + ux * length * t + nx * off, y + uy * length * t + ny * off
        left.append((px + nx * half, py + ny * half))
        right.append((px - nx * half, py - ny * half))
    return left + right[::-1]


def diamond_points(cx: float, cy: float, r: float, squash: float = 0.62) -> list[Point]:
    """A rhombus, ``r`` tall and ``r * squash`` wide."""
    return [(cx, cy - r), (cx + r * squash, cy), (cx, cy + r), (cx - r * squash, cy)]


def circle(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, fill: int = INK) -> None:
    """A filled disc."""
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)


def ring(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, width: float) -> None:
    """A circle outline of stroke ``width`` centred on radius ``r``."""
    w = max(1, round(width))
    draw.ellipse(
        (cx - r - w / 2, cy - r - w / 2, cx + r + w / 2, cy + r + w / 2), outline=INK, width=w
    )


def flower(
    draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, petals: int = 6, rot: float = 0.0
) -> None:
    """Petals around an open centre with a seed dot: reads well from far and near."""
    for i in range(petals):
        ang = rot + i * 360.0 / petals
        a = math.radians(ang)
        bx, by = cx + 0.22 * r * math.cos(a), cy + 0.22 * r * math.sin(a)
        draw.polygon(leaf_points(bx, by, r * 0.8, ang, width=0.42), fill=INK)
    circle(draw, cx, cy, r * 0.30, fill=0)
    circle(draw, cx, cy, r * 0.17)


def snowflake(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rot: float = 0.0) -> None:
    """Six arms with two pairs of branches each."""
    w = max(1, round(r * 0.11))
    for i in range(6):
        a = math.radians(rot + i * 60 - 90)
        ex, ey = cx + r * math.cos(a), cy + r * math.sin(a)
        draw.line((cx, cy, ex, ey), fill=INK, width=w)
        for t, blen in ((0.45, 0.34), (0.72, 0.24)):
            px, py = cx + r * t * math.cos(a), cy + r * t * math.sin(a)
            for side in (-1, 1):
                b = a + side * math.radians(50)
                draw.line(
                    (px, py, px + r * blen * math.cos(b), py + r * blen * math.sin(b)),
                    fill=INK,
                    width=w,
                )
    circle(draw, cx, cy, r * 0.14)


def crescent(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rot: float = -30.0) -> None:
    """A crescent moon opening towards ``rot`` degrees (draws on its own, erasing inside)."""
    circle(draw, cx, cy, r)
    a = math.radians(rot)
    circle(draw, cx + 0.42 * r * math.cos(a), cy + 0.42 * r * math.sin(a), r * 0.86, fill=0)


def sun(
    draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rays: int = 12, rot: float = 0.0
) -> None:
    """A disc with alternating long and short pointed rays."""
    circle(draw, cx, cy, r * 0.46)
    for i in range(rays):
        a = math.radians(rot + i * 360.0 / rays)
        length = r * (1.0 if i % 2 == 0 else 0.78)
        half = math.radians(180.0 / rays * 0.42)
        draw.polygon(
            [
                (cx + r * 0.56 * math.cos(a - half), cy + r * 0.56 * math.sin(a - half)),
                (cx + length * math.cos(a), cy + length * math.sin(a)),
                (cx + r * 0.56 * math.cos(a + half), cy + r * 0.56 * math.sin(a + half)),
            ],
            fill=INK,
        )


def tapered_path(draw: ImageDraw.ImageDraw, pts: Sequence[Point], w0: float, w1: float) -> None:
    """A stroke along ``pts`` whose width goes from ``w0`` to ``w1`` (a calligraphic line)."""
    n = len(pts)
    for i in range(n - 1):
        t = i / max(1, n - 2)
        w = w0 + (w1 - w0) * t
        (x0, y0), (x1, y1) = pts[i], pts[i + 1]
        draw.line((x0, y0, x1, y1), fill=INK, width=max(1, round(w)))
        circle(draw, x1, y1, w / 2)


def spiral(
    cx: float, cy: float, r: float, turns: float, start: float, direction: int
) -> list[Point]:
    """Points of a spiral curling inwards from radius ``r`` at angle ``start``."""
    steps = max(8, int(turns * 40))
    out = []
    for i in range(steps + 1):
        t = i / steps
        a = math.radians(start) + direction * t * turns * 2 * math.pi
        rad = r * (1.0 - 0.82 * t)
        out.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    return out


def divider(draw: ImageDraw.ImageDraw, cx: float, cy: float, half: float, weight: float) -> None:
    """A flourished rule: tapering arms, curls at both ends and a diamond in the middle."""
    for side in (-1, 1):
        arm = [(cx + side * (half * 0.10 + half * 0.70 * i / 20), cy) for i in range(21)]
        tapered_path(draw, arm, weight * 1.6, weight * 0.7)
        ex = cx + side * half * 0.80
        curl_r = half * 0.12
        pts = spiral(ex + side * curl_r * 0.2, cy - curl_r, curl_r, 1.1, 90, -side)
        tapered_path(draw, [(ex, cy), *pts], weight * 0.8, weight * 0.35)
        circle(draw, cx + side * half * 0.97, cy, weight * 0.9)
    draw.polygon(diamond_points(cx, cy, weight * 3.2, 0.7), fill=INK)


def branch(
    draw: ImageDraw.ImageDraw,
    pts: Sequence[Point],
    leaf_len: float,
    every: int,
    weight: float,
    flip: bool = False,
) -> None:
    """A stem along ``pts`` with leaves alternating sides every ``every`` points.

    Leaves shrink towards the tip, which ends in a leaf of its own.
    """
    tapered_path(draw, pts, weight * 1.2, weight * 0.5)
    n = len(pts)
    for k, i in enumerate(range(every, n - 1, every)):
        (x0, y0), (x1, y1) = pts[i - 1], pts[i + 1]
        heading = math.degrees(math.atan2(y1 - y0, x1 - x0))
        side = 1 if k % 2 == 0 else -1
        size = leaf_len * (1.0 - 0.35 * i / n)
        draw.polygon(
            leaf_points(
                pts[i][0],
                pts[i][1],
                size,
                heading + side * 38,
                0.30,
                bend=0.10 * side * (-1 if flip else 1),
            ),
            fill=INK,
        )
    (x0, y0), (x1, y1) = pts[-2], pts[-1]
    heading = math.degrees(math.atan2(y1 - y0, x1 - x0))
    draw.polygon(leaf_points(x1, y1, leaf_len * 0.75, heading, 0.30), fill=INK)


def wreath(
    draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, weight: float, span: float = 125.0
) -> None:
    """A laurel wreath: two leafy branches rising from the bottom around a circle."""
    for side in (-1, 1):
        pts = []
        for i in range(61):
            a = math.radians(90 - side * (14 + span * i / 60))
            pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
        branch(draw, pts, r * 0.16, 3, weight, flip=side < 0)
    draw.polygon(diamond_points(cx, cy + r, weight * 3.0, 0.75), fill=INK)


def corner_flourish(
    draw: ImageDraw.ImageDraw, x: float, y: float, size: float, weight: float, sx: int, sy: int
) -> None:
    """A bracket in a frame's corner whose two arms end in inward curls.

    ``(x, y)`` is the corner; ``sx``/``sy`` (+1 or -1) point into the frame.
    """
    arm = size * 0.62
    rc = size * 0.2
    ex, ey = x + sx * arm, y  # end of the arm along the top or bottom edge
    curl = spiral(ex, ey + sy * rc, rc, 1.2, -90 * sy, sx * sy)
    tapered_path(
        draw,
        [(x + sx * (arm * i / 12), y) for i in range(13)] + curl[1:],
        weight * 1.4,
        weight * 0.45,
    )
    fx, fy = x, y + sy * arm  # end of the arm along the side edge
    curl = spiral(fx + sx * rc, fy, rc, 1.2, 180 if sx > 0 else 0, -sx * sy)
    tapered_path(
        draw,
        [(x, y + sy * (arm * i / 12)) for i in range(13)] + curl[1:],
        weight * 1.4,
        weight * 0.45,
    )
    d = size * 0.2
    draw.polygon(
        leaf_points(
            x + sx * d * 0.35,
            y + sy * d * 0.35,
            size * 0.36,
            math.degrees(math.atan2(sy, sx)),
            0.34,
        ),
        fill=INK,
    )
    circle(draw, x, y, weight * 1.6)


def scallops(
    draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], r: float, weight: float
) -> None:
    """Half-circle arches along the inside of ``box`` (a lace border)."""
    x0, y0, x1, y1 = box
    w = max(1, round(weight))
    nx = max(2, round((x1 - x0) / (2 * r)))
    ny = max(2, round((y1 - y0) / (2 * r)))
    rx, ry = (x1 - x0) / (2 * nx), (y1 - y0) / (2 * ny)
    for i in range(nx):
        cx = x0 + rx * (2 * i + 1)
        draw.arc((cx - rx, y0 - rx, cx + rx, y0 + rx), 0, 180, fill=INK, width=w)
        draw.arc((cx - rx, y1 - rx, cx + rx, y1 + rx), 180, 360, fill=INK, width=w)
        circle(draw, cx, y0 + rx * 0.45, weight * 0.9)
        circle(draw, cx, y1 - rx * 0.45, weight * 0.9)
    for j in range(ny):
        cy = y0 + ry * (2 * j + 1)
        draw.arc((x0 - ry, cy - ry, x0 + ry, cy + ry), 270, 90, fill=INK, width=w)
        draw.arc((x1 - ry, cy - ry, x1 + ry, cy + ry), 90, 270, fill=INK, width=w)


MotifFn = Callable[[ImageDraw.ImageDraw, float, float, float, float], None]


def _poly(fn: Callable[..., list[Point]]) -> MotifFn:
    def draw_it(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rot: float) -> None:
        draw.polygon(fn(cx, cy, r, rot=rot), fill=INK)

    return draw_it


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rot: float) -> None:
    draw.polygon(star_points(cx, cy, r, 5, 0.44, -90 + rot), fill=INK)


def _dot(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rot: float) -> None:
    circle(draw, cx, cy, r * 0.45)


def _diamond(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rot: float) -> None:
    draw.polygon(diamond_points(cx, cy, r, 0.6), fill=INK)


def _leaf(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rot: float) -> None:
    """A small sprig: a curved stem with three leaves."""
    a = math.radians(rot - 90)
    ux, uy = math.cos(a), math.sin(a)
    pts = [
        (
            cx + ux * r * (t / 10 * 1.8 - 0.9) + uy * r * 0.12 * math.sin(t / 10 * math.pi),
            cy + uy * r * (t / 10 * 1.8 - 0.9) - ux * r * 0.12 * math.sin(t / 10 * math.pi),
        )
        for t in range(11)
    ]
    branch(draw, pts, r * 0.75, 4, max(1.0, r * 0.07))


def _flower(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rot: float) -> None:
    flower(draw, cx, cy, r, 6, rot)


def _snow(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rot: float) -> None:
    snowflake(draw, cx, cy, r, rot)


def _moon(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rot: float) -> None:
    crescent(draw, cx, cy, r * 0.85, -30 + rot)


def _sun(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rot: float) -> None:
    sun(draw, cx, cy, r, 12, rot)


# Motifs that erase inside themselves (flower centre, crescent) must be drawn on a tile of
# their own; ``stamp`` does that for every motif so they can overlap freely.
MOTIFS: dict[str, MotifFn] = {
    "star": _star,
    "sparkle": _poly(sparkle_points),
    "heart": _poly(heart_points),
    "flower": _flower,
    "leaf": _leaf,
    "snowflake": _snow,
    "moon": _moon,
    "sun": _sun,
    "dot": _dot,
    "diamond": _diamond,
}


def stamp(mask: Image.Image, motif: str, cx: float, cy: float, r: float, rot: float = 0.0) -> None:
    """Draw one motif on its own tile and merge it into ``mask`` (max of coverage)."""
    size = max(4, math.ceil(r * 2.4))
    tile = Image.new("L", (size, size), 0)
    MOTIFS[motif](ImageDraw.Draw(tile), size / 2, size / 2, r, rot)
    x0, y0 = round(cx - size / 2), round(cy - size / 2)
    box = (x0, y0, x0 + size, y0 + size)
    under = mask.crop(box)
    from PIL import ImageChops

    mask.paste(ImageChops.lighter(under, tile), box)
