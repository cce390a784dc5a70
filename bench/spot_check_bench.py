"""Spot-check pages: ``python -m bench.spot_check_bench [--decisions 200000] [--no-pg]``.

For each database: an org of ``--people`` people (through ``flask people import``), six
programmes of ten rubric-scored checkpoints, and ``--decisions`` decisions spread over the last
eleven months, each with its step, version, submission and sampling record, about a sixth of
them sampled for a spot-check, most of those checked with L&D's levels (all bulk Core inserts).
Then, signed in as L&D through the in-process WSGI client: requests per second for the L&D
queue and the calibration dashboard (by approver and by unit) beside a bare Flask route doing
one indexed query, and the SQL statements each page runs with a tenth of the decisions and
with all of them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from pathlib import Path
from typing import Any

from bench.common import (
    PASSWORD,
    add_child_parser,
    add_common_options,
    backend_name,
    bare_rate,
    bench_app,
    bulk_insert,
    dispose,
    each_backend,
    fix_sequences,
    import_org,
    page_line,
    rate,
    run_child,
    sign_in,
    statements_for,
)

PAGES = {"queue": "/spot-checks", "calibration": "/spot-checks/calibration",
         "calibration_units": "/spot-checks/calibration?by=unit",
         "coverage": "/spot-checks/coverage"}
class Generator:
    """Decisions and everything they hang from, in bulk, with ids chosen up front."""

    def __init__(self, people: list[tuple[int, int | None, str]], checkpoints: list[Any],
                 rubric: Any, ld_id: int, rng: random.Random) -> None:
        self.people = [p for p in people if p[1] is not None]
        #: (id, programme_id): plain values, usable across sessions
        self.checkpoints = [(c.id, c.programme_id) for c in checkpoints]
        self.rng = rng
        self.ld_id = ld_id
        self.criteria = [(c.id, c.key, c.title, [lv.id for lv in rubric.levels_for(c)])
                         for c in rubric.criteria]
        self.rubric_id = rubric.id
        self.next_id = 1
        self.check_id = 1
        self.pairs = iter(self._pairs())

    def _pairs(self) -> Any:
        for cp in self.checkpoints:
            for person in self.people:
                yield person, cp

    def add(self, n: int) -> None:
        from approvals.models import ApprovalStep, Decision
        from approvals.spot_checks.models import (
            SpotCheck,
            SpotCheckReason,
            SpotCheckSampling,
            SpotCheckScore,
        )
        from approvals.spot_checks.sampling import draw
        from clearance.database import utcnow
        from portfolios.models import Submission, SubmissionVersion

        rng, now = self.rng, utcnow()
        subs, versions, steps, decisions, samplings = [], [], [], [], []
        checks, reasons, scores = [], [], []
        for _ in range(n):
            (pid, manager_id, unit), (cp_id, programme_id) = next(self.pairs)
            i = self.next_id
            self.next_id += 1
            decided = now - dt.timedelta(days=rng.uniform(0, 330))
            waited = rng.uniform(0.5, 200)
            outcome = "approved" if rng.random() < 0.8 else "changes_requested"
            subs.append({"id": i, "person_id": pid, "checkpoint_id": cp_id, "state": outcome,
                         "version_count": 1, "created_at": decided, "state_changed_at": decided,
                         "submitted_at": decided})
            versions.append({"id": i, "submission_id": i, "number": 1, "submitted_at": decided,
                             "submitted_by_id": pid, "content_hash": "0" * 64,
                             "outcome": outcome, "outcome_at": decided})
            steps.append({"id": i, "version_id": i, "submission_id": i, "learner_id": pid,
                          "level": 1, "approver_id": manager_id, "status": "decided",
                          "reason": "line manager", "escalations": 0, "lock_version": 2,
                          "created_at": decided - dt.timedelta(hours=waited),
                          "closed_at": decided})
            feedback = "Good work. " * rng.randint(4, 20)
            decisions.append({"id": i, "step_id": i, "version_id": i, "submission_id": i,
                              "learner_id": pid, "level": 1, "outcome": outcome,
                              "overall_feedback": feedback, "justification": "",
                              "rubric_version_id": self.rubric_id, "total_points": 6,
                              "rubric_passed": outcome == "approved",
                              "content_hash": "0" * 64, "decided_at": decided,
                              "decided_by_id": manager_id, "acting_reason": ""})
            u = draw(b"bench seed", i)
            risky = rng.random() < 0.06
            sampled = u < 0.10 or risky
            codes = (["short_feedback"] if risky else []) + (["rate"] if u < 0.10 else [])
            samplings.append({"decision_id": i, "approver_id": manager_id, "unit": unit,
                              "programme_id": programme_id, "decided_at": decided,
                              "outcome": outcome, "draw": u, "rate": 0.1, "sampled": sampled,
                              "reasons": codes, "facts": {"decision_id": i},
                              "seed_ref": "bench", "hours_to_decision": waited,
                              "feedback_chars": len(feedback)})
            if not sampled:
                continue
            c = self.check_id
            self.check_id += 1
            done = decided < now - dt.timedelta(days=20) or rng.random() < 0.5
            verdict = (rng.choice(["agree"] * 17 + ["concern"] * 2 + ["overturn"])
                       if done else None)
            checks.append({"id": c, "decision_id": i, "submission_id": i, "learner_id": pid,
                           "approver_id": manager_id, "unit": unit,
                           "programme_id": programme_id, "decided_at": decided,
                           "origin": "sampled", "primary_reason": codes[0],
                           "created_at": decided,
                           "status": "done" if done else rng.choice(["open", "open", "claimed"]),
                           "claimed_by_id": self.ld_id if done else None,
                           "verdict": verdict, "verdict_at": decided + dt.timedelta(days=3)
                           if done else None, "verdict_by_id": self.ld_id if done else None,
                           "ld_outcome": outcome if done else None, "ld_feedback": "",
                           "approver_feedback": "", "learner_message": "",
                           "internal_notes": ""})
            reasons += [{"spot_check_id": c, "code": code, "position": k, "detail": ""}
                        for k, code in enumerate(codes)]
            if done:
                for k, (cid, key, title, levels) in enumerate(self.criteria):
                    ld = rng.randrange(len(levels))
                    mgr = min(len(levels) - 1, max(0, ld + rng.choice([0, 0, 0, 1, -1])))
                    scores.append({"spot_check_id": c, "criterion_id": cid, "criterion_key": key,
                                   "criterion_title": title, "position": k,
                                   "ld_level_id": levels[ld], "ld_position": ld,
                                   "manager_level_id": levels[mgr], "manager_position": mgr,
                                   "scale_size": len(levels), "comment": ""})
        for table, rows in ((Submission, subs), (SubmissionVersion, versions),
                            (ApprovalStep, steps), (Decision, decisions),
                            (SpotCheckSampling, samplings), (SpotCheck, checks),
                            (SpotCheckReason, reasons), (SpotCheckScore, scores)):
            bulk_insert(table, rows)


def _fix_sequences() -> None:
    fix_sequences(("submission", "submission_version", "approval_step", "decision",
                   "spot_check_sampling", "spot_check", "spot_check_score"))


def _rubric(owner: Any) -> Any:
    """A published, pinned rubric: three criteria on a shared four-level scale."""
    from decimal import Decimal

    from rubrics import operations
    from rubrics.content import CriterionContent, LevelContent, VersionContent

    scale = [LevelContent(name, Decimal(points), "") for name, points in
             (("Not yet", "0"), ("Developing", "1"), ("Meets", "2"), ("Exceeds", "3"))]
    content = VersionContent(
        criteria=[CriterionContent(title=f"Criterion {n}", description="", levels=[])
                  for n in range(1, 4)],
        shared_scale=True, scale=scale, pass_min_position=2, pass_min_points=None)
    rubric = operations.create_rubric(title="Bench rubric", description="", owner=owner,
                                      by=owner, content=content)
    version = rubric.versions[0]
    operations.publish(version, by=owner)
    operations.pin_version(version)
    return version


def run_backend(url: str, csv_path: Path, workdir: Path, seconds: float,
                decisions: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from approvals.models import Decision
    from approvals.spot_checks.models import SpotCheck, SpotCheckSampling
    from checkpoints.models import Checkpoint, Programme
    from clearance.database import commit
    from clearance.extensions import db
    from clearance.passwords import hash_password
    from people.models import Person, PersonRole

    app = bench_app(url, workdir)
    figures: dict[str, Any] = {"backend": backend_name(url)}
    import_org(app, csv_path)

    rng = random.Random(11)
    with app.app_context():
        ld = db.session.scalar(select(Person).where(Person.depth == 1).order_by(Person.id)
                               .limit(1))
        ld.password_hash = hash_password(PASSWORD)
        db.session.add(PersonRole(person_id=ld.id, role="ld"))
        rubric = _rubric(ld)
        checkpoints = []
        for n in range(6):
            prog = Programme(title=f"Bench programme {n}", summary="", theme="Leadership",
                             audience="everyone", kind="elective", open_in_catalogue=True,
                             status="published")
            db.session.add(prog)
            db.session.flush()
            for position in range(1, 11):
                cp = Checkpoint(programme_id=prog.id, position=position,
                                title=f"Checkpoint {n}.{position}", min_evidence=1,
                                allowed_evidence="file,reflection,link", kind="summative",
                                approval_levels=1, due_offset_days=14,
                                rubric_version_id=rubric.id)
                db.session.add(cp)
                checkpoints.append(cp)
        db.session.flush()
        people = [tuple(r) for r in db.session.execute(
            select(Person.id, Person.manager_id, Person.unit).order_by(Person.id))]
        figures["people"] = len(people)
        generator = Generator(people, checkpoints, rubric, ld.id, rng)
        start = time.perf_counter()
        generator.add(decisions // 10)
        _fix_sequences()
        commit()
        first_seconds = time.perf_counter() - start
        ld_email = ld.email
        db.session.remove()

    client = sign_in(app, ld_email)

    def per_page(path: str) -> int:
        return statements_for(app, client, path)

    small = {name: per_page(path) for name, path in PAGES.items()}
    with app.app_context():
        start = time.perf_counter()
        generator.add(decisions - decisions // 10)
        _fix_sequences()
        commit()
        figures["generate_seconds"] = first_seconds + time.perf_counter() - start
        figures["decisions"] = db.session.scalar(select(func.count()).select_from(Decision))
        figures["checks"] = db.session.scalar(select(func.count()).select_from(SpotCheck))
        figures["sampled_share"] = figures["checks"] / max(figures["decisions"], 1)
        figures["samplings"] = db.session.scalar(
            select(func.count()).select_from(SpotCheckSampling))
        db.session.remove()
    large = {name: per_page(path) for name, path in PAGES.items()}
    figures["statements"] = {name: [small[name], large[name]] for name in PAGES}

    figures["bare_rps"] = bare_rate(url, seconds)
    for name, path in PAGES.items():
        figures[f"{name}_rps"] = rate(lambda p=path: client.get(p), seconds)
    dispose(app)
    return figures


def _child(url: str, csv_path: Path, workdir: Path, seconds: float,
           decisions: int) -> dict[str, Any]:
    return run_child("bench.spot_check_bench",
                     ["--url", url, "--csv", str(csv_path), "--workdir", str(workdir),
                      "--seconds", str(seconds), "--decisions", str(decisions)])


def report(results: list[dict[str, Any]], load: float) -> None:
    print(f"Spot-check pages (load average at start {load:.2f}; in-process WSGI, one client)")
    for r in results:
        print(f"\n== {r['backend']}: {r['people']:,} people, {r['decisions']:,} decisions "
              f"({r['checks']:,} spot-checks, {r['sampled_share']:.1%} sampled), generated "
              f"in {r['generate_seconds']:.1f} s")
        print(f"  bare Flask route, one indexed query : {r['bare_rps']:8.1f} requests/s")
        for name, path in PAGES.items():
            print(page_line(path, r[f"{name}_rps"], r["bare_rps"], r["statements"][name],
                            small_label="a tenth of the decisions",
                            large_label="all decisions"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.spot_check_bench",
                                     description=__doc__.splitlines()[0])
    child = add_child_parser(parser)
    child.add_argument("--decisions", type=int, default=200_000)
    add_common_options(parser)
    parser.add_argument("--decisions", type=int, default=200_000)
    args = parser.parse_args(argv)
    if args.command == "run":
        print(json.dumps(run_backend(args.url, args.csv, args.workdir, args.seconds,
                                     args.decisions)))
        return

    results, load = each_backend(
        args, lambda url, csv_path, workdir: _child(url, csv_path, workdir, args.seconds,
                                                    args.decisions),
        prefix="clearance-spot-bench-")
    report(results, load)


if __name__ == "__main__":
    main()
