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
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import (
    PASSWORD,
    add_child_parser,
    add_common_options,
    backend_name,
    bench_app,
    dispose,
    each_backend,
    import_org,
    rate,
    run_child,
    sign_in,
)


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
    from sqlalchemy import create_engine, event, func, select, text

    from checkpoints import operations, queries
    from checkpoints.models import Enrolment, Programme
    from checkpoints.queries import AssignTarget
    from clearance.database import commit
    from clearance.extensions import db
    from clearance.passwords import hash_password
    from people.models import Person

    app = bench_app(url, workdir)
    figures: dict[str, Any] = {"backend": backend_name(url)}
    import_org(app, csv_path)

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

    with app.app_context():
        figures["people"] = db.session.scalar(select(func.count()).select_from(Person))
        author = db.session.scalar(select(Person).order_by(Person.id).limit(1))
        learner = db.session.scalar(select(Person).where(Person.depth >= 4)
                                    .order_by(Person.depth.desc(), Person.id).limit(1))
        learner.password_hash = hash_password(PASSWORD)
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

    client = sign_in(app, learner_email)
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
    figures["bare_rps"] = rate(lambda: bare_client.get(f"/programme/{ids[0]}"), seconds)
    bare_engine.dispose()
    for name, path in pages.items():
        figures[f"{name}_sql_200"] = page_sql(path)
        figures[f"{name}_rps"] = rate(lambda p=path: client.get(p), seconds)
    dispose(app)
    return figures

def _child(url: str, csv_path: Path, workdir: Path, seconds: float) -> dict[str, Any]:
    return run_child("bench.catalogue_bench",
                     ["--url", url, "--csv", str(csv_path), "--workdir", str(workdir),
                      "--seconds", str(seconds)])

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
    add_child_parser(parser)
    add_common_options(parser, people=20_000, seconds=3.0)
    args = parser.parse_args(argv)
    if args.command == "run":
        print(json.dumps(run_backend(args.url, args.csv, args.workdir, args.seconds)))
        return

    results, load = each_backend(
        args, lambda url, csv_path, workdir: _child(url, csv_path, workdir, args.seconds),
        prefix="clearance-catalogue-bench-")
    report(results, load)


if __name__ == "__main__":
    main()
