"""Development record PDFs: ``python -m bench.records_bench [--checkpoints 40 200]
[--bulk 100]``.

On a temporary SQLite database: one learner with N decided checkpoints (a 3-criterion rubric,
a ~1,000-character reflection, two decisions each, rows inserted directly). Prints, for each N:
seconds and peak memory of the whole record (gather + template + locked-down render in its
limited child process + hash + store), beside a raw WeasyPrint render of the same HTML string
in the same run (goal: at most 1.3x); then a bulk export of ``--bulk`` one-checkpoint records
(records per minute).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

REFLECTION = ("I led the morning handover using SBAR, and asked the night team to flag "
              "anything they were unsure about. ") * 9


def _setup(tmp: Path) -> Any:
    from clearance.app import create_app

    app = create_app({"ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
                      "SECRET_KEY": "bench-" + "x" * 40, "INSTANCE_PATH": str(tmp / "inst"),
                      "BASE_URL": "http://clearance.bench",
                      # measure big records rather than stop them at the default limit
                      "RECORDS_RENDER_SECONDS": 1800})
    with app.app_context():
        from clearance.extensions import db

        db.create_all()
    return app


def _rubric() -> Any:
    from rubrics import operations
    from rubrics.content import CriterionContent, LevelContent, VersionContent

    levels = [LevelContent("Not yet", Decimal(0), "Not yet shown."),
              LevelContent("Meets", Decimal(2), "Shown reliably."),
              LevelContent("Exceeds", Decimal(3), "Shown and explained to others.")]
    content = VersionContent(
        criteria=[CriterionContent(title=f"Criterion {n}", description=f"What {n} looks like")
                  for n in range(1, 4)],
        shared_scale=True, scale=levels, pass_min_position=1)
    rubric = operations.create_rubric(title="Reflective practice", description="", owner=None,
                                      by=None, content=content)
    version = rubric.versions[0]
    operations.publish(version, by=None)
    return version


def _learner(n: int, rubric: Any, tag: str, manager: Any = None, skip: Any = None) -> Any:
    """A learner with ``n`` approved checkpoints, each decided at two levels."""
    from approvals.models import ApprovalStep, Decision, DecisionScore
    from checkpoints.models import Checkpoint, Enrolment, Programme
    from clearance.database import utcnow
    from clearance.extensions import db
    from people.operations import create_person
    from portfolios.models import Evidence, Submission, SubmissionVersion, version_evidence

    if manager is None:
        skip = create_person(employee_id=f"S{tag}", name=f"Sky Level {tag}",
                             email=f"skip{tag}@example.org", job_title="Head of Nursing",
                             unit="Medicine", manager=None)
        manager = create_person(employee_id=f"M{tag}", name=f"Lin Manager {tag}",
                                email=f"line{tag}@example.org", job_title="Ward Manager",
                                unit="Ward 7", manager=skip)
    person = create_person(employee_id=f"L{tag}", name=f"Lea Learner {tag}",
                           email=f"lea{tag}@example.org", job_title="Staff Nurse",
                           unit="Ward 7", manager=manager)
    prog = Programme(title=f"Programme {tag}", status="published")
    db.session.add(prog)
    db.session.flush()
    db.session.add(Enrolment(person_id=person.id, programme_id=prog.id, source="assigned"))
    now = utcnow()
    for i in range(n):
        cp = Checkpoint(programme_id=prog.id, position=i, title=f"Checkpoint {i + 1}",
                        rubric_version_id=rubric.id, approval_levels=2)
        db.session.add(cp)
        db.session.flush()
        sub = Submission(person_id=person.id, checkpoint_id=cp.id, state="approved",
                         version_count=1, submitted_at=now)
        db.session.add(sub)
        db.session.flush()
        ev = Evidence(submission_id=sub.id, owner_id=person.id, kind="reflection",
                      body=REFLECTION, locked_at=now)
        version = SubmissionVersion(submission_id=sub.id, number=1, submitted_by_id=person.id,
                                    content_hash="0" * 64, outcome="approved", outcome_at=now)
        db.session.add_all([ev, version])
        db.session.flush()
        db.session.execute(version_evidence.insert().values(version_id=version.id,
                                                            evidence_id=ev.id))
        for level, approver in ((1, manager), (2, skip)):
            step = ApprovalStep(version_id=version.id, submission_id=sub.id,
                                learner_id=person.id, level=level, approver_id=approver.id,
                                status="decided", closed_at=now)
            db.session.add(step)
            db.session.flush()
            decision = Decision(
                step_id=step.id, version_id=version.id, submission_id=sub.id,
                learner_id=person.id, level=level, outcome="approved",
                overall_feedback="Clear, structured handover; good use of SBAR.",
                rubric_version_id=rubric.id, content_hash="0" * 64, decided_at=now,
                decided_by_id=approver.id)
            db.session.add(decision)
            db.session.flush()
            for pos, criterion in enumerate(rubric.criteria):
                db.session.add(DecisionScore(decision_id=decision.id, criterion_id=criterion.id,
                                             level_id=rubric.scale[1].id, position=pos,
                                             comment=f"Comment on {criterion.title}"))
    db.session.flush()
    return person


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _one(n: int, rubric: Any, warm: bool) -> None:
    from weasyprint import HTML

    from clearance.database import utcnow
    from portfolios.records import operations
    from portfolios.records.render import PDF_VARIANT, LockedFetcher

    person = _learner(n, rubric, f"{n}")
    today = dt.datetime.now(dt.UTC).date()
    start, end = today - dt.timedelta(days=30), today + dt.timedelta(days=1)
    if warm:
        operations.issue_record(person, None, start, end)  # warm-up (fonts, templates)

    t0 = time.perf_counter()
    issued = operations.issue_record(person, None, start, end)
    ours = time.perf_counter() - t0
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    html, _c = operations.build_html(person, start, end, code=issued.record.code,
                                     generated_at=utcnow(), generated_by=None)
    t0 = time.perf_counter()
    raw = HTML(string=html, base_url="asset:", url_fetcher=LockedFetcher()).write_pdf(
        pdf_variant=PDF_VARIANT)
    baseline = time.perf_counter() - t0
    import io

    import pypdf

    pages = len(pypdf.PdfReader(io.BytesIO(issued.pdf)).pages)
    print(f"{n:>4} checkpoints, {pages:>3} pages, {len(issued.pdf) / 1024:6.0f} KB: "
          f"record {ours:6.2f} s (render child peak RSS {child_peak:5.0f} MB) | "
          f"raw WeasyPrint {baseline:6.2f} s (bench process peak RSS {_peak_rss_mb():5.0f} MB, "
          f"{len(raw) / 1024:.0f} KB) | ratio {ours / baseline:4.2f}x")


def _bulk(count: int, rubric: Any, tmp: Path) -> None:
    from portfolios.records import bulk

    first = _learner(1, rubric, "b0")
    manager, skip = first.manager, first.manager.manager
    people = [first] + [_learner(1, rubric, f"b{i}", manager, skip) for i in range(1, count)]
    today = dt.datetime.now(dt.UTC).date()
    t0 = time.perf_counter()
    done, failures = bulk.write_zip(people, tmp / "bulk.zip", actor=None,
                                    start=today - dt.timedelta(days=30),
                                    end=today + dt.timedelta(days=1))
    spent = time.perf_counter() - t0
    print(f"bulk export: {done} records ({len(failures)} failed) in {spent:.1f} s = "
          f"{done / spent * 60:.0f} records per minute, ZIP "
          f"{(tmp / 'bulk.zip').stat().st_size / 2**20:.1f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoints", type=int, nargs="*", default=[40, 200])
    parser.add_argument("--bulk", type=int, default=100)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as raw:
        tmp = Path(raw)
        app = _setup(tmp)
        with app.app_context(), app.test_request_context():
            rubric = _rubric()
            for i, n in enumerate(args.checkpoints):
                _one(n, rubric, warm=i == 0)
            if args.bulk:
                _bulk(args.bulk, rubric, tmp)
            print(f"peak RSS of the bench process: {_peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
