"""A failed database statement is logged without the values it carried."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from luneo_app.extensions import db
from luneo_app.models import Order
from luneo_app.observability.logs import JsonFormatter, redact
from tests.support.factories import make_brand

SHOPPER = "Jane Marguerite Doe"
ADDRESS = "17 Rue des Lilas"


def _logged(caplog) -> str:  # type: ignore[no-untyped-def]
    formatter = JsonFormatter()
    return "\n".join(formatter.format(record) for record in caplog.records)


def test_a_failed_insert_is_logged_without_the_shoppers_name_or_address(app, caplog):
    brand = make_brand()
    row = {
        "id": "ord_dup",
        "brand_id": brand.id,
        "platform": "api",
        "external_id": "A-1",
        "name": SHOPPER,
        "shipping": {"name": SHOPPER, "address1": ADDRESS},
    }
    db.session.execute(insert(Order).values(**row))
    db.session.commit()

    with pytest.raises(IntegrityError) as failure:  # the same id again
        db.session.execute(insert(Order).values(**{**row, "external_id": "A-2"}))
    db.session.rollback()
    logging.getLogger("luneo.test").error("insert failed", exc_info=failure.value)

    logged = _logged(caplog)
    assert "insert failed" in logged and "IntegrityError" in logged
    assert SHOPPER not in logged and ADDRESS not in logged


def test_values_a_database_echoes_in_its_messages_are_masked():
    message = (
        'duplicate key value violates unique constraint "uq_x"\n'
        "DETAIL:  Key (brand_id, email)=(brd_1, jane@example.com) already exists.\n"
        'null value in column "platform" violates not-null constraint\n'
        'DETAIL:  Failing row contains (ord_1, brd_1, null, Jane Doe, {"a": 1}).\n'
    )

    masked = redact(message)

    assert "jane@example.com" not in masked and "Jane Doe" not in masked
    assert "Key (brand_id, email)=(***)" in masked
    assert "Failing row contains (***)" in masked
