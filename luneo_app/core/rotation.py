"""The overlap window of a credential rotation: how long the old secret keeps working.

Rotating an API key or a webhook signing secret keeps the old one valid for a window the
brand chooses per rotation (hours, from 0 = stop at once to ``MAX_OVERLAP_HOURS``; default
``DEFAULT_OVERLAP_HOURS``), so its servers can switch without an outage.
"""

from __future__ import annotations

from datetime import timedelta

from .errors import ValidationFailed

DEFAULT_OVERLAP_HOURS = 24
MAX_OVERLAP_HOURS = 7 * 24


def overlap_window(value: object) -> timedelta:
    """The overlap a rotation asked for (``None``/empty: the default); raises
    :class:`ValidationFailed` (422 ``invalid_overlap``) outside 0 to ``MAX_OVERLAP_HOURS``."""
    if value is None or value == "":
        return timedelta(hours=DEFAULT_OVERLAP_HOURS)
    try:
        hours = int(str(value).strip())
    except ValueError:
        hours = -1
    if isinstance(value, bool) or not 0 <= hours <= MAX_OVERLAP_HOURS:
        raise ValidationFailed(
            f"Choose an overlap from 0 to {MAX_OVERLAP_HOURS} hours.",
            code="invalid_overlap",
            details={"overlapHours": f"a whole number of hours from 0 to {MAX_OVERLAP_HOURS}"},
        )
    return timedelta(hours=hours)
