"""Learner pages: ``python -m bench.learner_bench [--people 20000] [--no-pg] [--pg-url URL]``.

For each database: an org of ``--people`` people (through ``flask people import``), programmes,
and a learner with 40 submissions among thousands of other people's; then requests per second
for the learner's home page and portfolio page, beside a bare Flask route doing one indexed
query on the same database in the same run, and the SQL statements each page costs, measured
at two data sizes to show the count does not grow with the data.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/clearance_bench"
STATES = ("approved", "approved", "submitted", "changes_requested", "draft", "withdrawn",
          "reopened", "approved")


def _rate(fn: Callable[[], Any], seconds: float) -> float:
    """Requests per second: call ``fn`` for about ``seconds`` after a short warm-up."""
    for _ in range(5):
        fn()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        count += 1
    return count / (time.perf_counter() - start)


def _add_background(people_ids: list[int], checkpoint_ids: list[int], programme_ids: list[int],
                    per_person: int, rng: random.Random) -> int:
    """Enrolments, submissions and versions for many other people, inserted in bulk."""
    from sqlalchemy import insert, select

    from checkpoints.models import Enrolment
    from clearance.database import utcnow
    from clearance.extensions import db
    from portfolios.models import Submission, SubmissionVersion

    now = utcnow()
    enrolments = [{"person_id": pid, "programme_id": prog, "source": "assigned",
                   "status": "active", "enrolled_at": now}
                  for pid in people_ids for prog in programme_ids[:2]]
    db.session.execute(insert(Enrolment), enrolments)
    rows = []
    for pid in people_ids:
        for cp in rng.sample(checkpoint_ids, per_person):
            rows.append({"person_id": pid, "checkpoint_id": cp, "state": rng.choice(STATES),
                         "version_count": 1, "created_at": now, "state_changed_at": now,
                         "submitted_at": now})
    db.session.execute(insert(Submission), rows)
    ids = db.session.scalars(select(Submission.id)).all()
    db.session.execute(insert(SubmissionVersion), [
        {"submission_id": sid, "number": 1, "submitted_at": now, "submitted_by_id": 1,
         "content_hash": "0" * 64} for sid in ids])
    return len(rows)


def _learner_work(learner: Any, checkpoints: list[Any], count: int, line: Any) -> None:
    """``count`` real submissions for the learner, through the operations (audit and all)."""
    from portfolios import operations

    for i, cp in enumerate(checkpoints[:count]):
        state = STATES[i % len(STATES)]
        operations.save_reflection(learner, cp, f"## Week {i}\n\nI *practised* handover {i}.")
        operations.add_link(learner, cp, f"https://intranet.example/learning/{i}", "Guide")
        if state == "draft":
            continue
        sub = operations.find_submission(learner, cp)
        operations.submit(sub, learner, expected_version=0)
        if state == "withdrawn":
            operations.withdraw(sub, learner)
        elif state in ("approved", "reopened"):
            operations.approve(sub, by=line)
            if state == "reopened":
                operations.reopen(sub, by=line)
        elif state == "changes_requested":
            operations.request_changes(sub, by=line)


def run_backend(url: str, csv_path: Path, workdir: Path, seconds: float) -> dict[str, Any]:
    from flask import Flask
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, event, func, insert, select, text

    from checkpoints.models import Checkpoint, Enrolment, Programme
    from clearance.app import create_app
    from clearance.database import commit
    from clearance.extensions import db
    from clearance.passwords import hash_password
    from people.models import Person

    app = create_app({"ENV": "testing", "DATABASE_URL": url, "INSTANCE_PATH": str(workdir),
                      "SECRET_KEY": "bench-" + "x" * 40, "JOBS_BACKEND": "immediate",
                      "LOGIN_RATE_LIMIT": "100000 per minute", "WTF_CSRF_ENABLED": False})
    app.config["WTF_CSRF_ENABLED"] = False
    figures: dict[str, Any] = {"backend": url.split(":", 1)[0].split("+", 1)[0]}
    with app.app_context():
        upgrade()
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["people", "import", str(csv_path),
                                                "--limit", "0"])
    if result.exit_code != 0:
        raise RuntimeError(f"import failed: {result.output[-2000:]}")

    rng = random.Random(7)
    password = "bench password 123"
    with app.app_context():
        people = db.session.scalar(select(func.count()).select_from(Person))
        learner = db.session.scalar(select(Person).where(Person.depth >= 3)
                                    .order_by(Person.depth.desc(), Person.id).limit(1))
        learner.password_hash = hash_password(password)
        line = learner.manager
        programme_ids, checkpoints = [], []
        for n in range(6):
            prog = Programme(title=f"Bench series {n}", summary="", theme="Leadership",
                             audience="everyone", kind="elective", open_in_catalogue=True,
                             status="published")
            db.session.add(prog)
            db.session.flush()
            programme_ids.append(prog.id)
            for position in range(1, 11):
                cp = Checkpoint(programme_id=prog.id, position=position,
                                title=f"Checkpoint {n}.{position}", min_evidence=1,
                                allowed_evidence="file,reflection,link", kind="summative",
                                approval_levels=1, due_offset_days=position * 14)
                db.session.add(cp)
                checkpoints.append(cp)
        db.session.flush()
        db.session.execute(insert(Enrolment), [
            {"person_id": learner.id, "programme_id": pid, "source": "self", "status": "active"}
            for pid in programme_ids[:4]])
        others = list(db.session.scalars(select(Person.id).where(
            Person.id != learner.id).order_by(Person.id)))
        background = others[: max(1, len(others) // 4)]
        figures["background_submissions"] = _add_background(
            background, [c.id for c in checkpoints], programme_ids, 4, rng)
        learner_checkpoints = [c for c in checkpoints if c.programme_id in programme_ids[:4]]
        _learner_work(learner, learner_checkpoints, 10, line)
        commit()
        learner_id, learner_email = learner.id, learner.email
        db.session.remove()

    client = app.test_client()
    response = client.post("/sign-in", data={"email": learner_email, "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"sign-in failed: {response.status_code}")

    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(*_args: Any) -> None:
        statements.append("x")

    def per_page(path: str) -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            page = client.get(path)
            assert page.status_code == 200, (path, page.status_code)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    figures["statements_home_10"] = per_page("/")
    figures["statements_portfolio_10"] = per_page("/portfolio")
    with app.app_context():
        learner = db.session.get(Person, learner_id)
        line = learner.manager
        learner_checkpoints = list(db.session.scalars(
            select(Checkpoint).join(Enrolment, Enrolment.programme_id == Checkpoint.programme_id)
            .where(Enrolment.person_id == learner_id).order_by(Checkpoint.id)))
        from portfolios.operations import find_submission

        todo = [c for c in learner_checkpoints if find_submission(learner, c) is None]
        _learner_work(learner, todo, 30, line)
        commit()
        figures["learner_submissions"] = len(learner_checkpoints) - len(todo) + min(30, len(todo))
        db.session.remove()
    figures["statements_home_40"] = per_page("/")
    figures["statements_portfolio_40"] = per_page("/portfolio")

    bare = Flask("bare")
    bare_engine = create_engine(url)

    @bare.route("/person/<int:pid>")
    def person(pid: int) -> str:
        with bare_engine.connect() as conn:
            return str(conn.execute(text("SELECT name FROM person WHERE id = :id"),
                                    {"id": pid}).scalar_one())

    bare_client = bare.test_client()
    figures.update(
        people=people,
        bare_rps=_rate(lambda: bare_client.get(f"/person/{learner_id}"), seconds),
        home_rps=_rate(lambda: client.get("/"), seconds),
        portfolio_rps=_rate(lambda: client.get("/portfolio"), seconds),
    )
    bare_engine.dispose()
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
        [sys.executable, "-m", "bench.learner_bench", "run", "--url", url, "--csv",
         str(csv_path), "--workdir", str(workdir), "--seconds", str(seconds)],
        capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-4000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(results: list[dict[str, Any]], load: float) -> None:
    print(f"Learner pages (load average at start {load:.2f}; in-process WSGI, one client)")
    for r in results:
        print(f"\n== {r['backend']}: {r['people']:,} people, "
              f"{r['background_submissions']:,} other people's submissions, "
              f"learner with {r['learner_submissions']} submissions")
        print(f"  bare Flask route, one indexed query : {r['bare_rps']:8.0f} requests/s")
        print(f"  learner home page (/)               : {r['home_rps']:8.0f} requests/s "
              f"({r['home_rps'] / r['bare_rps']:.0%} of bare)")
        print(f"  portfolio page (/portfolio)         : {r['portfolio_rps']:8.0f} requests/s "
              f"({r['portfolio_rps'] / r['bare_rps']:.0%} of bare)")
        same_home = r["statements_home_10"] == r["statements_home_40"]
        same_port = r["statements_portfolio_10"] == r["statements_portfolio_40"]
        print(f"  SQL statements, home      : {r['statements_home_10']} with 10 submissions, "
              f"{r['statements_home_40']} with 40 ({'constant' if same_home else 'GROWS'})")
        print(f"  SQL statements, portfolio : {r['statements_portfolio_10']} with 10 "
              f"submissions, {r['statements_portfolio_40']} with 40 "
              f"({'constant' if same_port else 'GROWS'})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.learner_bench",
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
    with tempfile.TemporaryDirectory(prefix="clearance-learner-bench-") as tmp:
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
