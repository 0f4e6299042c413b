"""A small PDF object writer shared by the production PDFs, and path drawing for it.

Hand-written on purpose: the files must be byte-for-byte reproducible, lossless and exact
in size, and the tests read them back with independent readers (pikepdf/qpdf, Ghostscript).
"""

from __future__ import annotations

import zlib

from fontTools.pens.basePen import BasePen

POINTS_PER_MM = 72.0 / 25.4


def num(v: float) -> str:
    """A PDF number: 4 decimals, no trailing zeros."""
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def text_string(text: str) -> str:
    """A literal PDF string body (latin-1, escaped)."""
    safe = text.encode("latin-1", "replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


class PdfWriter:
    """Collects numbered objects and writes the file (classic xref table)."""

    def __init__(self) -> None:
        self.objects: list[bytes] = []

    def reserve(self) -> int:
        """A number for an object written later with ``set``."""
        self.objects.append(b"")
        return len(self.objects)

    def add(self, body: bytes | str) -> int:
        """Add an object; returns its number."""
        self.objects.append(body.encode() if isinstance(body, str) else body)
        return len(self.objects)

    def set(self, ref: int, body: bytes | str) -> None:
        self.objects[ref - 1] = body.encode() if isinstance(body, str) else body

    def stream(self, head: str, data: bytes, compress: bool = True) -> int:
        """Add a stream object (Flate-compressed unless ``compress`` is False)."""
        if compress:
            data = zlib.compress(data, 6)
            head = f"{head} /Filter /FlateDecode"
        return self.add(
            f"<< {head} /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"
        )

    def write(self, root: int, info: int, version: str, file_id: bytes | None = None) -> bytes:
        out = bytearray(f"%PDF-{version}\n%\xe2\xe3\xcf\xd3\n".encode("latin-1"))
        offsets = []
        for i, body in enumerate(self.objects, 1):
            offsets.append(len(out))
            out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(self.objects) + 1}\n0000000000 65535 f \n".encode()
        out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
        trailer = f"/Size {len(self.objects) + 1} /Root {root} 0 R /Info {info} 0 R"
        if file_id is not None:
            trailer += f" /ID [<{file_id.hex()}> <{file_id.hex()}>]"
        out += f"trailer\n<< {trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
        return bytes(out)


class PdfPathPen(BasePen):
    """A fontTools pen writing PDF path operators (quadratic curves made cubic)."""

    def __init__(self) -> None:
        super().__init__(None)
        self.ops: list[str] = []

    def _moveTo(self, pt):  # noqa: N802 - fontTools pen protocol
        self.ops.append(f"{num(pt[0])} {num(pt[1])} m")

    def _lineTo(self, pt):  # noqa: N802 - fontTools pen protocol
        self.ops.append(f"{num(pt[0])} {num(pt[1])} l")

    def _curveToOne(self, p1, p2, p3):  # noqa: N802 - fontTools pen protocol
        self.ops.append(" ".join(num(v) for v in (*p1, *p2, *p3)) + " c")

    def _closePath(self):  # noqa: N802 - fontTools pen protocol
        self.ops.append("h")

    def _endPath(self):  # noqa: N802 - fontTools pen protocol
        pass

    def value(self) -> str:
        return "\n".join(self.ops)
