"""Does an uploaded photo show a person's face? OpenCV's Haar cascade, offline.

The frontal-face cascade ships inside the ``opencv-python-headless`` 4.x wheels
(``cv2.data.haarcascades``). OpenCV 5 dropped both the cascades and ``CascadeClassifier``
from the wheel; when the detector cannot be loaded, :func:`detect` answers ``UNKNOWN`` and
the upload service asks for consent as if a face were there (privacy over convenience).
"""

from __future__ import annotations

import enum
import logging
import os
import threading
from functools import lru_cache

import numpy as np
from PIL import Image

log = logging.getLogger("luneo.uploads")

CASCADE = "haarcascade_frontalface_default.xml"
MAX_SIDE = 800  # detection runs on a reduced copy: fast, and faces stay well above min size
_local = threading.local()


class Faces(enum.Enum):
    """What the detector saw."""

    FOUND = "found"
    NONE = "none"
    UNKNOWN = "unknown"  # no detector available


@lru_cache(maxsize=1)
def _cascade_path() -> str | None:
    try:
        import cv2
    except ImportError:
        log.error("OpenCV is not installed: face checks cannot run; consent is always asked")
        return None
    folder = getattr(getattr(cv2, "data", None), "haarcascades", None)
    path = os.path.join(folder, CASCADE) if folder else None
    if not hasattr(cv2, "CascadeClassifier") or not path or not os.path.exists(path):
        log.error(
            "this OpenCV build has no Haar cascades (OpenCV %s): face checks cannot run; "
            "consent is always asked",
            getattr(cv2, "__version__", "?"),
        )
        return None
    return path


def available() -> bool:
    """Whether faces can be detected in this process."""
    return _cascade_path() is not None


def _classifier():  # type: ignore[no-untyped-def]
    """One classifier per thread (OpenCV objects are not shared across threads)."""
    classifier = getattr(_local, "classifier", None)
    if classifier is None:
        import cv2

        classifier = cv2.CascadeClassifier(_cascade_path())
        if classifier.empty():
            raise RuntimeError("the face cascade could not be loaded")
        _local.classifier = classifier
    return classifier


def detect(image: Image.Image) -> Faces:
    """Look for frontal faces at least 6 % of the photo's shorter side."""
    if not available():
        return Faces.UNKNOWN
    gray = image.convert("L")
    scale = min(1.0, MAX_SIDE / max(gray.size))
    if scale < 1.0:
        size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
        gray = gray.resize(size, Image.Resampling.BILINEAR)
    side = max(24, round(min(gray.size) * 0.06))
    found = _classifier().detectMultiScale(
        np.asarray(gray), scaleFactor=1.1, minNeighbors=5, minSize=(side, side)
    )
    return Faces.FOUND if len(found) else Faces.NONE
