"""Manager queue and decision POST: ``python -m bench.approvals_bench [--people 20000]
[--submissions 200000] [--no-pg] [--pg-url URL]``.

For each database: an org of ``--people`` people (through ``flask people import``), about
``--submissions`` submissions across the org with a pending approval step for a fifth of them
(bulk rows), and one ward manager whose reports have pending, rubric-scored checkpoints. Prints
requests/s for the manager's queue page and for the decision POST (each POST decides a different
step: full rubric assessment, audit event, notification, e-mail to the outbox), beside a bare
Flask route doing one indexed query on the same database in the same run; p95 latency; and the
SQL statements per request at two data sizes (they must not grow with the data).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import (
    DEFAULT_PG,
    PASSWORD,
    backend_name,
    bare_client,
    bench_app,
    dispose,
    each_backend,
    import_org,
    rate,
    run_child,
)


def _timed(fn: Callable[[], Any], count: int) -> tuple[float, float]:
    """Run ``fn`` ``count`` times: (requests per second, p95 latency in ms)."""
    durations = []
    start = time.perf_counter()
    for _ in range(count):
        t0 = time.perf_counter()
        fn()
        durations.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    p95 = statistics.quantiles(durations, n=20)[18] * 1000 if len(durations) >= 20 else 0.0
    return count / total, p95

def _p95(fn: Callable[[], Any], seconds: float) -> float:
    durations = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        fn()
        durations.append(time.perf_counter() - t0)
    return statistics.quantiles(durations, n=20)[18] * 1000

def _background(people_ids: list[int], manager_of: dict[int, int | None], checkpoint_ids: list[int],
                total: int, rng: random.Random) -> tuple[int, int]:
    """``total`` submissions for other people, a fifth of them with a pending step (bulk)."""
    from sqlalchemy import insert, select

    from approvals.models import ApprovalStep
    from clearance.database import utcnow
    from clearance.extensions import db
    from portfolios.models import Submission, SubmissionVersion

    now = utcnow()
    per_person = max(1, min(len(checkpoint_ids), total // max(1, len(people_ids))))
    rows, seen = [], 0
    for pid in people_ids:
        for cp in rng.sample(checkpoint_ids, per_person):
            rows.append({"person_id": pid, "checkpoint_id": cp,
                         "state": "submitted" if seen % 5 == 0 else "approved",
                         "version_count": 1, "created_at": now, "state_changed_at": now,
                         "submitted_at": now})
            seen += 1
            if seen >= total:
                break
        if seen >= total:
            break
    for chunk in range(0, len(rows), 20_000):
        db.session.execute(insert(Submission), rows[chunk:chunk + 20_000])
    subs = db.session.execute(select(Submission.id, Submission.person_id, Submission.state)).all()
    versions = [{"submission_id": sid, "number": 1, "submitted_at": now, "submitted_by_id": pid,
                 "content_hash": "0" * 64} for sid, pid, _state in subs]
    for chunk in range(0, len(versions), 20_000):
        db.session.execute(insert(SubmissionVersion), versions[chunk:chunk + 20_000])
    version_of = dict(db.session.execute(
        select(SubmissionVersion.submission_id, SubmissionVersion.id)).all())
    steps = [{"version_id": version_of[sid], "submission_id": sid, "learner_id": pid,
              "level": 1, "approver_id": manager_of.get(pid) or pid, "status": "pending",
              "reason": "line manager", "created_at": now, "escalate_at": now,
              "lock_version": 1, "escalations": 0}
             for sid, pid, state in subs if state == "submitted" and manager_of.get(pid)]
    for chunk in range(0, len(steps), 20_000):
        db.session.execute(insert(ApprovalStep), steps[chunk:chunk + 20_000])
    return len(rows), len(steps)

def _pending_for(manager: Any, reports: list[Any], checkpoints: list[Any], count: int) -> None:
    """``count`` real submissions from ``reports`` (through the operations: routing and all)."""
    from portfolios import operations

    made = 0
    for cp in checkpoints:
        for learner in reports:
            if made >= count:
                return
            if operations.find_submission(learner, cp) is not None:
                continue
            operations.save_reflection(learner, cp, f"I practised {cp.title} on the ward.")
            sub = operations.find_submission(learner, cp)
            operations.submit(sub, learner, expected_version=0)
            made += 1

def run_backend(url: str, csv_path: Path, workdir: Path, seconds: float,
                submissions: int, decisions: int) -> dict[str, Any]:
    from sqlalchemy import event, func, insert, select

    from approvals.models import ApprovalStep
    from checkpoints.models import Checkpoint, Enrolment, Programme
    from clearance.database import commit
    from clearance.extensions import db
    from clearance.passwords import hash_password
    from people.models import Person
    from tests.rubrics.helpers import make_rubric

    app = bench_app(url, workdir)
    figures: dict[str, Any] = {"backend": backend_name(url)}
    import_org(app, csv_path)

    rng = random.Random(11)
    with app.app_context():
        people = db.session.scalar(select(func.count()).select_from(Person))
        # a manager with about a dozen direct reports, three levels down
        report_counts = db.session.execute(
            select(Person.manager_id, func.count()).where(Person.manager_id.is_not(None))
            .group_by(Person.manager_id).having(func.count().between(8, 16))).all()
        manager = db.session.get(Person, sorted(report_counts)[len(report_counts) // 2][0])
        manager.password_hash = hash_password(PASSWORD)
        reports = list(db.session.scalars(select(Person).where(Person.manager_id == manager.id)
                                          .order_by(Person.id)))
        version = make_rubric(title="Bench rubric", pin=True, criteria=4)
        prog = Programme(title="Bench programme", summary="", theme="Clinical",
                         audience="everyone", kind="elective", open_in_catalogue=True,
                         status="published")
        db.session.add(prog)
        db.session.flush()
        checkpoints = []
        for position in range(1, 81):
            cp = Checkpoint(programme_id=prog.id, position=position, title=f"Checkpoint {position}",
                            min_evidence=1, allowed_evidence="reflection,link,file",
                            kind="summative", approval_levels=1, due_offset_days=30,
                            rubric_version_id=version.id)
            db.session.add(cp)
            checkpoints.append(cp)
        db.session.flush()
        db.session.execute(insert(Enrolment), [
            {"person_id": r.id, "programme_id": prog.id, "source": "assigned",
             "status": "active"} for r in reports])
        everyone = db.session.execute(select(Person.id, Person.manager_id)).all()
        manager_of = dict(everyone)
        team = {r.id for r in reports} | {manager.id}
        others = [pid for pid, _m in everyone if pid not in team]
        figures["background_submissions"], figures["background_pending"] = _background(
            others, manager_of, [c.id for c in checkpoints], submissions, rng)
        _pending_for(manager, reports, checkpoints, 10)
        commit()
        manager_id, manager_email = manager.id, manager.email
        rubric_fields = {}
        for criterion in version.criteria:
            level = version.levels_for(criterion)[-1]
            rubric_fields[f"c{criterion.id}-level"] = str(level.id)
            rubric_fields[f"c{criterion.id}-comment"] = "Clearly shown in the evidence."
        db.session.remove()

    client = app.test_client()
    if client.post("/sign-in", data={"email": manager_email,
                                     "password": PASSWORD}).status_code != 302:
        raise RuntimeError("sign-in failed")

    with app.app_context():
        engine = db.engine
    statements: list[int] = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    def measured(fn: Callable[[], Any]) -> int:
        statements[0] = 0
        event.listen(engine, "before_cursor_execute", count)
        try:
            fn()
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return statements[0]

    def pending_steps() -> list[tuple[int, int, int]]:
        with app.app_context():
            rows = db.session.execute(
                select(ApprovalStep.id, ApprovalStep.lock_version, ApprovalStep.version_id)
                .where(ApprovalStep.approver_id == manager_id, ApprovalStep.status == "pending")
                .order_by(ApprovalStep.id)).all()
            db.session.remove()
        return [tuple(r) for r in rows]

    form = {"outcome": "approved",
            "feedback": "A clear and well evidenced piece of work; keep sharing it with the team.",
            **rubric_fields}

    def decide_one(step: tuple[int, int, int]) -> None:
        sid, lock, vid = step
        response = client.post(f"/approvals/steps/{sid}/decide",
                               data={**form, "lock": str(lock), "version": str(vid)})
        assert response.status_code == 302, (response.status_code,
                                             response.get_data(as_text=True)[-1500:])

    def queue_page() -> None:
        assert client.get("/approvals").status_code == 200

    figures["queue_items_small"] = len(pending_steps())
    figures["statements_queue_small"] = measured(queue_page)
    small = pending_steps()
    figures["statements_decide_small"] = measured(lambda: decide_one(small[0]))

    with app.app_context():
        manager = db.session.get(Person, manager_id)
        reports = list(db.session.scalars(select(Person).where(Person.manager_id == manager_id)))
        checkpoints = list(db.session.scalars(select(Checkpoint).where(
            Checkpoint.programme_id == select(Programme.id).where(
                Programme.title == "Bench programme").scalar_subquery())
            .order_by(Checkpoint.position)))
        _pending_for(manager, reports, checkpoints, 50 + decisions)
        commit()
        db.session.remove()
    figures["queue_items_large"] = len(pending_steps())
    figures["statements_queue_large"] = measured(queue_page)
    large = pending_steps()
    figures["statements_decide_large"] = measured(lambda: decide_one(large[0]))

    with bare_client(url) as bare:
        figures["bare_rps"] = rate(lambda: bare.get(f"/person/{manager_id}"), seconds)
        figures["bare_p95_ms"] = _p95(lambda: bare.get(f"/person/{manager_id}"), seconds)
    figures["queue_rps"] = rate(queue_page, seconds)
    figures["queue_p95_ms"] = _p95(queue_page, seconds)
    todo = iter(pending_steps()[1:])
    figures["decisions_timed"] = decisions
    figures["decide_rps"], figures["decide_p95_ms"] = _timed(lambda: decide_one(next(todo)),
                                                             decisions)
    figures["people"] = people
    dispose(app)
    return figures

def _child(url: str, csv_path: Path, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    return run_child("bench.approvals_bench",
                     ["--url", url, "--csv", str(csv_path), "--workdir", str(workdir),
                      "--seconds", str(args.seconds),
         "--submissions", str(args.submissions), "--decisions", str(args.decisions)])

def report(results: list[dict[str, Any]], load: float) -> None:
    print(f"Manager queue and decisions (load average at start {load:.2f}; in-process WSGI)")
    for r in results:
        print(f"\n== {r['backend']}: {r['people']:,} people, {r['background_submissions']:,} "
              f"submissions ({r['background_pending']:,} pending elsewhere)")
        print(f"  bare Flask route, one indexed query : {r['bare_rps']:8.0f} requests/s, "
              f"p95 {r['bare_p95_ms']:.1f} ms")
        print(f"  queue page (/approvals)             : {r['queue_rps']:8.0f} requests/s "
              f"({r['queue_rps'] / r['bare_rps']:.0%} of bare; goal >= 40%), "
              f"p95 {r['queue_p95_ms']:.1f} ms, {r['queue_items_large']} items")
        print(f"  decision POST                       : {r['decide_rps']:8.0f} requests/s "
              f"({r['decide_rps'] / r['bare_rps']:.0%} of bare; goal >= 25%), "
              f"p95 {r['decide_p95_ms']:.1f} ms over {r['decisions_timed']} decisions")
        for name in ("queue", "decide"):
            small, large = r[f"statements_{name}_small"], r[f"statements_{name}_large"]
            print(f"  SQL statements, {name:<6}: {small} with {r['queue_items_small']} pending, "
                  f"{large} with {r['queue_items_large']} ("
                  f"{'constant' if small == large else 'GROWS'})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.approvals_bench",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    child = sub.add_parser("run", help=argparse.SUPPRESS)
    child.add_argument("--url", required=True)
    child.add_argument("--csv", type=Path, required=True)
    child.add_argument("--workdir", type=Path, required=True)
    for p in (parser, child):
        p.add_argument("--seconds", type=float, default=3.0)
        p.add_argument("--submissions", type=int, default=200_000)
        p.add_argument("--decisions", type=int, default=200,
                       help="decision POSTs timed (default 200)")
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--pg-url", default=os.environ.get("CLEARANCE_BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    if args.command == "run":
        print(json.dumps(run_backend(args.url, args.csv, args.workdir, args.seconds,
                                     args.submissions, args.decisions)))
        return

    results, load = each_backend(
        args, lambda url, csv_path, workdir: _child(url, csv_path, workdir, args),
        prefix="clearance-approvals-bench-")
    report(results, load)


if __name__ == "__main__":
    main()
