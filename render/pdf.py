"""A minimal single-page PDF writer for production files.

Pillow's PDF writer stores RGB as JPEG (lossy) and RGBA as JPEG 2000; a print
shop wants lossless pixels and the exact physical page size, so we write the
image ourselves: Flate-compressed RGB plus a Flate-compressed soft mask for the
transparency, on a page whose MediaBox is the print area in points.
"""

from __future__ import annotations

import zlib

from PIL import Image

POINTS_PER_MM = 72.0 / 25.4


def image_pdf(
    image: Image.Image, width_mm: float, height_mm: float, title: str = "Luneo production file"
) -> bytes:
    """One page of ``width_mm`` x ``height_mm`` filled by ``image`` (RGB or RGBA).

    Transparent pixels stay transparent through a soft mask; their colour is white
    so a viewer that ignores the mask shows white, not black.
    """
    w_pt, h_pt = width_mm * POINTS_PER_MM, height_mm * POINTS_PER_MM
    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A")
    white = Image.new("RGB", rgba.size, (255, 255, 255))
    white.paste(rgba, mask=alpha)
    has_alpha = alpha.getextrema()[0] < 255

    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(head: str, data: bytes) -> bytes:
        return f"<< {head} /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"

    def num(v: float) -> str:
        return f"{v:.4f}".rstrip("0").rstrip(".")

    catalog = add(b"")  # placeholders, filled once the ids are known
    pages = add(b"")
    page = add(b"")
    image_head = (
        f"/Type /XObject /Subtype /Image /Width {rgba.width} /Height {rgba.height} "
        "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode"
    )
    if has_alpha:
        smask = add(
            stream(
                f"/Type /XObject /Subtype /Image /Width {rgba.width} /Height {rgba.height} "
                "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
                zlib.compress(alpha.tobytes(), 3),
            )
        )
        image_head += f" /SMask {smask} 0 R"
    img = add(stream(image_head, zlib.compress(white.tobytes(), 3)))
    content = add(stream("", f"q {num(w_pt)} 0 0 {num(h_pt)} 0 0 cm /Im0 Do Q".encode()))
    info = add(f"<< /Title ({_pdf_text(title)}) /Producer (Luneo render) >>".encode())
    box = f"[0 0 {num(w_pt)} {num(h_pt)}]"
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages} 0 R >>".encode()
    objects[pages - 1] = f"<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>".encode()
    objects[page - 1] = (
        f"<< /Type /Page /Parent {pages} 0 R /MediaBox {box} /TrimBox {box} "
        f"/Resources << /XObject << /Im0 {img} 0 R >> >> /Contents {content} 0 R >>"
    ).encode()

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R /Info {info} 0 R >>\n".encode()
    )
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _pdf_text(text: str) -> str:
    safe = text.encode("latin-1", "replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
