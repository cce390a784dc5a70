"""Test fixtures: one database per run (SQLite file, or PostgreSQL when
``CLEARANCE_TEST_DATABASE_URL`` is set), built by the migrations; per-test isolation by an outer
transaction that every commit inside the test only releases a savepoint of."""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import create_engine, text
from sqlalchemy.orm import scoped_session, sessionmaker

from clearance.app import create_app
from clearance.extensions import db, limiter

TEST_PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def database_url(tmp_root: Path) -> str:
    return os.environ.get("CLEARANCE_TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'test.db'}"


def worker_schema() -> str:
    """The PostgreSQL schema this test process owns: ``public``, or one per xdist worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"test_{worker}" if worker else "public"


def postgres_engine_options() -> dict[str, Any]:
    return {"pool_pre_ping": True,
            "connect_args": {"options": f"-csearch_path={worker_schema()}"}}


def reset_postgres(url: str) -> None:
    schema = worker_schema()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


def make_app(tmp_root: Path, url: str, **extra: Any) -> Flask:
    config = {
        "ENV": "testing",
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key-" + "x" * 40,
        "INSTANCE_PATH": str(tmp_root / "instance"),
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "BASE_URL": "http://clearance.test",
    }
    if url.startswith("postgresql") and "SQLALCHEMY_ENGINE_OPTIONS" not in extra:
        config["SQLALCHEMY_ENGINE_OPTIONS"] = postgres_engine_options()
    config.update(extra)
    return create_app(config)


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clearance")


@pytest.fixture(scope="session")
def db_url(tmp_root: Path) -> str:
    return database_url(tmp_root)


@pytest.fixture(scope="session")
def app(tmp_root: Path, db_url: str) -> Iterator[Flask]:
    if db_url.startswith("postgresql"):
        reset_postgres(db_url)
    application = make_app(tmp_root, db_url)
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture()
def db_session(app: Flask) -> Iterator[Any]:
    """The app's session bound to one connection in an outer transaction, rolled back after."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        limiter.reset()
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production: its own app context, ``g`` and
    session (the test's own app context would otherwise be reused by every request)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        # Buffered: a streamed body is read inside the same context it was produced in.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture()
def client(app: Flask, db_session: Any) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


def csrf_token(client: FlaskClient, url: str = "/sign-in") -> str:
    page = client.get(url)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def login(client: FlaskClient, person: Any, password: str = TEST_PASSWORD) -> None:
    token = csrf_token(client, "/sign-in")
    response = client.post("/sign-in", data={"email": person.email, "password": password,
                                             "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def sign_in_directly(client: FlaskClient, person: Any) -> None:
    """Put ``person``'s sign-in into the client's session without the form (fast; for the
    access matrix, whose subject is access, not signing in)."""
    from clearance.extensions import login_manager

    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = login_manager._session_identifier_generator()
    with client.session_transaction() as session:
        session["_user_id"] = person.get_id()
        session["_fresh"] = True
        session["_id"] = identifier


@pytest.fixture()
def make_person(db_session: Any) -> Any:
    """Factory: ``make_person("Name", manager=..., roles={"ld"})`` with a known password."""
    from clearance.passwords import hash_password
    from people.operations import create_person

    counter = {"n": 0}
    hashed = {"value": None}

    def make(name: str | None = None, *, manager: Any = None, roles: set[str] | None = None,
             unit: str = "Ward 1", job_title: str = "Staff Nurse", password: bool = True,
             email: str | None = None) -> Any:
        counter["n"] += 1
        n = counter["n"]
        name = name or f"Person {n}"
        if password and hashed["value"] is None:
            hashed["value"] = hash_password(TEST_PASSWORD)
        slug = re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".")
        return create_person(
            employee_id=f"T{n:05d}", name=name, email=email or f"{slug}.{n}@example.org",
            job_title=job_title, unit=unit, manager=manager, roles=roles,
            password_hash=hashed["value"] if password else None,
        )

    return make


class Org:
    """The reference scenario every access-matrix test uses."""

    def __init__(self, make: Any) -> None:
        self.md = make("Mo Director", job_title="Chief Executive", unit="Executive")
        self.skip = make("Sky Level", manager=self.md, job_title="Head of Nursing")
        self.line = make("Lin Manager", manager=self.skip, job_title="Ward Manager")
        self.learner = make("Lea Learner", manager=self.line)
        self.unrelated = make("Una Related", manager=self.md, job_title="Ward Manager",
                              unit="Ward 2")
        self.other_learner = make("Otto Learner", manager=self.unrelated, unit="Ward 2")
        self.ld = make("Elle Dee", manager=self.md, roles={"ld"}, unit="L&D",
                       job_title="L&D Adviser")
        self.admin = make("Ada Admin", manager=self.md, roles={"admin"}, unit="Digital",
                          job_title="Systems Administrator")

    def role(self, name: str) -> Any:
        return {
            "learner": self.learner, "other_learner": self.other_learner,
            "line_manager": self.line, "skip_manager": self.skip,
            "unrelated_manager": self.unrelated, "ld": self.ld, "admin": self.admin,
            "md": self.md,
        }[name]


@pytest.fixture()
def org(make_person: Any, db_session: Any) -> Org:
    scenario = Org(make_person)
    db_session.commit()
    return scenario
