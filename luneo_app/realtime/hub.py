"""The per-process fan-out: one reader of the event log, any number of open streams.

A web process holds one :class:`Hub` on its event loop. The hub tails the log (one blocking
``XREAD`` on Redis, or one table query per poll interval) and hands each event to the streams
of its brand; an idle stream costs a queue and a coroutine, no thread, no connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from ..observability.metrics import STREAMS_OPEN
from .log import EventLog, Notice
from .streams import StreamGrant

log = logging.getLogger("luneo.realtime")

CLOSE = "close"  # put in a subscriber's queue: the stream must end (shutdown, disconnect)
_QUEUE_SIZE = 1000
_RETRY_SECONDS = 1.0


class Subscriber:
    """One open stream's mailbox."""

    __slots__ = ("grant", "queue", "reason")

    def __init__(self, grant: StreamGrant) -> None:
        self.grant = grant
        self.queue: asyncio.Queue[Notice | str] = asyncio.Queue(maxsize=_QUEUE_SIZE)
        self.reason = ""

    def offer(self, notice: Notice) -> None:
        """Queue an event; a stream too slow to keep up is ended (it resumes by event id)."""
        try:
            self.queue.put_nowait(notice)
        except asyncio.QueueFull:
            self.close("overflow")

    def close(self, reason: str) -> None:
        """Ask the stream to end, ahead of anything still queued."""
        self.reason = self.reason or reason
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(CLOSE)


class Hub:
    """Routes the log's events to the open streams of this process."""

    def __init__(self, event_log: EventLog) -> None:
        self.log = event_log
        self._by_brand: dict[str, set[Subscriber]] = {}
        self._task: asyncio.Task[None] | None = None
        self.closing = False

    @property
    def open_streams(self) -> int:
        return sum(len(subs) for subs in self._by_brand.values())

    def subscribe(self, grant: StreamGrant) -> Subscriber:
        """Start receiving the events of ``grant``'s brand (and design)."""
        if self._task is None:
            # Read from the first grant's position: nothing published since it is missed.
            self._task = asyncio.get_running_loop().create_task(
                self._run(grant.cursor), name="realtime-hub"
            )
        sub = Subscriber(grant)
        self._by_brand.setdefault(grant.brand_id, set()).add(sub)
        STREAMS_OPEN.labels(grant.kind).inc()
        if self.closing:
            sub.close("shutdown")
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        subs = self._by_brand.get(sub.grant.brand_id)
        if subs is not None and sub in subs:
            subs.discard(sub)
            STREAMS_OPEN.labels(sub.grant.kind).dec()
            if not subs:
                del self._by_brand[sub.grant.brand_id]

    def dispatch(self, notice: Notice) -> None:
        """Hand ``notice`` to every stream that follows it."""
        for sub in tuple(self._by_brand.get(notice.brand_id, ())):
            grant = sub.grant
            if grant.design_id is not None and notice.design_id != grant.design_id:
                continue
            if grant.kind == "brand" and not grant.wants(notice.type):
                continue
            sub.offer(notice)

    def close_streams(self) -> None:
        """End every open stream now (the server is shutting down)."""
        self.closing = True
        for subs in tuple(self._by_brand.values()):
            for sub in tuple(subs):
                sub.close("shutdown")

    async def aclose(self) -> None:
        """End every stream and stop reading the log."""
        self.close_streams()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        await self.log.aclose()

    async def _run(self, cursor: str) -> None:
        while True:
            try:
                for notice in await self.log.tail(cursor):
                    cursor = notice.id
                    self.dispatch(notice)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the log may be down for a while: keep trying
                log.warning("realtime log unavailable, retrying", exc_info=True)
                await asyncio.sleep(_RETRY_SECONDS)
