"""Catalogue and push enrolment: ``python -m bench.catalogue_bench [--people 20000] [--no-pg]
[--pg-url URL]``.

For each database: an org of ``--people`` people (through ``flask people import``) and 200
published programmes, then
- push enrolment to every manager (thousands of people): the first run, which inserts every
  enrolment, and the same assignment again, which changes nothing; with the SQL statements each
  costs (set-based: the count does not depend on how many people are enrolled),
- a whole unit, and the "how many will be enrolled" preview the assign page shows first,
- requests per second for the catalogue page (a learner, a search, a filter) beside a bare
  Flask route doing one query on the same database in the same run, and the page's SQL
  statements with 20 and with 200 programmes (must be the same).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/clearance_bench"


def _rate(fn: Callable[[], Any], seconds: float) -> float:
    for _ in range(5):
        fn()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        count += 1
    return count / (time.perf_counter() - start)


def _programmes(n: int, start: int, author_id: int) -> list[int]:
    import datetime as dt

    from sqlalchemy import insert, select

    from checkpoints.models import Checkpoint, Programme
    from clearance.extensions import db

    today = dt.date.today()
    rows = [{"title": f"Programme {i:03d}", "summary": f"Learning series number {i}.",
             "theme": ("Leadership", "Clinical skills", "Quality improvement")[i % 3],
             "audience": "managers" if i % 3 == 0 else "everyone", "kind": "elective",
             "open_in_catalogue": True, "status": "published", "created_by_id": author_id,
             "release_date": today - dt.timedelta(days=30 * (i % 12) - 60)}
            for i in range(start, start + n)]
    db.session.execute(insert(Programme), rows)
    ids = list(db.session.scalars(select(Programme.id).order_by(Programme.id)))[-n:]
    db.session.execute(insert(Checkpoint), [
        {"programme_id": pid, "position": pos, "title": f"Checkpoint {pos + 1}",
         "guidance": "", "min_evidence": 1, "allowed_evidence": "file,reflection,link",
         "kind": "formative", "approval_levels": 1, "due_offset_days": 14 * (pos + 1)}
        for pid in ids for pos in range(3)])
    return ids


def run_backend(url: str, csv_path: Path, workdir: Path, seconds: float) -> dict[str, Any]:
    from flask import Flask
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, event, func, select, text

    from checkpoints import operations, queries
    from checkpoints.models import Enrolment, Programme
    from checkpoints.queries import AssignTarget
    from clearance.app import create_app
    from clearance.database import commit
    from clearance.extensions import db
    from clearance.passwords import hash_password
    from people.models import Person

    app = create_app({"ENV": "testing", "DATABASE_URL": url, "INSTANCE_PATH": str(workdir),
                      "SECRET_KEY": "bench-" + "x" * 40, "JOBS_BACKEND": "immediate",
                      "LOGIN_RATE_LIMIT": "100000 per minute"})
    app.config["WTF_CSRF_ENABLED"] = False
    figures: dict[str, Any] = {"backend": url.split(":", 1)[0].split("+", 1)[0]}
    with app.app_context():
        upgrade()
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["people", "import", str(csv_path),
                                                "--limit", "0"])
    if result.exit_code != 0:
        raise RuntimeError(f"import failed: {result.output[-2000:]}")

    statements: list[int] = []

    def count(*_args: Any) -> None:
        statements.append(1)

    def measured(fn: Callable[[], Any]) -> tuple[Any, float, int]:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            start = time.perf_counter()
            value = fn()
            elapsed = time.perf_counter() - start
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return value, elapsed, len(statements)

    password = "bench password 123"
    with app.app_context():
        figures["people"] = db.session.scalar(select(func.count()).select_from(Person))
        author = db.session.scalar(select(Person).order_by(Person.id).limit(1))
        learner = db.session.scalar(select(Person).where(Person.depth >= 4)
                                    .order_by(Person.depth.desc(), Person.id).limit(1))
        learner.password_hash = hash_password(password)
        ids = _programmes(20, 0, author.id)
        commit()
        prog = db.session.get(Programme, ids[0])
        managers = AssignTarget("managers")
        preview, figures["preview_s"], _ = measured(
            lambda: queries.assignment_preview(prog, managers))
        figures["managers"] = preview.total
        first, figures["assign_first_s"], figures["assign_first_sql"] = measured(
            lambda: operations.assign(prog, managers, by=author))
        commit()
        again, figures["assign_again_s"], figures["assign_again_sql"] = measured(
            lambda: operations.assign(prog, managers, by=author))
        commit()
        figures["assign_first_new"], figures["assign_again_new"] = first.new, again.new
        unit = db.session.scalar(select(Person.unit).where(Person.depth == 3)
                                 .group_by(Person.unit).order_by(func.count().desc()).limit(1))
        by_unit, figures["assign_unit_s"], figures["assign_unit_sql"] = measured(
            lambda: operations.assign(prog, AssignTarget("unit", unit=unit), by=author))
        commit()
        figures["unit_new"] = by_unit.new
        figures["enrolments"] = db.session.scalar(select(func.count()).select_from(Enrolment))
        learner_email, author_id = learner.email, author.id
        db.session.remove()

    client = app.test_client()
    response = client.post("/sign-in", data={"email": learner_email, "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"sign-in failed: {response.status_code}")
    pages = {"catalogue": "/catalogue", "search": "/catalogue?q=series+number+1",
             "filter": "/catalogue?theme=Leadership&released=365"}

    def page_sql(path: str) -> int:
        def get() -> None:
            page = client.get(path)
            assert page.status_code == 200, (path, page.status_code)

        with app.app_context():
            return measured(get)[2]

    for name, path in pages.items():
        figures[f"{name}_sql_20"] = page_sql(path)
    with app.app_context():
        _programmes(180, 20, author_id)
        commit()
        db.session.remove()
    bare = Flask("bare")
    bare_engine = create_engine(url)

    @bare.route("/programme/<int:pid>")
    def one(pid: int) -> str:
        with bare_engine.connect() as conn:
            return str(conn.execute(text("SELECT title FROM programme WHERE id = :id"),
                                    {"id": pid}).scalar_one())

    bare_client = bare.test_client()
    figures["bare_rps"] = _rate(lambda: bare_client.get(f"/programme/{ids[0]}"), seconds)
    bare_engine.dispose()
    for name, path in pages.items():
        figures[f"{name}_sql_200"] = page_sql(path)
        figures[f"{name}_rps"] = _rate(lambda p=path: client.get(p), seconds)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return figures


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _child(url: str, csv_path: Path, workdir: Path, seconds: float) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.catalogue_bench", "run", "--url", url, "--csv",
         str(csv_path), "--workdir", str(workdir), "--seconds", str(seconds)],
        capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-4000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(results: list[dict[str, Any]], load: float) -> None:
    print(f"Catalogue and push enrolment (load average at start {load:.2f})")
    for r in results:
        print(f"\n== {r['backend']}: {r['people']:,} people, {r['managers']:,} managers")
        print(f"  preview 'every manager'        : {r['preview_s'] * 1000:7.1f} ms")
        print(f"  assign to every manager, first : {r['assign_first_s'] * 1000:7.1f} ms, "
              f"{r['assign_first_new']:,} enrolled, {r['assign_first_sql']} SQL statements")
        print(f"  the same again (idempotent)    : {r['assign_again_s'] * 1000:7.1f} ms, "
              f"{r['assign_again_new']:,} enrolled, {r['assign_again_sql']} SQL statements")
        print(f"  assign to the largest unit     : {r['assign_unit_s'] * 1000:7.1f} ms, "
              f"{r['unit_new']:,} enrolled, {r['assign_unit_sql']} SQL statements")
        print(f"  bare Flask route, one query    : {r['bare_rps']:7.0f} requests/s")
        for name in ("catalogue", "search", "filter"):
            same = r[f"{name}_sql_20"] == r[f"{name}_sql_200"]
            print(f"  {name + ' page':<31}: {r[f'{name}_rps']:7.0f} requests/s "
                  f"({r[f'{name}_rps'] / r['bare_rps']:.0%} of bare); SQL "
                  f"statements {r[f'{name}_sql_20']} with 20 programmes, "
                  f"{r[f'{name}_sql_200']} with 200 ({'constant' if same else 'GROWS'})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.catalogue_bench",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    child = sub.add_parser("run", help=argparse.SUPPRESS)
    child.add_argument("--url", required=True)
    child.add_argument("--csv", type=Path, required=True)
    child.add_argument("--workdir", type=Path, required=True)
    child.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="how long each page is requested (default 3)")
    parser.add_argument("--pg-url", default=os.environ.get("CLEARANCE_BENCH_PG_URL", DEFAULT_PG),
                        help=f"PostgreSQL database to use; its public schema is dropped "
                             f"(default {DEFAULT_PG})")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    if args.command == "run":
        print(json.dumps(run_backend(args.url, args.csv, args.workdir, args.seconds)))
        return

    from bench.generate_org import write_file

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="clearance-catalogue-bench-") as tmp:
        root = Path(tmp)
        csv_path = root / "org.csv"
        write_file(csv_path, args.people, depth=8)
        results = []
        sqlite_dir = root / "sqlite"
        sqlite_dir.mkdir()
        results.append(_child(f"sqlite:///{sqlite_dir / 'bench.db'}", csv_path, sqlite_dir,
                              args.seconds))
        if not args.no_pg:
            pg_dir = root / "pg"
            pg_dir.mkdir()
            reset_postgres(args.pg_url)
            try:
                results.append(_child(args.pg_url, csv_path, pg_dir, args.seconds))
            finally:
                reset_postgres(args.pg_url)
        report(results, load)


if __name__ == "__main__":
    main()
