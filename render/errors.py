"""Errors the render engine raises for input it cannot render."""

from __future__ import annotations


class SpecError(ValueError):
    """A design spec (or something it points to) cannot be rendered.

    ``code`` is a stable machine code the app maps to a message for the shopper
    (``unknown_font``, ``text_too_long``, ``bad_image`` ...); ``field`` is the JSON
    path of the offending value (``layers[0].font``) or ``None``.
    """

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        """The error as a JSON-ready dict: ``{"code", "message", "field"}``."""
        return {"code": self.code, "message": self.message, "field": self.field}

    def __repr__(self) -> str:
        return f"SpecError({self.code!r}, {self.message!r}, field={self.field!r})"
