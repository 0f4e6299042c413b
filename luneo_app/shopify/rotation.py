"""Re-encrypt every stored secret with the current key (``flask luneo rotate-key``).

A rotation without downtime:

1. ``flask luneo generate-key --kid k2`` makes a new key;
2. deploy with ``LUNEO_ENCRYPTION_KEY=k2:...`` and ``LUNEO_ENCRYPTION_OLD_KEYS=k1:...``:
   every process reads both keys and writes with k2;
3. ``flask luneo rotate-key`` rewrites every value still under another key id;
4. remove k1 from ``LUNEO_ENCRYPTION_OLD_KEYS``.

Each value is rewritten with a conditional update (``WHERE column = old ciphertext``), so a
token refreshed meanwhile by another process (already under the new key) is left alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Column, select, update

from ..core.crypto import Keyring
from ..extensions import db
from ..models import Brand, ShopInstall

# Every column that holds a Keyring ciphertext.
ENCRYPTED_COLUMNS: list[Column] = [
    ShopInstall.__table__.c.access_token_enc,
    ShopInstall.__table__.c.refresh_token_enc,
    Brand.__table__.c.webhook_secret_enc,
]


@dataclass
class RotationReport:
    """How many values were rewritten, and under which key ids values were found."""

    rewritten: int = 0
    found: Counter[str] = field(default_factory=Counter)


def rotate_encryption(keyring: Keyring, dry_run: bool = False) -> RotationReport:
    """Rewrite every ciphertext not under ``keyring.current`` with the current key."""
    report = RotationReport()
    for column in ENCRYPTED_COLUMNS:
        table = column.table
        rows = db.session.execute(select(table.c.id, column).where(column.is_not(None))).all()
        for row_id, ciphertext in rows:
            kid = keyring.key_id_of(ciphertext)
            report.found[kid] += 1
            if kid == keyring.current or dry_run:
                continue
            fresh = keyring.encrypt(keyring.decrypt(ciphertext))
            changed = db.session.execute(
                update(table)
                .where(table.c.id == row_id, column == ciphertext)
                .values({column.name: fresh})
            ).rowcount
            db.session.commit()
            report.rewritten += changed
    return report
