"""One-to-ones: ``python -m bench.one_to_one_bench [--people 20000] [--no-pg] [--pg-url URL]``.

For each database: an org of ``--people`` people (through ``flask people import``), background
submissions and pending steps across the org (bulk rows), and one manager with 12 direct reports,
each with a weekly one-to-one, four held meetings of history (notes, actions) and this week's
meeting with talking points, and 60 pending rubric-scored checkpoints among them (through the
operations). Signed in as that manager it prints requests/s for the week view, one report's
agenda page, and the agenda with the inline review open, beside a bare Flask route doing one
indexed query on the same database in the same run, and the SQL statements per page with few and
with many items on the agenda (they must be the same).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.approvals_bench import _background, _pending_for
from bench.common import (
    DEFAULT_PG,
    PASSWORD,
    add_child_parser,
    backend_name,
    bare_rate,
    bench_app,
    dispose,
    each_backend,
    import_org,
    rate,
    run_child,
)

REPORTS = 12
PENDING = 60
HISTORY = 4

def _team(manager: Any) -> list[Any]:
    """Exactly ``REPORTS`` active direct reports for ``manager`` (new people if needed)."""
    from sqlalchemy import select

    from clearance.extensions import db
    from people.models import Person
    from people.operations import create_person

    reports = list(db.session.scalars(select(Person).where(
        Person.manager_id == manager.id, Person.active.is_(True)).order_by(Person.id)))
    for n in range(len(reports), REPORTS):
        reports.append(create_person(employee_id=f"B1TO1{n:03d}", name=f"Bench Report {n}",
                                     email=f"bench.report.{n}@example.org", manager=manager,
                                     job_title="Practitioner", unit="Bench"))
    return reports[:REPORTS]

def _history(series: Any, today: dt.date, points: int, actions: int) -> None:
    from approvals.one_to_ones import operations as ops
    from approvals.one_to_ones import schedule

    monday = schedule.week_of(today)[0]
    for day in schedule.occurrences(series, monday - dt.timedelta(weeks=HISTORY), monday):
        meeting = ops.materialise(series, day)
        ops.save_shared_notes(meeting, series.manager, f"Notes of {day}: rota, training.", 0)
        ops.mark_held(meeting, series.manager, carry=False)
    current = ops.materialise(series, schedule.occurrences(
        series, monday, monday + dt.timedelta(days=7))[0])
    for n in range(points):
        ops.add_talking_point(current, series.report if n % 2 else series.manager,
                              f"Talking point {n}")
    for n in range(actions):
        ops.add_action(current, series.manager, series.report, f"Action {n}")

def run_backend(url: str, csv_path: Path, workdir: Path, seconds: float,
                submissions: int) -> dict[str, Any]:
    from sqlalchemy import event, func, insert, select

    from approvals.one_to_ones import operations as ops
    from approvals.one_to_ones import queries, schedule
    from checkpoints.models import Checkpoint, Enrolment, Programme
    from clearance.database import commit, utcnow
    from clearance.extensions import db
    from clearance.passwords import hash_password
    from people.models import Person
    from tests.rubrics.helpers import make_rubric

    app = bench_app(url, workdir)
    figures: dict[str, Any] = {"backend": backend_name(url)}
    import_org(app, csv_path)

    rng = random.Random(12)
    today = utcnow().date()
    with app.app_context():
        figures["people"] = db.session.scalar(select(func.count()).select_from(Person))
        counts = db.session.execute(
            select(Person.manager_id, func.count()).where(Person.manager_id.is_not(None))
            .group_by(Person.manager_id).having(func.count().between(6, 12))).all()
        manager = db.session.get(Person, sorted(counts)[len(counts) // 2][0])
        manager.password_hash = hash_password(PASSWORD)
        reports = _team(manager)
        version = make_rubric(title="Bench rubric", pin=True, criteria=4)
        prog = Programme(title="Bench programme", summary="", theme="Clinical",
                         audience="everyone", kind="elective", open_in_catalogue=True,
                         status="published")
        db.session.add(prog)
        db.session.flush()
        checkpoints = []
        for position in range(1, 41):
            cp = Checkpoint(programme_id=prog.id, position=position,
                            title=f"Checkpoint {position}", min_evidence=1,
                            allowed_evidence="reflection,link,file", kind="summative",
                            approval_levels=1, due_offset_days=position * 3,
                            rubric_version_id=version.id)
            db.session.add(cp)
            checkpoints.append(cp)
        db.session.flush()
        db.session.execute(insert(Enrolment), [
            {"person_id": r.id, "programme_id": prog.id, "source": "assigned",
             "status": "active"} for r in reports])
        everyone = db.session.execute(select(Person.id, Person.manager_id)).all()
        team = {r.id for r in reports} | {manager.id}
        figures["background_submissions"], figures["background_pending"] = _background(
            [pid for pid, _m in everyone if pid not in team], dict(everyone),
            [c.id for c in checkpoints], submissions, rng)
        # Few items first: one pending checkpoint each, one talking point, one action.
        _pending_for(manager, reports, checkpoints, REPORTS)
        start = today - dt.timedelta(weeks=HISTORY + 1)
        created, _ = ops.create_for_all_reports(
            manager, ops.Schedule(today.weekday(), dt.time(9), "Europe/London", 1, 30), start, 30)
        for series in created:
            _history(series, today, 1, 1)
        commit()
        target = created[0]
        monday = schedule.week_of(today)[0]
        day = schedule.occurrences(target, monday, monday + dt.timedelta(days=7))[0]
        agenda = f"/one-to-ones/series/{target.id}/meetings/{day.isoformat()}"
        target_id, report_id = target.id, target.report_id
        manager_id, manager_email = manager.id, manager.email
        db.session.remove()

    client = app.test_client()
    if client.post("/sign-in", data={"email": manager_email,
                                     "password": PASSWORD}).status_code != 302:
        raise RuntimeError("sign-in failed")
    with app.app_context():
        engine = db.engine
    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    def per_page(path: str) -> int:
        statements[0] = 0
        event.listen(engine, "before_cursor_execute", count)
        try:
            page = client.get(path)
            assert page.status_code == 200, (path, page.status_code)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return statements[0]

    def review_path() -> str:
        with app.app_context():
            step = queries.pending_for(manager_id, report_id)[0]
            db.session.remove()
            return f"{agenda}?review={step.id}"

    def slowest(path: str) -> str:
        """The page's slowest SQL statement (warm), to say where its time goes."""
        client.get(path)
        spent: list[tuple[float, str]] = []

        def before(_c: Any, _cur: Any, _st: Any, _p: Any, ctx: Any, _m: Any) -> None:
            ctx._bench_t0 = time.perf_counter()

        def after(_c: Any, _cur: Any, st: str, _p: Any, ctx: Any, _m: Any) -> None:
            spent.append((time.perf_counter() - ctx._bench_t0, " ".join(st.split())[:70]))

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        try:
            client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
        total = sum(t for t, _ in spent)
        worst = max(spent)
        return f"SQL {total * 1000:.1f} ms in all; slowest {worst[0] * 1000:.1f} ms: {worst[1]}"

    pages: dict[str, Callable[[], str]] = {
        "week": lambda: "/one-to-ones", "agenda": lambda: agenda, "review": review_path}
    for name, path in pages.items():
        figures[f"statements_{name}_few"] = per_page(path())
    with app.app_context():
        manager = db.session.get(Person, manager_id)
        reports = _team(manager)
        _pending_for(manager, reports, checkpoints_of(prog_id=None), PENDING - REPORTS)
        series = db.session.get(type(created[0]), target_id)
        current = ops.materialise(series, day)
        for n in range(8):
            ops.add_talking_point(current, series.report, f"More to talk about {n}")
            ops.add_action(current, series.manager, series.report, f"More to do {n}")
        commit()
        figures["pending"] = sum(len(queries.pending_for(manager_id, r.id)) for r in reports)
        figures["agenda_pending"] = len(queries.pending_for(manager_id, report_id))
        db.session.remove()
    for name, path in pages.items():
        figures[f"statements_{name}_many"] = per_page(path())
        figures[f"sql_{name}"] = slowest(path())

    review = review_path()
    figures.update(
        bare_rps=bare_rate(url, seconds),
        week_rps=rate(lambda: client.get("/one-to-ones"), seconds),
        agenda_rps=rate(lambda: client.get(agenda), seconds),
        review_rps=rate(lambda: client.get(review), seconds),
    )
    dispose(app)
    return figures

