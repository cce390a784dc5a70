"""Background jobs on huey.

Backends, by configuration only: SqliteHuey in its own file (instance/jobs.db) by default,
RedisHuey when ``CLEARANCE_JOBS_BACKEND=redis``, and immediate mode (in-process, synchronous)
for tests. Every job runs inside an application context and is its own unit of work: the wrapper
commits on success and rolls back on failure, so job code flushes and never commits.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

from clearance import settings

ROOT = Path(__file__).resolve().parent.parent
_worker_app: Flask | None = None


def instance_path() -> Path:
    return Path(os.environ.get("CLEARANCE_INSTANCE_PATH") or ROOT / "instance")


def _make_huey() -> Huey:
    conf = settings.load()
    backend = conf["JOBS_BACKEND"]
    if conf["ENV"] == "testing" or backend == "immediate":
        return MemoryHuey("clearance", immediate=True)
    if backend == "redis":
        if not conf["REDIS_URL"]:
            raise RuntimeError("CLEARANCE_JOBS_BACKEND=redis needs CLEARANCE_REDIS_URL")
        return RedisHuey("clearance", url=conf["REDIS_URL"])
    if backend != "sqlite":
        raise RuntimeError(f"CLEARANCE_JOBS_BACKEND: unknown backend {backend!r}")
    path = instance_path()
    path.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("clearance", filename=str(path / "jobs.db"))


huey: Huey = _make_huey()


def set_worker_app(app: Flask) -> None:
    global _worker_app
    _worker_app = app


def _app_for_job() -> Flask:
    global _worker_app
    if _worker_app is None:
        from clearance.app import create_app

        _worker_app = create_app()
    return _worker_app


def job(**task_kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    """Declare a background job. The body runs in an app context as one unit of work."""

    def wrap(fn: Callable[..., Any]) -> Any:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            from clearance.database import commit, rollback, write_intent

            if has_app_context():
                ctx = None
            else:
                ctx = _app_for_job().app_context()
                ctx.push()
            try:
                with write_intent(True):
                    try:
                        result = fn(*args, **kwargs)
                        commit()
                    except Exception:
                        rollback()
                        current_app.logger.exception("job %s failed", fn.__name__)
                        raise
                return result
            finally:
                if ctx is not None:
                    ctx.pop()

        return huey.task(**task_kwargs)(run)

    return wrap
