"""A fresh, empty database for tests that need real commits (concurrency, migrations).

The suite's database decides the kind: a new SQLite file, or a new schema in the PostgreSQL
database given by ``CLEARANCE_TEST_DATABASE_URL`` (reached through ``search_path``). The
schema is dropped afterwards. These tests cannot use the rolled-back ``db_session`` fixture.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, text

from tests.conftest import make_app


@dataclass
class FreshDatabase:
    url: str
    engine_options: dict[str, Any] = field(default_factory=dict)

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgresql")

    def engine(self):
        return create_engine(self.url, **self.engine_options)

    def app(self, tmp_path: Path, **config: Any) -> Flask:
        options = {"pool_pre_ping": True, **self.engine_options}
        return make_app(tmp_path, self.url, SQLALCHEMY_ENGINE_OPTIONS=options, **config)


@contextmanager
def fresh_database(suite_url: str, tmp_path: Path,
                   prefix: str = "fresh") -> Iterator[FreshDatabase]:
    if not suite_url.startswith("postgresql"):
        yield FreshDatabase(f"sqlite:///{tmp_path / (prefix + '.db')}")
        return
    schema = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(suite_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield FreshDatabase(suite_url, {"connect_args": {"options": f"-csearch_path={schema}"}})
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def dispose(app: Flask) -> None:
    from clearance.extensions import db, limiter

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    limiter.reset()


@contextmanager
def seeded_app(suite_url: str, tmp_path: Path, prefix: str,
               scenario: Callable[[], Any]) -> Iterator[tuple[Flask, Any]]:
    """A migrated app on a fresh database with ``scenario()``'s rows committed (in one write
    transaction), for race tests that send real concurrent requests; ``(app, scenario())``."""
    from flask_migrate import upgrade

    from clearance.database import commit, write_intent

    with fresh_database(suite_url, tmp_path, prefix) as fresh:
        app = fresh.app(tmp_path, LOGIN_RATE_LIMIT="100000 per minute")
        try:
            with app.app_context():
                upgrade()
                with write_intent(True):
                    info = scenario()
                    commit()
            yield app, info
        finally:
            dispose(app)
