"""Command line for the 3D engine.

    python -m render glb  --spec SPEC.json --model MODEL.glb --out FILE.glb [--texture PNG]
    python -m render usdz --spec SPEC.json --demo mug --out FILE.usdz
    python -m render.three_d validate --model MODEL.glb

Without ``--texture`` the design is drawn by the 2D engine (``render.texture``) from
the spec. The print area is ``--area`` or the spec's first; the engraving finish is
``--engraving`` or the material of the area's first text layer that has one.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from render.three_d.errors import ModelError
from render.three_d.materials import ENGRAVING_FINISHES
from render.three_d.models import GENERATORS, generate_model
from render.three_d.textures import TextureInput, open_image
from render.three_d.validate import MAX_TEXTURE_PX, validate_model


class CliError(Exception):
    """A problem worth one line on stderr."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``glb``, ``usdz`` or ``validate`` with ``argv`` (the command first); returns
    the exit status: 0 done, 1 the model, texture or spec could not be used, 2 usage."""
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        if args.command == "validate":
            info = validate_model(_model_bytes(args))
            print(json.dumps(dataclasses.asdict(info), indent=2))
            return 0
        return _bake(args)
    except (ModelError, CliError) as exc:
        code = getattr(exc, "code", None)
        print(f"error: {code + ': ' if code else ''}{exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # the 2D engine's SpecError and the like carry a code
        if hasattr(exc, "code"):
            print(f"error: {exc.code}: {exc}", file=sys.stderr)
            return 1
        raise


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m render", description="Personalised 3D models: GLB and USDZ."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, what in (
        ("glb", "write a personalised GLB"),
        ("usdz", "write a personalised USDZ for AR Quick Look"),
    ):
        cmd = commands.add_parser(name, help=what)
        _add_model_args(cmd)
        cmd.add_argument("--spec", type=Path, help="design spec JSON (render/SPEC.md)")
        cmd.add_argument(
            "--texture", type=Path, help="design texture PNG/JPEG; default: drawn from the spec"
        )
        cmd.add_argument("--out", type=Path, required=True, help="file to write")
        cmd.add_argument("--area", help="print area id in the spec (default: the first)")
        cmd.add_argument(
            "--material", help="model material that carries the design (default: detected)"
        )
        cmd.add_argument(
            "--uv-rect", help="u0,v0,u1,v1: place the design in this UV rectangle (v down)"
        )
        cmd.add_argument("--engraving", choices=sorted(ENGRAVING_FINISHES), help="engraving finish")
        cmd.add_argument(
            "--size", type=int, default=MAX_TEXTURE_PX, help="texture's longer side in px"
        )
    _add_model_args(commands.add_parser("validate", help="check a model and describe it as JSON"))
    return parser


def _add_model_args(cmd: argparse.ArgumentParser) -> None:
    source = cmd.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", type=Path, help="product model GLB")
    source.add_argument("--demo", choices=sorted(GENERATORS), help="use a generated product model")
    cmd.add_argument("--triangles", type=int, help="with --demo: about this many triangles")


def _model_bytes(args: argparse.Namespace) -> bytes:
    if args.demo:
        return generate_model(args.demo, args.triangles).to_glb()
    try:
        return args.model.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read model: {exc}") from None


def _bake(args: argparse.Namespace) -> int:
    spec = _read_spec(args.spec) if args.spec else None
    if spec is None and args.texture is None:
        raise CliError("give --spec (to draw the design) or --texture")
    area = args.area or _first_area(spec)
    model = _model_bytes(args)
    texture = _read_file(args.texture) if args.texture else _draw(spec, args.spec, area, args.size)
    options: dict[str, Any] = {
        "material_name": args.material or _material_for_area(model, area),
        "uv_rect": _uv_rect(args.uv_rect) if args.uv_rect else None,
        "engraving_material": args.engraving or _engraving_in(spec, area),
        "max_texture_px": args.size,
    }
    _warn_if_stretched(model, options["material_name"], texture, options["uv_rect"])
    if args.command == "glb":
        from render.three_d.glb import bake_glb

        data = bake_glb(model, texture, **options)
    else:
        from render.three_d.usdz import make_usdz

        data = make_usdz(model, texture, **options)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data):,} bytes)")
    return 0


def _warn_if_stretched(
    model: bytes, material: str | None, texture: TextureInput, uv_rect: object
) -> None:
    """Say so when the design's aspect is not the print area's: it would be stretched."""
    info = validate_model(model)
    name = material or info.print_material
    area = next((m.print_area_mm for m in info.materials if m.name == name), None)
    if uv_rect is not None or area is None:
        return
    size = texture.size if isinstance(texture, Image.Image) else open_image(texture).size
    design_aspect, area_aspect = size[0] / size[1], area[0] / area[1]
    if abs(design_aspect / area_aspect - 1) > 0.05:
        print(
            f"warning: the design is {size[0]}x{size[1]} px but print area {name!r} is "
            f"{area[0]:g} x {area[1]:g} mm; the design will be stretched to fit",
            file=sys.stderr,
        )


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc}") from None


def _read_spec(path: Path) -> dict:
    try:
        spec = json.loads(_read_file(path))
    except ValueError as exc:
        raise CliError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(spec, dict):
        raise CliError(f"{path} is not a JSON object")
    return spec


def _first_area(spec: dict | None) -> str | None:
    areas = (spec or {}).get("printAreas") or []
    return areas[0].get("id") if areas and isinstance(areas[0], dict) else None


def _area_mm(spec: dict, area: str | None) -> tuple[float, float]:
    for a in spec.get("printAreas") or []:
        if isinstance(a, dict) and a.get("id") == area:
            try:
                return float(a["widthMm"]), float(a["heightMm"])
            except (KeyError, TypeError, ValueError):
                break
    return 1.0, 1.0


def _draw(spec: dict | None, spec_path: Path, area: str | None, longest: int) -> Image.Image:
    """The area's design from the 2D engine, its longer side ``longest`` px."""
    try:
        import render
    except ImportError as exc:  # pragma: no cover - the package is always importable
        raise CliError(f"the 2D engine is not importable ({exc}); pass --texture") from None
    draw = getattr(render, "texture", None)
    if draw is None:
        raise CliError("the 2D engine has no render.texture yet; pass --texture PNG")
    assert spec is not None
    parse = getattr(render, "parse_spec", None)
    design = parse(spec, base_dir=spec_path.parent) if parse else spec
    w_mm, h_mm = _area_mm(spec, area)
    width = longest if w_mm >= h_mm else max(1, round(longest * w_mm / h_mm))
    return draw(design, area, width)


def _material_for_area(model: bytes, area: str | None) -> str | None:
    """The model material named like the print area, if there is one."""
    if not area:
        return None
    from render.three_d.gltf import Gltf

    names = [m.get("name") for m in Gltf.from_bytes(model).json.get("materials", [])]
    return area if area in names else None


def _engraving_in(spec: dict | None, area: str | None) -> str | None:
    for layer in (spec or {}).get("layers") or []:
        if (
            isinstance(layer, dict)
            and layer.get("printArea") == area
            and layer.get("material") in ENGRAVING_FINISHES
        ):
            return layer["material"]
    return None


def _uv_rect(text: str) -> tuple[float, float, float, float]:
    try:
        u0, v0, u1, v1 = (float(x) for x in text.split(","))
    except ValueError:
        raise CliError("--uv-rect takes four numbers: u0,v0,u1,v1") from None
    return u0, v0, u1, v1
