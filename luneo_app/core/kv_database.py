"""The key-value store on the database, for deployments without Redis.

On the embedded default (SQLite, no Redis) several gunicorn workers, the CLI and in-process
jobs are separate processes on one machine: nonces, OAuth state, locks and counters must be
seen by all of them, so they live in the ``kv_entries`` table rather than in memory. Every
operation is one SQL statement in its own short transaction (never the caller's session, so
a nonce taken stays taken even if the request later rolls back), made atomic by the
database itself: ``INSERT ... ON CONFLICT`` for set-if-absent and counters, ``DELETE ...
RETURNING`` for single-use takes. SQLite (3.35+) and PostgreSQL both speak these.

Expired rows read as absent; each process deletes them in batches at most once a minute
(:meth:`DatabaseStore.sweep`), on its next write.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

SWEEP_INTERVAL_SECONDS = 60.0
SWEEP_BATCH = 1000

# The table as this store reads and writes it. ``models.state.KvEntry`` maps the same table
# for the migrations; core stays below the models (tests/test_kv.py checks both agree).
_table = sa.Table(
    "kv_entries",
    sa.MetaData(),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("value", sa.Text),
    sa.Column("expires_at", sa.Float, index=True),
)


class DatabaseStore:
    """Key-value store in the ``kv_entries`` table, shared by every process of the database."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock
        self._last_sweep = 0.0
        dialect = engine.dialect.name
        if dialect == "postgresql":
            self._insert = postgresql.insert
        elif dialect == "sqlite":
            self._insert = sqlite.insert
        else:  # pragma: no cover - Luneo runs on these two
            raise RuntimeError(f"no key-value store for the {dialect} database")

    # --- the KeyValueStore protocol ------------------------------------------------------

    def set_if_absent(self, key: str, value: str, ttl: float) -> bool:
        """Set ``key`` only if missing or expired; True when this call set it."""
        now = self.clock()
        stmt = self._insert(_table).values(key=key, value=value, expires_at=now + ttl)
        stmt = stmt.on_conflict_do_update(
            index_elements=[_table.c.key],
            set_={"value": stmt.excluded.value, "expires_at": stmt.excluded.expires_at},
            where=_table.c.expires_at <= now,
        ).returning(_table.c.key)
        return self._write(stmt, now) is not None

    def take(self, key: str) -> str | None:
        """Read and delete in one statement: of two concurrent takers only one gets the value."""
        now = self.clock()
        stmt = (
            sa.delete(_table)
            .where(_table.c.key == key)
            .returning(_table.c.value, _table.c.expires_at)
        )
        row = self._write(stmt, now)
        if row is None or row.expires_at <= now:
            return None
        return row.value

    def get(self, key: str) -> str | None:
        """The live value of ``key``, else None."""
        stmt = sa.select(_table.c.value).where(
            _table.c.key == key, _table.c.expires_at > self.clock()
        )
        with self.engine.connect() as conn:
            return conn.execute(stmt).scalar_one_or_none()

    def delete(self, key: str) -> None:
        """Forget ``key``."""
        self._write(sa.delete(_table).where(_table.c.key == key), self.clock())

    def incr(self, key: str, ttl: float) -> int:
        """Add one and push the expiry to ``ttl`` from now (Redis ``INCR`` + ``PEXPIRE``)."""
        return self.add(key, 1, ttl, refresh_expiry=True)

    def ping(self) -> bool:
        """True when the database answers."""
        with self.engine.connect() as conn:
            return conn.execute(sa.text("SELECT 1")).scalar_one() == 1

    # --- beyond the protocol: locks and rate-limit windows ---------------------------------

    def add(self, key: str, amount: int, ttl: float, *, refresh_expiry: bool) -> int:
        """Add ``amount`` to the counter ``key`` and return the new value.

        A missing or expired counter starts from zero with ``ttl``; a live one keeps its
        expiry unless ``refresh_expiry`` (fixed windows keep it, failure counters slide).
        """
        now = self.clock()
        stmt = self._insert(_table).values(key=key, value=str(amount), expires_at=now + ttl)
        expired = _table.c.expires_at <= now
        bumped = sa.cast(sa.cast(_table.c.value, sa.Integer) + amount, sa.String)
        stmt = stmt.on_conflict_do_update(
            index_elements=[_table.c.key],
            set_={
                "value": sa.case((expired, stmt.excluded.value), else_=bumped),
                "expires_at": stmt.excluded.expires_at
                if refresh_expiry
                else sa.case((expired, stmt.excluded.expires_at), else_=_table.c.expires_at),
            },
        ).returning(_table.c.value)
        row = self._write(stmt, now)
        assert row is not None  # an upsert always returns its row
        return int(row.value)

    def delete_if(self, key: str, value: str) -> bool:
        """Delete ``key`` only while it still holds ``value`` (a lock released by its holder)."""
        stmt = (
            sa.delete(_table)
            .where(_table.c.key == key, _table.c.value == value)
            .returning(_table.c.key)
        )
        return self._write(stmt, self.clock()) is not None

    def expires_at(self, key: str) -> float | None:
        """Unix time at which the live ``key`` expires, else None."""
        stmt = sa.select(_table.c.expires_at).where(
            _table.c.key == key, _table.c.expires_at > self.clock()
        )
        with self.engine.connect() as conn:
            return conn.execute(stmt).scalar_one_or_none()

    def delete_prefix(self, prefix: str) -> int:
        """Delete every key starting with ``prefix``; how many rows went."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = sa.delete(_table).where(_table.c.key.like(escaped + "%", escape="\\"))
        with self.engine.begin() as conn:
            return conn.execute(stmt).rowcount

    def sweep(self) -> int:
        """Delete up to :data:`SWEEP_BATCH` expired rows; how many went."""
        now = self.clock()
        self._last_sweep = now
        expired = (
            sa.select(_table.c.key)
            .where(_table.c.expires_at <= now)
            .limit(SWEEP_BATCH)
            .scalar_subquery()
        )
        with self.engine.begin() as conn:
            return conn.execute(sa.delete(_table).where(_table.c.key.in_(expired))).rowcount

    # ---------------------------------------------------------------------------------------

    def _write(self, stmt: sa.Executable, now: float) -> sa.Row | None:
        with self.engine.begin() as conn:
            result = conn.execute(stmt)
            row = result.first() if result.returns_rows else None
        if now - self._last_sweep > SWEEP_INTERVAL_SECONDS:
            self.sweep()
        return row
