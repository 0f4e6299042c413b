"""The demo products, drawn with the numpy toolkit in ``_studio`` (see ``samples``)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

from render import _studio as st

LIGHT = (-0.45, -0.55, 0.9)  # upper left, in front

GOLD = [
    (0.0, (0.26, 0.15, 0.04)),
    (0.45, (0.72, 0.52, 0.20)),
    (0.75, (0.95, 0.80, 0.45)),
    (1.0, (1.0, 0.97, 0.86)),
]
SILVER = [
    (0.0, (0.30, 0.31, 0.33)),
    (0.45, (0.66, 0.67, 0.70)),
    (0.8, (0.88, 0.89, 0.91)),
    (1.0, (1.0, 1.0, 1.0)),
]


# -- mug ---------------------------------------------------------------------------


def _draw_mug(c: st.Canvas) -> None:
    st.studio_background(c)
    cx, hw, yt, yb, ry = 0.47, 0.20, 0.25, 0.78, 0.05
    c.darken(0.38 * st.gaussian_spot(c, cx + 0.05, yb + 0.035, 0.30, 0.055))
    c.darken(0.25 * st.gaussian_spot(c, cx + 0.02, yb + 0.02, 0.22, 0.03))
    ceramic = np.array([0.965, 0.962, 0.955], np.float32)

    # handle: a tube bent into a D on the right, drawn first so the body covers its root
    hx, hy = cx + hw - 0.015, 0.50
    ao, bo, ai, bi = 0.135, 0.17, 0.075, 0.11
    a, b = (ao + ai) / 2, (bo + bi) / 2
    dx, dy = c.u - hx, c.v - hy
    rho = np.sqrt((dx / a) ** 2 + (dy / b) ** 2)
    half = ((ao - ai) / 2) / a
    s = np.clip((rho - 1.0) / half, -1.0, 1.0)
    ring_sdf = (np.abs(rho - 1.0) - half) * a
    handle = c.coverage(ring_sdf) * (c.u > hx - 0.01)
    ln = np.sqrt(dx * dx + dy * dy) + 1e-6
    nz = np.sqrt(1.0 - s * s)
    nx, ny = dx / ln * s, dy / ln * s
    shade = 0.32 + 0.68 * st.lambert(nx, ny, nz, LIGHT)
    col = ceramic * shade[..., None] + (0.45 * st.specular(nx, ny, nz, LIGHT, 40))[..., None]
    c.fill(handle, col)

    # body: a cylinder from the top rim to the bottom ellipse
    dxb = (c.u - cx) / hw
    inside = np.clip(1.0 - dxb * dxb, 0.0, 1.0)
    ybottom = yb + ry * np.sqrt(inside)
    top = yt + 1.0 / c.size  # tuck the top edge under the rim ellipse: no AA seam
    body_sdf = np.maximum.reduce([np.abs(c.u - cx) - hw, top - c.v, c.v - ybottom])
    body = c.coverage(body_sdf)
    nx = np.clip(dxb, -1.0, 1.0)
    nz = np.sqrt(1.0 - nx * nx)
    zero = np.zeros_like(nx)
    diffuse = st.lambert(nx, zero, nz, LIGHT)
    shade = 0.40 + 0.60 * diffuse
    shade *= 1.0 - 0.10 * st.smoothstep(yb - 0.12, yb + 0.05, c.v)  # floor bounce fades
    shade *= 1.0 - 0.07 * st.smoothstep(yt + 0.05, yt, c.v)  # under the rim
    spec = 0.55 * np.exp(-(((nx + 0.48) / 0.07) ** 2)) + 0.10 * np.exp(-(((nx - 0.82) / 0.05) ** 2))
    col = ceramic * shade[..., None] + spec[..., None]
    c.fill(body, col)

    # rim and the inside seen through the opening
    rim = c.coverage(st.ellipse_sdf(c, cx, yt, hw, ry))
    c.fill(rim, ceramic * (0.93 + 0.05 * st.smoothstep(yt - ry, yt + ry, c.v))[..., None])
    ri, rri = hw - 0.014, ry - 0.0035
    hole = c.coverage(st.ellipse_sdf(c, cx, yt, ri, rri))
    t = np.clip((c.v - (yt - rri)) / (2 * rri), 0.0, 1.0)
    depth = 0.80 - 0.32 * t - 0.10 * np.clip((c.u - cx) / ri, 0, 1)
    c.fill(hole, ceramic * depth[..., None])
    # define the lip: a soft line where the rim turns down into the body, a glint on it
    lip = c.coverage(np.abs(st.ellipse_sdf(c, cx, yt, hw, ry)) - 0.0012) * (c.v > yt) * body
    c.darken(0.10 * lip)
    # the back edge of the rim against the white backdrop
    edge = c.coverage(np.abs(st.ellipse_sdf(c, cx, yt, hw, ry) + 0.0008) - 0.0008) * (c.v <= yt)
    c.darken(0.16 * edge)
    glint = c.coverage(np.abs(st.ellipse_sdf(c, cx, yt, hw - 0.004, ry - 0.001)) - 0.001)
    c.fill(glint * 0.6 * np.exp(-(((c.u - (cx - hw * 0.45)) / 0.06) ** 2)), (1.0, 1.0, 1.0))


# -- ring --------------------------------------------------------------------------


def _draw_ring(c: st.Canvas) -> None:
    st.studio_background(c, top=(0.93, 0.92, 0.91), floor=(0.80, 0.78, 0.76))
    cx, cy, rx, ry, h, t = 0.5, 0.40, 0.30, 0.13, 0.12, 0.026
    c.darken(0.40 * st.gaussian_spot(c, cx + 0.02, cy + h + 0.05, rx * 1.05, ry * 1.05))
    dx = (c.u - cx) / rx
    across = np.clip(1.0 - dx * dx, 0.0, 1.0)
    front_top = cy + ry * np.sqrt(across)
    rxi, ryi = rx - t, (rx - t) * ry / rx
    dxi = (c.u - cx) / rxi
    back_inner = cy - ryi * np.sqrt(np.clip(1.0 - dxi * dxi, 0.0, 1.0))

    # inner back wall, seen through the opening
    inner_wall_sdf = np.maximum(st.ellipse_sdf(c, cx, cy, rxi, ryi), c.v - (back_inner + h))
    wall = c.coverage(inner_wall_sdf)
    w = np.clip((c.v - back_inner) / h, 0.0, 1.0)
    refl = 0.30 + 0.25 * np.cos(dxi * 2.4 - 0.5) - 0.15 * w
    c.fill(wall, st.ramp(refl, GOLD))
    c.darken(0.3 * wall * st.smoothstep(0.6, 1.0, w))

    # top rim surface between the outer and inner ellipses
    outer = c.coverage(st.ellipse_sdf(c, cx, cy, rx, ry))
    inner = c.coverage(st.ellipse_sdf(c, cx, cy, rxi, ryi))
    rim_a = np.clip(outer - inner, 0.0, 1.0)
    ang = np.arctan2((c.v - cy) / ry, (c.u - cx) / rx)
    c.fill(rim_a, st.ramp(0.72 + 0.22 * np.sin(ang * 2.0 + 0.8), GOLD))

    # outer front wall: a slightly domed band, reflecting a studio softbox
    front_sdf = np.maximum.reduce([np.abs(c.u - cx) - rx, (front_top - c.v), c.v - (front_top + h)])
    front = c.coverage(front_sdf)
    wv = np.clip((c.v - front_top) / h, 0.0, 1.0)
    dome = np.maximum(np.sin(np.pi * wv), 0.0) ** 0.6
    nx = np.clip(dx, -1.0, 1.0)
    refl = 0.40 + 0.22 * np.cos(nx * 3.0 + 0.9) * dome + 0.18 * (dome - 0.6)
    refl += 0.45 * np.exp(-(((nx + 0.38) / 0.07) ** 2)) * dome
    refl += 0.25 * np.exp(-(((nx - 0.62) / 0.05) ** 2)) * dome
    refl -= 0.25 * np.abs(nx) ** 6
    c.fill(front, st.ramp(refl, GOLD))


# -- pendant -------------------------------------------------------------------------


def _draw_pendant(c: st.Canvas) -> None:
    st.studio_background(c, top=(0.90, 0.91, 0.93), floor=(0.78, 0.79, 0.82))
    cx, cy, r, face = 0.5, 0.56, 0.25, 0.228
    c.darken(0.33 * st.gaussian_spot(c, cx + 0.035, cy + 0.05, r * 1.05, r * 1.0))
    _draw_chain(c, (cx, cy - r - 0.045))

    # bail: a small loop above the disc
    by = cy - r - 0.02
    d = np.sqrt((c.u - cx) ** 2 + ((c.v - by) / 1.25) ** 2)
    bail = c.coverage(np.abs(d - 0.029) - 0.008)
    s = np.clip((d - 0.029) / 0.008, -1, 1)
    nz = np.sqrt(1 - s * s)
    shade = st.lambert((c.u - cx) / (d + 1e-6) * s, (c.v - by) / (d + 1e-6) * s, nz, LIGHT)
    c.fill(bail, st.ramp(0.25 + 0.7 * shade, SILVER))

    dist = np.sqrt((c.u - cx) ** 2 + (c.v - cy) ** 2)
    disc = c.coverage(dist - r)
    # bevelled rim: normal tilts outward, lit from the upper left
    s = np.clip((dist - face) / (r - face), 0.0, 1.0)
    ux, uy = (c.u - cx) / (dist + 1e-6), (c.v - cy) / (dist + 1e-6)
    tilt = np.sin(s * np.pi / 2) * 0.85
    nz = np.sqrt(1 - tilt * tilt)
    rim_light = st.lambert(ux * tilt, uy * tilt, nz, LIGHT)
    c.fill(disc, st.ramp(0.08 + 0.78 * rim_light, SILVER))

    # brushed face: soft diagonal reflection plus fine circular brushing
    face_a = c.coverage(dist - face)
    diag = (c.u - cx) * 0.7 + (c.v - cy) * 0.7
    refl = 0.66 - 0.55 * diag + 0.12 * np.exp(-(((diag + 0.06) / 0.05) ** 2))
    # fine circular brushing: about one groove per pixel, interpolated so it cannot alias
    rng = np.random.default_rng(11)
    grooves = ndimage.gaussian_filter1d(rng.normal(0.0, 1.0, c.size * 2), 0.7)
    refl += 0.02 * np.interp(dist * c.size, np.arange(c.size * 2), grooves).astype(np.float32)
    c.fill(face_a, st.ramp(refl, SILVER))
    c.darken(0.18 * face_a * st.smoothstep(face - 0.012, face, dist))


def _draw_chain(c: st.Canvas, top: tuple[float, float]) -> None:
    """A cable chain from the bail up to the top corners: alternating flat and edge-on links."""
    size, ss = c.size, 2
    layer = Image.new("L", (size * ss, size * ss), 0)
    draw = ImageDraw.Draw(layer)
    px = size * ss
    for side in (-1, 1):
        x0, y0 = top
        x1, y1 = 0.5 + side * 0.40, -0.04
        n = 44
        pts = []
        for i in range(n + 1):
            f = i / n
            sag = 0.05 * np.sin(np.pi * f) * (1 - f)
            pts.append((x0 + (x1 - x0) * f, y0 + (y1 - y0) * f - sag))
        for i in range(n):
            (ax, ay), (bx, by) = pts[i], pts[i + 1]
            mx, my = (ax + bx) / 2 * px, (ay + by) / 2 * px
            dx, dy = (bx - ax) * px, (by - ay) * px
            length = np.hypot(dx, dy)
            ux, uy = dx / length, dy / length
            half = length * 0.78  # links overlap their neighbours
            if i % 2 == 0:  # flat link: an oval ring along the chain
                ring = [
                    (
                        mx + ux * half * np.cos(t) - uy * half * 0.55 * np.sin(t),
                        my + uy * half * np.cos(t) + ux * half * 0.55 * np.sin(t),
                    )
                    for t in np.linspace(0, 2 * np.pi, 25)
                ]
                draw.line(ring, fill=255, width=max(2, round(px / 420)), joint="curve")
            else:  # edge-on link: a short bar
                draw.line(
                    [(mx - ux * half, my - uy * half), (mx + ux * half, my + uy * half)],
                    fill=255,
                    width=max(3, round(px / 260)),
                )
    chain = np.asarray(layer.resize((size, size), Image.Resampling.BOX), np.float32) / 255.0
    c.darken(0.30 * st.blurred(np.roll(chain, (size // 200, size // 300), (0, 1)), size / 250))
    light = 0.42 + 0.30 * np.cos((c.u * 1.3 + c.v) * 90.0)
    c.fill(chain, st.ramp(light, SILVER))


# -- t-shirt -------------------------------------------------------------------------

_TEE = [
    (0.40, 0.115), (0.27, 0.155), (0.10, 0.29), (0.165, 0.405), (0.265, 0.345),
    (0.27, 0.905), (0.73, 0.905), (0.735, 0.345), (0.835, 0.405), (0.90, 0.29),
    (0.73, 0.155), (0.60, 0.115),
]  # fmt: skip


def _draw_tshirt(c: st.Canvas) -> None:
    size = c.size
    st.studio_background(c, top=(0.80, 0.85, 0.88), floor=(0.73, 0.78, 0.82))
    big = Image.new("L", (size * 3, size * 3), 0)
    draw = ImageDraw.Draw(big)
    draw.polygon([(x * size * 3, y * size * 3) for x, y in _TEE], fill=255)
    shirt = np.asarray(big.resize((size, size), Image.Resampling.BOX), np.float32) / 255.0
    neck = c.coverage(st.ellipse_sdf(c, 0.5, 0.112, 0.10, 0.062))
    shirt = shirt * (1.0 - neck * (c.v > 0.112))
    shadow = np.roll(shirt, (int(size * 0.012), int(size * 0.008)), (0, 1))
    c.darken(0.30 * st.blurred(shadow, size / 90))

    folds = st.soft_noise(size, 0.12, seed=3) * 0.07 + st.soft_noise(size, 0.04, seed=5) * 0.025
    edge = st.blurred(shirt, size / 45)
    shade = 0.90 + folds - 0.10 * (1 - edge) + 0.05 * (0.6 - c.v)
    rng = np.random.default_rng(9)
    weave = rng.normal(0.0, 0.012, (size, size)).astype(np.float32)
    fabric = np.array([0.975, 0.972, 0.965], np.float32)
    c.fill(shirt, fabric * (shade + weave)[..., None])

    # neckline: the inside of the back seen through the opening, then the rib bands
    inside = neck * (c.v > 0.112)
    depth = 0.78 + 0.10 * st.smoothstep(0.12, 0.17, c.v)
    c.fill(inside, fabric * (depth + weave * 0.5)[..., None])
    back_rib = inside * (c.v < 0.128)
    c.fill(back_rib, fabric * 0.86)
    d = np.sqrt(((c.u - 0.5) / 0.10) ** 2 + ((c.v - 0.112) / 0.062) ** 2)
    front_rib = c.coverage(np.abs(d - 1.12) * 0.062 - 0.0065) * (c.v > 0.112)
    ribs = 0.93 + 0.03 * np.cos(np.arctan2(c.v - 0.112, c.u - 0.5) * 160)
    c.fill(front_rib, fabric * ribs[..., None])
    c.darken(0.10 * c.coverage(np.abs(d - 1.25) * 0.062 - 0.0008) * (c.v > 0.112))
    hem = c.coverage(np.abs(c.v - 0.885) - 0.0012) * shirt
    c.darken(0.07 * hem)
    # sleeve seams (shoulder to armpit) and sleeve hems, parallel to the cuffs
    for (ax, ay), (bx, by), (cx_, cy_), (dx_, dy_) in (
        ((0.27, 0.155), (0.265, 0.345), (0.10, 0.29), (0.165, 0.405)),
        ((0.73, 0.155), (0.735, 0.345), (0.90, 0.29), (0.835, 0.405)),
    ):
        c.darken(0.08 * shirt * c.coverage(_segment(c, ax, ay, bx, by) - 0.0012))
        ox, oy = (ax - cx_) * 0.09, (ay - cy_) * 0.09
        cuff = _segment(c, cx_ + ox, cy_ + oy, dx_ + ox, dy_ + oy)
        c.darken(0.07 * shirt * c.coverage(cuff - 0.0012))


def _segment(c: st.Canvas, ax: float, ay: float, bx: float, by: float) -> np.ndarray:
    """Distance from every pixel to the segment a-b, in image fractions."""
    vx, vy = bx - ax, by - ay
    t = np.clip(((c.u - ax) * vx + (c.v - ay) * vy) / (vx * vx + vy * vy), 0.0, 1.0)
    return np.sqrt((c.u - ax - t * vx) ** 2 + (c.v - ay - t * vy) ** 2)


# -- phone case ------------------------------------------------------------------------


def _draw_phone_case(c: st.Canvas) -> None:
    st.studio_background(c, top=(0.93, 0.93, 0.94), floor=(0.85, 0.85, 0.86))
    cx, cy, hw, hh, rad = 0.5, 0.5, 0.19, 0.38, 0.065
    shadow = st.blurred(
        c.coverage(st.rounded_rect_sdf(c, cx + 0.015, cy + 0.02, hw, hh, rad)), c.size / 60
    )
    c.darken(0.35 * shadow)
    sdf = st.rounded_rect_sdf(c, cx, cy, hw, hh, rad)
    case = c.coverage(sdf)
    gy, gx = np.gradient(sdf)
    gn = np.sqrt(gx * gx + gy * gy) + 1e-9
    bevel = st.smoothstep(-0.014, 0.0, sdf)
    nx, ny = gx / gn * bevel * 0.9, gy / gn * bevel * 0.9
    nz = np.sqrt(np.clip(1 - nx * nx - ny * ny, 0, 1))
    light = st.lambert(nx, ny, nz, LIGHT)
    sheen = 0.05 * np.exp(-((((c.u - cx) + (c.v - cy) * 0.6 + 0.05) / 0.09) ** 2))
    graphite = np.array([0.135, 0.14, 0.15], np.float32)
    col = graphite * (0.55 + 0.6 * light)[..., None] + (sheen + 0.25 * bevel * light**6)[..., None]
    c.fill(case, col)

    # camera bump with two lenses and a flash
    bx, by = cx - 0.095, cy - 0.265
    bump_sdf = st.rounded_rect_sdf(c, bx, by, 0.07, 0.085, 0.03)
    c.darken(0.35 * st.blurred(c.coverage(bump_sdf - 0.004), c.size / 250) * case)
    bump = c.coverage(bump_sdf)
    edge = st.smoothstep(-0.006, 0.0, bump_sdf)
    c.fill(bump, graphite * (1.15 + 0.9 * edge * (0.5 - (c.u - bx + c.v - by) * 6))[..., None])
    for lx, ly in ((bx - 0.028, by - 0.038), (bx - 0.028, by + 0.038)):
        d = np.sqrt((c.u - lx) ** 2 + (c.v - ly) ** 2)
        c.fill(c.coverage(d - 0.029), (0.22, 0.22, 0.24))
        c.fill(c.coverage(d - 0.022), (0.03, 0.03, 0.05))
        glass = c.coverage(d - 0.012)
        c.fill(glass, (0.06, 0.08, 0.14))
        c.fill(
            c.coverage(np.sqrt((c.u - lx + 0.006) ** 2 + (c.v - ly + 0.006) ** 2) - 0.004),
            (0.8, 0.85, 0.95),
        )
    d = np.sqrt((c.u - bx - 0.035) ** 2 + (c.v - by) ** 2)
    c.fill(c.coverage(d - 0.011), (0.93, 0.90, 0.80))


# -- cutting board ---------------------------------------------------------------------


def _draw_cutting_board(c: st.Canvas) -> None:
    st.studio_background(c, top=(0.94, 0.94, 0.93), floor=(0.86, 0.86, 0.84))
    cx, cy, hw, hh, rad = 0.5, 0.53, 0.36, 0.30, 0.05
    board_sdf = st.rounded_rect_sdf(c, cx, cy, hw, hh, rad)
    handle = st.ellipse_sdf(c, cx, cy - hh + 0.07, 0.075, 0.028)  # the hang hole
    sdf = np.maximum(board_sdf, -handle)
    shadow = st.blurred(
        c.coverage(st.rounded_rect_sdf(c, cx + 0.012, cy + 0.02, hw, hh, rad)), c.size / 70
    )
    c.darken(0.38 * shadow)
    # the board's thickness: its front edge, end grain, just below the top face
    thick = 0.018
    edge_sdf = np.maximum(st.rounded_rect_sdf(c, cx, cy + thick, hw, hh, rad), -handle)
    edge_shade = 0.55 + 0.25 * st.smoothstep(cy + hh - 0.02, cy + hh + thick, c.v)
    c.fill(c.coverage(edge_sdf), np.array([0.62, 0.43, 0.26], np.float32) * edge_shade[..., None])
    board = c.coverage(sdf)
    # grain: an irregular 1-D growth profile across the board, gently warped, plus pores
    rng = np.random.default_rng(24)
    profile = ndimage.gaussian_filter1d(rng.normal(0, 1, 6000), 2.0) * 0.6
    profile += ndimage.gaussian_filter1d(rng.normal(0, 1, 6000), 9.0) * 2.2
    profile = (profile - profile.min()) / (np.ptp(profile) + 1e-6)
    warp = st.soft_noise(c.size, 0.3, seed=21) * 0.025 + 0.01 * np.sin(c.u * 5.0 + 1.0)
    idx = np.clip(((c.v + warp) * 4200).astype(np.int32), 0, 5999)
    streak = profile[idx].astype(np.float32)
    pores = ndimage.gaussian_filter(
        rng.normal(0, 1, (c.size, c.size)).astype(np.float32), (0.6, c.size / 90)
    )
    pores /= np.abs(pores).max() + 1e-6
    grain = 0.25 + 0.6 * streak + 0.35 * pores
    stops = [(0.0, (0.58, 0.40, 0.23)), (0.5, (0.74, 0.55, 0.34)), (1.0, (0.85, 0.68, 0.47))]
    wood = st.ramp(grain, stops)
    light = 1.0 + 0.10 * (0.5 - c.u) + 0.06 * (0.5 - c.v)
    gy, gx = np.gradient(sdf)
    gn = np.sqrt(gx * gx + gy * gy) + 1e-9
    rim = st.smoothstep(-0.012, 0.0, sdf)
    edge_light = (-(gx / gn) * 0.6 - (gy / gn) * 0.8) * rim
    c.fill(board, wood * (light + 0.25 * edge_light)[..., None])
    # the hole's far wall shows as a crescent of end grain inside the opening
    hole = c.coverage(handle)
    wall = hole * (1.0 - c.coverage(st.ellipse_sdf(c, cx, cy - hh + 0.07 + thick, 0.075, 0.028)))
    c.fill(wall, np.array([0.50, 0.34, 0.20], np.float32))


# -- glass tumbler ---------------------------------------------------------------------


def _draw_tumbler(c: st.Canvas) -> None:
    st.studio_background(c, top=(0.30, 0.33, 0.38), floor=(0.20, 0.22, 0.26))
    cx, hw, yt, yb, ry = 0.5, 0.22, 0.20, 0.80, 0.045
    c.darken(0.45 * st.gaussian_spot(c, cx, yb + 0.03, 0.30, 0.04))
    dxb = (c.u - cx) / hw
    inside = np.clip(1.0 - dxb * dxb, 0.0, 1.0)
    ybottom = yb + ry * np.sqrt(inside)
    body = c.coverage(np.maximum.reduce([np.abs(c.u - cx) - hw, yt - c.v, c.v - ybottom]))
    nx = np.clip(dxb, -1.0, 1.0)
    # glass: the backdrop seen through it, slightly darker and bluer, bright at the walls
    fresnel = np.abs(nx) ** 6
    tint = np.array([0.86, 0.92, 0.98], np.float32)
    seen = c.rgb * tint * (0.92 + 0.1 * (1 - np.abs(nx)))[..., None]
    glass = seen + (0.55 * fresnel)[..., None]
    glass += (
        0.55 * np.exp(-(((nx + 0.62) / 0.05) ** 2)) + 0.25 * np.exp(-(((nx - 0.7) / 0.035) ** 2))
    )[..., None]
    c.fill(body, glass)
    base = c.coverage(np.maximum(np.abs(c.u - cx) - hw, np.abs(c.v - (yb - 0.02)) - 0.035)) * body
    c.fill(base * 0.6, (0.55, 0.6, 0.66))
    rim = c.coverage(np.abs(st.ellipse_sdf(c, cx, yt, hw, ry)) - 0.0025)
    c.fill(rim, (0.85, 0.9, 0.95))
    back = c.coverage(np.abs(st.ellipse_sdf(c, cx, yt, hw - 0.004, ry - 0.002)) - 0.0012) * (
        c.v < yt
    )
    c.fill(back * 0.5, (0.7, 0.75, 0.8))


DRAW = {
    "mug": _draw_mug,
    "ring": _draw_ring,
    "tshirt": _draw_tshirt,
    "phone-case": _draw_phone_case,
    "pendant": _draw_pendant,
    "cutting-board": _draw_cutting_board,
    "tumbler": _draw_tumbler,
}