def checkpoints_of(prog_id: int | None) -> list[Any]:
    """The bench programme's checkpoints (there is one programme)."""
    from sqlalchemy import select

    from checkpoints.models import Checkpoint, Programme
    from clearance.extensions import db

    prog = db.session.scalar(select(Programme).where(Programme.title == "Bench programme"))
    return list(db.session.scalars(select(Checkpoint).where(
        Checkpoint.programme_id == (prog_id or prog.id)).order_by(Checkpoint.position)))

def _child(url: str, csv_path: Path, workdir: Path, seconds: float,
           submissions: int) -> dict[str, Any]:
    return run_child("bench.one_to_one_bench",
                     ["--url", url, "--csv", str(csv_path), "--workdir", str(workdir),
                      "--seconds", str(seconds),
         "--submissions", str(submissions)])

def report(results: list[dict[str, Any]], load: float) -> None:
    print(f"One-to-ones (load average at start {load:.2f}; in-process WSGI, one client)")
    for r in results:
        print(f"\n== {r['backend']}: {r['people']:,} people, "
              f"{r['background_submissions']:,} other submissions "
              f"({r['background_pending']:,} pending elsewhere); a manager with {REPORTS} "
              f"reports and {r['pending']} pending items ({r['agenda_pending']} on the agenda)")
        print(f"  bare Flask route, one indexed query   : {r['bare_rps']:8.0f} requests/s")
        for key, label in (("week", "week view (/one-to-ones)         "),
                           ("agenda", "agenda (one report's meeting page)"),
                           ("review", "agenda with the inline review open")):
            few, many = r[f"statements_{key}_few"], r[f"statements_{key}_many"]
            print(f"  {label}    : {r[key + '_rps']:8.0f} requests/s "
                  f"({r[key + '_rps'] / r['bare_rps']:.0%} of bare); SQL statements {few} with "
                  f"few items, {many} with many ({'constant' if few == many else 'GROWS'})")
            print(f"      {r['sql_' + key]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.one_to_one_bench",
                                     description=__doc__.splitlines()[0])
    child = add_child_parser(parser)
    child.add_argument("--submissions", type=int, default=40_000)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--submissions", type=int, default=40_000,
                        help="background submissions across the org (default 40,000)")
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="how long each page is requested (default 3)")
    parser.add_argument("--pg-url", default=os.environ.get("CLEARANCE_BENCH_PG_URL", DEFAULT_PG),
                        help=f"PostgreSQL database to use; its public schema is dropped "
                             f"(default {DEFAULT_PG})")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    if args.command == "run":
        print(json.dumps(run_backend(args.url, args.csv, args.workdir, args.seconds,
                                     args.submissions)))
        return

    results, load = each_backend(
        args, lambda url, csv_path, workdir: _child(url, csv_path, workdir, args.seconds,
                                                    args.submissions),
        prefix="clearance-1to1-bench-")
    report(results, load)


if __name__ == "__main__":
    main()
