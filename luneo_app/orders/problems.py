"""Order problems: what the merchant must look at (shown in the admin and the API)."""

from __future__ import annotations

from typing import Any

from ..core.clock import utcnow
from ..models import Order


def add_problem(order: Order, code: str, message: str, **where: Any) -> bool:
    """Record a problem once per (code, line); returns True when it is new. Caller commits.

    ``where`` may name ``lineItemId``, ``lineNumber`` and ``designId``.
    """
    problems = list(order.problems or [])
    line = where.get("lineItemId")
    if any(p.get("code") == code and p.get("lineItemId") == line for p in problems):
        return False
    problems.append({"code": code, "message": message[:500], **where, "at": utcnow().isoformat()})
    order.problems = problems  # a new list, so the JSON column is written
    return True
