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
import random
from pathlib import Path
from typing import Any

from bench.common import (
    PASSWORD,
    add_child_parser,
    add_common_options,
    backend_name,
    bare_rate,
    bench_app,
    dispose,
    each_backend,
    import_org,
    rate,
    run_child,
    sign_in,
    statements_for,
)

STATES = ("approved", "approved", "submitted", "changes_requested", "draft", "withdrawn",
          "reopened", "approved")

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
    from sqlalchemy import func, insert, select

    from checkpoints.models import Checkpoint, Enrolment, Programme
    from clearance.database import commit
    from clearance.extensions import db
    from clearance.passwords import hash_password
    from people.models import Person

    app = bench_app(url, workdir)
    figures: dict[str, Any] = {"backend": backend_name(url)}
    import_org(app, csv_path)

    rng = random.Random(7)
    with app.app_context():
        people = db.session.scalar(select(func.count()).select_from(Person))
        learner = db.session.scalar(select(Person).where(Person.depth >= 3)
                                    .order_by(Person.depth.desc(), Person.id).limit(1))
        learner.password_hash = hash_password(PASSWORD)
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

    client = sign_in(app, learner_email)

    def per_page(path: str) -> int:
        return statements_for(app, client, path)

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

    figures.update(
        people=people,
        bare_rps=bare_rate(url, seconds),
        home_rps=rate(lambda: client.get("/"), seconds),
        portfolio_rps=rate(lambda: client.get("/portfolio"), seconds),
    )
    dispose(app)
    return figures

def _child(url: str, csv_path: Path, workdir: Path, seconds: float) -> dict[str, Any]:
    return run_child("bench.learner_bench",
                     ["--url", url, "--csv", str(csv_path), "--workdir", str(workdir),
                      "--seconds", str(seconds)])

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
    add_child_parser(parser)
    add_common_options(parser, people=20_000, seconds=3.0)
    args = parser.parse_args(argv)
    if args.command == "run":
        print(json.dumps(run_backend(args.url, args.csv, args.workdir, args.seconds)))
        return

    results, load = each_backend(
        args, lambda url, csv_path, workdir: _child(url, csv_path, workdir, args.seconds),
        prefix="clearance-learner-bench-")
    report(results, load)

if __name__ == "__main__":
    main()
