"""Fixtures for the AI tests: the fake OpenAI server and apps configured for it."""

from __future__ import annotations

import pytest

from luneo_app import create_app
from luneo_app.extensions import db
from tests.conftest import clean_state, make_config
from tests.fakes.openai import FakeOpenAI

# Small artwork keeps the suite fast; the procedural tests check full size on their own.
FAST = {"AI_ARTWORK_PX": 256}


@pytest.fixture()
def fake_openai():  # type: ignore[no-untyped-def]
    with FakeOpenAI() as fake:
        yield fake


def _app(_schema, **overrides):  # type: ignore[no-untyped-def]
    application = create_app(make_config(**{**FAST, **overrides}))
    clean_state(application)
    return application


@pytest.fixture()
def offline_app(_schema):  # type: ignore[no-untyped-def]
    """No OpenAI key: the procedural generator is the provider."""
    application = _app(_schema, OPENAI_API_KEY=None)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()  # other test runs share the PostgreSQL server's connections


@pytest.fixture()
def openai_app(_schema, fake_openai):  # type: ignore[no-untyped-def]
    """An OpenAI key and the real SDK pointed at the fake server."""
    application = _app(
        _schema,
        OPENAI_API_KEY=fake_openai.api_key,
        OPENAI_BASE_URL=fake_openai.base_url,
        OPENAI_MAX_RETRIES=2,
        OPENAI_TIMEOUT=10.0,
    )
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()
