"""Fixtures of the account and console tests: the app mailing through a real local SMTP
server (aiosmtpd), and helpers that sign a brand up the way a person would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from luneo_app import create_app
from luneo_app.extensions import db as _db
from tests.accounts.mailbox import Mailbox
from tests.conftest import clean_state, make_config


@pytest.fixture(scope="session")
def _smtp_server() -> Iterator[Mailbox]:
    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture()
def mailbox(_smtp_server: Mailbox) -> Mailbox:
    _smtp_server.clear()
    return _smtp_server


@pytest.fixture()
def app(_schema, mailbox):  # type: ignore[no-untyped-def]
    """The app sending mail to the test's SMTP server (overrides ``app``)."""
    application = create_app(make_config(SMTP_URL=mailbox.url, BRAND_ERASURE_DELAY_HOURS=48))
    clean_state(application)
    with application.app_context():
        yield application
        _db.session.remove()
