"""Database engine behaviour: SQLite pragmas and write locking, UTC helpers, after-commit hooks.

SQLite: WAL, foreign keys and a busy timeout on every connection. A transaction that will write
starts with ``BEGIN IMMEDIATE`` so that read-then-write never fails with "database is locked":
writers queue on the busy timeout instead of failing when they upgrade a read lock. Requests that
must not change state (GET/HEAD) begin deferred so readers never queue behind writers.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from clearance.extensions import db

_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "clearance_write_intent", default=True
)


def utcnow() -> dt.datetime:
    """Timezone-aware now in UTC."""
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; everything stored is UTC, so mark it so."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def set_write_intent(value: bool) -> contextvars.Token[bool]:
    return _write_intent.set(value)


@contextmanager
def write_intent(value: bool = True) -> Iterator[None]:
    token = _write_intent.set(value)
    try:
        yield
    finally:
        _write_intent.reset(token)


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Install SQLite pragmas and the BEGIN [IMMEDIATE] recipe on ``engine``."""
    if engine.dialect.name != "sqlite":
        return
    if getattr(engine, "_clearance_configured", False):
        return
    engine._clearance_configured = True  # type: ignore[attr-defined]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, emit BEGIN (needed for savepoints and IMMEDIATE).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


# ---- after-commit callbacks (mail and jobs go out only once the data is committed) ----

_AFTER_COMMIT_KEY = "clearance_after_commit"


def after_commit(callback: Callable[[], Any]) -> None:
    """Run ``callback`` once the current unit of work commits; it is dropped on rollback.

    Only the unit-of-work owners (the request lifecycle, the job wrapper, CLI commands) commit,
    through :func:`commit` below, which runs the callbacks after the data is durable.
    """
    db.session().info.setdefault(_AFTER_COMMIT_KEY, []).append(callback)


def commit() -> None:
    """Commit the unit of work, then run its after-commit callbacks (mail, jobs)."""
    session = db.session()
    callbacks = session.info.pop(_AFTER_COMMIT_KEY, [])
    try:
        session.commit()
    except Exception:
        session.rollback()
        raise
    for callback in callbacks:
        callback()


def rollback() -> None:
    """Discard the unit of work and everything it queued."""
    session = db.session()
    session.info.pop(_AFTER_COMMIT_KEY, None)
    session.rollback()
