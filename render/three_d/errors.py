"""The error the 3D engine raises for a model it cannot take."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class ModelError(ValueError):
    """A 3D model (or a texture for it) cannot be used.

    ``code`` is stable and machine-readable, for the app to map to a message for the
    merchant: ``invalid_glb``, ``too_large``, ``too_many_triangles``, ``no_geometry``,
    ``no_uvs``, ``unsupported``, ``no_print_material``, ``unknown_material``,
    ``bad_texture``, ``bad_uv_rect``, ``unknown_model``.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def as_dict(self) -> dict[str, str]:
        """The error as a JSON-ready dict: ``{"code", "message"}``."""
        return {"code": self.code, "message": self.message}

    def __repr__(self) -> str:
        return f"ModelError({self.code!r}, {self.message!r})"


@contextmanager
def malformed_as_model_error() -> Iterator[None]:
    """Turn the lookup and type errors a malformed glTF JSON provokes into
    ``ModelError('invalid_glb')``, so an upload never surfaces as a crash."""
    try:
        yield
    except ModelError:
        raise
    except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
        raise ModelError("invalid_glb", f"malformed glTF: {exc!r}") from exc
