"""What every page benchmark shares: the app on a scratch database with an imported org, the
baseline (a bare Flask route doing one indexed query on the same database), request rates, SQL
statements per page, bulk inserts, and one child process per database so that neither run
inherits the other's caches or connections.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/clearance_bench"
CHUNK = 20_000
PASSWORD = "bench password 123"


def rate(fn: Callable[[], Any], seconds: float) -> float:
    """Calls per second of ``fn`` over ``seconds`` (after three warm-up calls)."""
    for _ in range(3):
        fn()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        count += 1
    return count / (time.perf_counter() - start)


def backend_name(url: str) -> str:
    return url.split(":", 1)[0].split("+", 1)[0]


def bench_app(url: str, workdir: Path, **extra: Any) -> Any:
    """The app on ``url`` (migrated), CSRF off, jobs immediate, sign-in unthrottled."""
    from flask_migrate import upgrade

    from clearance.app import create_app
    from clearance.extensions import db

    app = create_app({"ENV": "testing", "DATABASE_URL": url, "INSTANCE_PATH": str(workdir),
                      "SECRET_KEY": "bench-" + "x" * 40, "JOBS_BACKEND": "immediate",
                      "LOGIN_RATE_LIMIT": "100000 per minute", "WTF_CSRF_ENABLED": False,
                      **extra})
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        upgrade()
        db.session.remove()
    return app


def import_org(app: Any, csv_path: Path) -> None:
    """``flask people import`` of the generated org file."""
    result = app.test_cli_runner().invoke(args=["people", "import", str(csv_path),
                                                "--limit", "0"])
    if result.exit_code != 0:
        raise RuntimeError(f"import failed: {result.output[-2000:]}")


def bulk_insert(table: Any, rows: list[dict[str, Any]], chunk: int = CHUNK) -> None:
    """Core executemany in chunks (no ORM objects)."""
    from sqlalchemy import insert

    from clearance.extensions import db

    for i in range(0, len(rows), chunk):
        db.session.execute(insert(table), rows[i:i + chunk])


def fix_sequences(tables: Sequence[str]) -> None:
    """After inserts with ids chosen up front: move PostgreSQL's sequences past them, ANALYZE."""
    from sqlalchemy import text

    from clearance.extensions import db

    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT max(id) FROM {table}), 1))"))
    db.session.execute(text("ANALYZE"))


def sign_in(app: Any, email: str, password: str = PASSWORD) -> Any:
    """A test client signed in as ``email``."""
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"sign-in as {email} failed: {response.status_code}")
    return client


@contextmanager
def counting_statements(engine: Any) -> Iterator[list[str]]:
    """Collect the SQL statements run on ``engine`` inside the block."""
    from sqlalchemy import event

    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements_for(app: Any, client: Any, path: str, *, method: str = "GET",
                   data: dict[str, Any] | None = None, expect: int = 200) -> int:
    """How many SQL statements one request for ``path`` runs."""
    from clearance.extensions import db

    with app.app_context():
        engine = db.engine
    with counting_statements(engine) as seen:
        response = client.open(path, method=method, data=data)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path}: {response.status_code}, expected {expect}")
    return len(seen)


@contextmanager
def bare_client(url: str) -> Iterator[Any]:
    """A test client of the baseline: a bare Flask route, ``/person/<id>``, doing one indexed
    query on ``url``."""
    from flask import Flask
    from sqlalchemy import create_engine, text

    bare = Flask("bare")
    engine = create_engine(url)

    @bare.route("/person/<int:pid>")
    def person(pid: int) -> str:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT name FROM person WHERE id = :id"),
                                    {"id": pid}).scalar_one())

    try:
        yield bare.test_client()
    finally:
        engine.dispose()


def bare_rate(url: str, seconds: float, person_id: int = 1) -> float:
    """Requests/s of the baseline route on ``url``."""
    with bare_client(url) as client:
        return rate(lambda: client.get(f"/person/{person_id}"), seconds)


def dispose(app: Any) -> None:
    from clearance.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def reset_postgres(url: str) -> None:
    """Drop and recreate the public schema of the bench database (created when missing)."""
    from sqlalchemy import create_engine, make_url, text
    from sqlalchemy.exc import OperationalError

    target = make_url(url)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        engine.connect().close()
    except OperationalError:
        server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
        server.dispose()
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def run_child(module: str, args: Sequence[str]) -> dict[str, Any]:
    """``python -m <module> run <args>`` in a fresh process; its last stdout line is JSON."""
    out = subprocess.run([sys.executable, "-m", module, "run", *args],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-4000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def add_common_options(parser: argparse.ArgumentParser, *, people: int = 20_000,
                       seconds: float = 3.0) -> None:
    parser.add_argument("--people", type=int, default=people)
    parser.add_argument("--seconds", type=float, default=seconds,
                        help=f"how long each page is requested (default {seconds:g})")
    parser.add_argument("--pg-url", default=os.environ.get("CLEARANCE_BENCH_PG_URL", DEFAULT_PG),
                        help=f"PostgreSQL database to use; its public schema is dropped "
                             f"(default {DEFAULT_PG})")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")


def add_child_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The hidden ``run`` sub-command each child process is started with."""
    sub = parser.add_subparsers(dest="command")
    child = sub.add_parser("run", help=argparse.SUPPRESS)
    child.add_argument("--url", required=True)
    child.add_argument("--csv", type=Path, required=True)
    child.add_argument("--workdir", type=Path, required=True)
    child.add_argument("--seconds", type=float, default=3.0)
    return child


def each_backend(args: argparse.Namespace, child: Callable[[str, Path, Path], dict[str, Any]],
                 *, prefix: str, depth: int = 8) -> tuple[list[dict[str, Any]], float]:
    """Generate the org file once, then run ``child(url, csv_path, workdir)`` on SQLite and,
    unless ``--no-pg``, on PostgreSQL (schema reset before and after). Returns the results and
    the load average at the start."""
    from bench.generate_org import write_file

    load = os.getloadavg()[0]
    results = []
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        root = Path(tmp)
        csv_path = root / "org.csv"
        write_file(csv_path, args.people, depth=depth)
        sqlite_dir = root / "sqlite"
        sqlite_dir.mkdir()
        results.append(child(f"sqlite:///{sqlite_dir / 'bench.db'}", csv_path, sqlite_dir))
        if not args.no_pg:
            pg_dir = root / "pg"
            pg_dir.mkdir()
            reset_postgres(args.pg_url)
            try:
                results.append(child(args.pg_url, csv_path, pg_dir))
            finally:
                reset_postgres(args.pg_url)
    return results, load


def page_line(path: str, rps: float, bare_rps: float, statements: tuple[int, int] | None = None,
              *, small_label: str = "small", large_label: str = "large") -> str:
    """One report line: rate, share of the bare route, statements at two sizes."""
    line = f"  {path:<34}: {rps:8.1f} requests/s ({rps / bare_rps:.1%} of bare)"
    if statements is not None:
        small, large = statements
        line += (f"; SQL statements {small} ({small_label}), {large} ({large_label}) "
                 f"({'constant' if small == large else 'GROWS'})")
    return line
