"""JSON logs with a request id that follows the work from the request into its jobs."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from opentelemetry import trace

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "luneo_request_id", default=None
)

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

# Never let a secret reach a log line, whatever a caller passes in.
_SECRET_RE = re.compile(
    r"(shpat_|shpca_|shpua_|shprt_|lk_[a-z0-9]+_|sk-|ck_|cs_)[A-Za-z0-9_\-]{6,}|"
    r"(access_token|refresh_token|client_secret|password|consumer_key|consumer_secret|"
    r"oauth_consumer_key|oauth_signature)(\"?\s*[:=]\s*\"?)[^\"&\s,]+",
    re.IGNORECASE,
)


# What a database puts of the row into its own error messages (PostgreSQL's DETAIL lines:
# unique and foreign-key violations name the key's values, not-null and check violations the
# whole row). The engine hides bound parameters (``hide_parameters``); these are the values
# the server itself echoes back.
_DB_VALUES_RE = re.compile(
    r"(Key \([^)]*\)=)\((?:[^()]|\([^()]*\))*\)|(Failing row contains )\((?:.|\n)*?\)(?=\.|\n|$)"
)


def redact(text: str) -> str:
    """Mask anything that looks like a token or secret, and the values of rows a database
    error message repeats."""

    def _mask(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(1) + "***"
        return f"{match.group(2)}{match.group(3)}***"

    def _mask_row(match: re.Match[str]) -> str:
        return (match.group(1) or match.group(2)) + "(***)"

    return _DB_VALUES_RE.sub(_mask_row, _SECRET_RE.sub(_mask, text))


def new_request_id(candidate: str | None = None) -> str:
    """Use a well-formed incoming id (``X-Request-Id``) or make a new one."""
    if candidate and _REQUEST_ID_RE.match(candidate):
        return candidate
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, trace and span ids
    (when traced), extras."""

    _skip = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            entry["trace_id"] = format(span_context.trace_id, "032x")
            entry["span_id"] = format(span_context.span_id, "016x")
        for key, value in vars(record).items():
            if key not in self._skip and not key.startswith("_"):
                entry[key] = value if isinstance(value, (int, float, bool)) else redact(str(value))
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Send every log record to stderr as JSON (idempotent)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler.formatter, JsonFormatter):
            root.setLevel(level)
            return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.handlers = [handler]
    root.setLevel(level)
    logging.getLogger("werkzeug").setLevel("WARNING")
