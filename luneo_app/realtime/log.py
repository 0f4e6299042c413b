"""The realtime event log: what status streams follow, in order, resumable from an event id.

Two backends with one interface:

* :class:`RedisLog` (``REDIS_URL`` set): a Redis stream (``XADD`` with an approximate
  ``MAXLEN``). Each web process tails it with one blocking ``XREAD`` and fans the events out
  to its own streams. A Redis stream rather than pub/sub because its entry ids let a client
  resume (``Last-Event-ID``) and let a stream opening catch what was published meanwhile;
  pub/sub forgets everything it delivered.
* :class:`TableLog` (embedded default): the ``realtime_notices`` table. Each web process reads
  the rows after its last one every ``REALTIME_POLL_SECONDS`` (one indexed query per process,
  not per stream), so several processes still see each other's events.

Publishing is best effort: a lost event is never a lost state, the design row stays the truth
and ``GET /v1/designs/{id}`` always answers it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

import redis
import redis.asyncio as aioredis
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..core.clock import utcnow
from ..models import RealtimeNotice

log = logging.getLogger("luneo.realtime")

STREAM_KEY = "luneo:realtime:events"
# What a log read raises when its store (Redis or the database) is down.
LOG_ERRORS = (redis.RedisError, SQLAlchemyError)
_BATCH = 500


@dataclass(frozen=True)
class Notice:
    """One event of the log: its id (the SSE event id), owner brand, design and payload."""

    id: str
    brand_id: str
    type: str
    design_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


class EventLog(Protocol):
    """Append events and read them back after an id, synchronously and from asyncio."""

    origin: str

    def publish(
        self, brand_id: str, type: str, data: dict[str, Any], design_id: str | None = None
    ) -> str | None: ...

    def last_id(self) -> str: ...

    def valid_id(self, event_id: str) -> bool: ...

    def read_since(
        self, after: str, brand_id: str, design_id: str | None = None, limit: int = _BATCH
    ) -> list[Notice]: ...

    def order_key(self, event_id: str) -> tuple[int, int]: ...

    async def tail(self, after: str) -> list[Notice]: ...

    async def aclose(self) -> None: ...


class RedisLog:
    """The event log on a Redis stream."""

    origin = "0-0"  # the position before every event

    def __init__(self, url: str, max_length: int, block_seconds: float = 5.0) -> None:
        self.url = url
        self.max_length = max_length
        self.block_ms = int(block_seconds * 1000)
        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=3)
        self._async: aioredis.Redis | None = None

    def publish(
        self, brand_id: str, type: str, data: dict[str, Any], design_id: str | None = None
    ) -> str | None:
        """Append an event; its id, or None when Redis could not take it (logged)."""
        fields = {"b": brand_id, "t": type, "d": design_id or "", "p": _dumps(data)}
        try:
            entry = self.client.xadd(STREAM_KEY, fields, maxlen=self.max_length, approximate=True)
        except redis.RedisError:
            log.warning("could not publish realtime event %s", type, exc_info=True)
            return None
        return entry.decode() if isinstance(entry, bytes) else str(entry)

    def last_id(self) -> str:
        """The id of the newest event ("0-0" when there is none)."""
        newest = self.client.xrevrange(STREAM_KEY, count=1)
        return _text(newest[0][0]) if newest else self.origin

    def valid_id(self, event_id: str) -> bool:
        return re.fullmatch(r"\d{1,20}-\d{1,20}", event_id) is not None

    def order_key(self, event_id: str) -> tuple[int, int]:
        ms, _, seq = event_id.partition("-")
        return int(ms), int(seq or 0)

    def read_since(
        self, after: str, brand_id: str, design_id: str | None = None, limit: int = _BATCH
    ) -> list[Notice]:
        """Events of ``brand_id`` (and ``design_id`` when given) after ``after``, oldest first."""
        notices: list[Notice] = []
        start = "(" + after
        # The stream holds every brand's events: read in pages, keep this brand's.
        while len(notices) < limit:
            page = self.client.xrange(STREAM_KEY, min=start, max="+", count=_BATCH)
            if not page:
                break
            for entry_id, fields in page:
                notice = _from_fields(_text(entry_id), fields)
                if _matches(notice, brand_id, design_id):
                    notices.append(notice)
            start = "(" + _text(page[-1][0])
            if len(page) < _BATCH:
                break
        return notices[:limit]

    async def tail(self, after: str) -> list[Notice]:
        """Wait (up to a few seconds) for events after ``after``; [] when none came."""
        if self._async is None:
            # The read timeout must outlast the blocking XREAD itself.
            self._async = aioredis.Redis.from_url(
                self.url, socket_connect_timeout=3, socket_timeout=self.block_ms / 1000 + 5
            )
        answer = await self._async.xread({STREAM_KEY: after}, count=_BATCH, block=self.block_ms)
        notices: list[Notice] = []
        for _key, entries in answer or []:
            for entry_id, fields in entries:
                notices.append(_from_fields(_text(entry_id), fields))
        return notices

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.aclose()
            self._async = None


class TableLog:
    """The event log on the ``realtime_notices`` table (embedded default)."""

    origin = "0"  # the position before every event

    def __init__(self, engine: Engine, max_length: int, poll_seconds: float) -> None:
        self.engine = engine
        self.max_length = max_length
        self.poll_seconds = poll_seconds
        self._table = RealtimeNotice.__table__

    def publish(
        self, brand_id: str, type: str, data: dict[str, Any], design_id: str | None = None
    ) -> str | None:
        """Append an event in its own short transaction (never the caller's); its id."""
        row = {
            "brand_id": brand_id,
            "type": type,
            "design_id": design_id,
            "data": data,
            "created_at": utcnow(),
        }
        try:
            with self.engine.begin() as conn:
                new_id = conn.execute(insert(self._table).values(**row)).inserted_primary_key[0]
                if new_id % 200 == 0:  # prune now and then, keeping the resumable window
                    cutoff = new_id - self.max_length
                    conn.execute(delete(self._table).where(self._table.c.id <= cutoff))
        except Exception:  # noqa: BLE001 - an event is an optimisation, the row is the truth
            log.warning("could not record realtime event %s", type, exc_info=True)
            return None
        return str(new_id)

    def last_id(self) -> str:
        with self.engine.connect() as conn:
            return str(conn.scalar(select(func.max(self._table.c.id))) or self.origin)

    def valid_id(self, event_id: str) -> bool:
        return re.fullmatch(r"\d{1,18}", event_id) is not None

    def order_key(self, event_id: str) -> tuple[int, int]:
        return int(event_id), 0

    def read_since(
        self, after: str, brand_id: str, design_id: str | None = None, limit: int = _BATCH
    ) -> list[Notice]:
        t = self._table
        query = select(t).where(t.c.id > int(after), t.c.brand_id == brand_id)
        if design_id is not None:
            query = query.where(t.c.design_id == design_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(t.c.id).limit(limit)).all()
        return [_from_row(row) for row in rows]

    def _read_all_since(self, after: str) -> list[Notice]:
        t = self._table
        query = select(t).where(t.c.id > int(after)).order_by(t.c.id).limit(_BATCH)
        with self.engine.connect() as conn:
            return [_from_row(row) for row in conn.execute(query).all()]

    async def tail(self, after: str) -> list[Notice]:
        """Rows after ``after``; waits one poll interval first when there were none."""
        notices = await asyncio.to_thread(self._read_all_since, after)
        if not notices:
            await asyncio.sleep(self.poll_seconds)
        return notices

    async def aclose(self) -> None:
        return None


def make_log(config: dict[str, Any], engine: Engine) -> EventLog:
    """The log the settings call for: Redis when ``REDIS_URL`` is set, else the table."""
    if config.get("REDIS_URL"):
        return RedisLog(config["REDIS_URL"], int(config["REALTIME_LOG_LENGTH"]))
    return TableLog(
        engine, int(config["REALTIME_LOG_LENGTH"]), float(config["REALTIME_POLL_SECONDS"])
    )


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _from_fields(entry_id: str, fields: dict[Any, Any]) -> Notice:
    got = {_text(k): _text(v) for k, v in fields.items()}
    return Notice(
        id=entry_id,
        brand_id=got.get("b", ""),
        type=got.get("t", ""),
        design_id=got.get("d") or None,
        data=json.loads(got.get("p") or "{}"),
    )


def _from_row(row: Any) -> Notice:
    return Notice(
        id=str(row.id),
        brand_id=row.brand_id,
        type=row.type,
        design_id=row.design_id,
        data=dict(row.data or {}),
    )


def _matches(notice: Notice, brand_id: str, design_id: str | None) -> bool:
    return notice.brand_id == brand_id and (design_id is None or notice.design_id == design_id)
