"""Decode shopper photos in a short-lived child process with a memory ceiling.

A 113 KB PNG can decode to 40 megapixels (~160 MB); an iPhone HEIC to 48. Decoding in the
web worker itself let ten such uploads hold 2 GB of worker memory. Here the decode (and the
face check, which needs the pixels) runs in a forked child under ``RLIMIT_AS``: the worker
only ever holds the raw upload and the cleaned, reduced result. JPEGs are decoded already
reduced (libjpeg's DCT scaling, ``Image.draft``); every photo is stored at most
``UPLOAD_DECODE_PIXELS`` large. A child that runs out of its memory or time is refused as
``image_too_complex``; the worker is never at risk.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import resource
from dataclasses import dataclass
from typing import Any

from ..core.errors import ValidationFailed
from .faces import Faces
from .images import CleanImage, clean_upload

DECODE_SECONDS = 30


@dataclass(frozen=True)
class DecodeLimits:
    """What one upload may cost: bytes, source pixels, stored pixels, child memory."""

    max_bytes: int
    max_pixels: int
    decode_pixels: int
    memory_mb: int
    check_faces: bool = True


def decode_upload(raw: bytes, limits: DecodeLimits) -> tuple[CleanImage, Faces]:
    """Clean an upload (see :func:`.images.clean_upload`) and look for faces, in a child
    process. Raises ``ValidationFailed`` exactly as the in-process code would."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, raw, limits), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(DECODE_SECONDS):
            raise _too_complex("decoding took too long")
        try:
            outcome = receive.recv()
        except EOFError:  # killed: out of memory in a way Python could not report
            raise _too_complex("decoding needed more memory than allowed") from None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()
    if outcome[0] == "error":
        _kind, status, code, message, details = outcome
        raise ValidationFailed(message, code=code, status=status, details=details)
    return outcome[1], Faces(outcome[2])


def _child(send: Any, raw: bytes, limits: DecodeLimits) -> None:  # pragma: no cover - child
    try:
        _limit_memory(limits.memory_mb)
        clean = clean_upload(raw, limits.max_bytes, limits.max_pixels, limits.decode_pixels)
        faces = _faces(clean) if limits.check_faces else Faces.UNKNOWN
        send.send(("ok", clean, faces.value))
    except ValidationFailed as exc:
        send.send(("error", exc.status, exc.code, exc.message, exc.details))
    except MemoryError:
        error = _too_complex("decoding needed more memory than allowed")
        send.send(("error", error.status, error.code, error.message, error.details))
    finally:
        send.close()
        os._exit(0)  # no atexit handlers, no flushing of the parent's inherited buffers


def _faces(clean: CleanImage) -> Faces:
    from PIL import Image

    from .faces import detect

    with Image.open(io.BytesIO(clean.data)) as image:
        image.draft("L", (1024, 1024))  # the detector works on a reduced grey image anyway
        return detect(image)


def _limit_memory(memory_mb: int) -> None:
    """Cap the child's address space at what it already maps plus ``memory_mb``."""
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    ceiling = mapped + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


def _too_complex(reason: str) -> ValidationFailed:
    return ValidationFailed(
        f"The picture cannot be processed: {reason}. Upload a smaller photo.",
        code="image_too_complex",
    )
