"""CSV exports for L&D analytics, streamed: rows are read in batches of ``BATCH`` and written
as they go, so 200,000 decisions never sit in memory at once (a fixed number of statements per
batch; the session's identity map holds rows weakly, so it does not grow either).

Cells that a spreadsheet would run as a formula (starting with ``= + - @`` or a tab/CR) get a
leading apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from approvals.models import Decision, DecisionScore
from checkpoints.models import Checkpoint, Programme
from clearance.database import as_utc
from clearance.extensions import db
from people.models import Person
from portfolios.models import Submission
from rubrics.models import Criterion, Level

BATCH = 1000
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return as_utc(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def stream_csv(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for n, row in enumerate(rows, 1):
        writer.writerow([safe_cell(v) for v in row])
        if n % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _batches(id_column: Any, where: Any = None) -> Iterator[list[int]]:
    """Keyset pagination over ids: each batch is one small query."""
    last = 0
    while True:
        stmt = select(id_column).where(id_column > last).order_by(id_column).limit(BATCH)
        if where is not None:
            stmt = stmt.where(where)
        ids = list(db.session.scalars(stmt))
        if not ids:
            return
        yield ids
        last = ids[-1]


DECISION_HEADER = ["decision_id", "decided_at", "learner_id", "learner", "unit", "programme",
                   "checkpoint", "level", "outcome", "decided_by", "acting_for",
                   "acting_reason", "meeting_id", "total_points", "rubric_passed",
                   "criterion_levels", "feedback_chars"]


def decision_rows() -> Iterator[list[Any]]:
    learner, decider, acting = aliased(Person), aliased(Person), aliased(Person)
    for ids in _batches(Decision.id):
        rows = db.session.execute(
            select(Decision, learner.name, learner.unit, Programme.title, Checkpoint.title,
                   decider.name, acting.name)
            .join(learner, learner.id == Decision.learner_id)
            .join(decider, decider.id == Decision.decided_by_id)
            .outerjoin(acting, acting.id == Decision.acting_for_id)
            .join(Submission, Submission.id == Decision.submission_id)
            .join(Checkpoint, Checkpoint.id == Submission.checkpoint_id)
            .join(Programme, Programme.id == Checkpoint.programme_id)
            .where(Decision.id.in_(ids)).order_by(Decision.id)).all()
        levels: dict[int, list[str]] = {}
        for decision_id, criterion, level, points in db.session.execute(
                select(DecisionScore.decision_id, Criterion.title, Level.name, Level.points)
                .join(Criterion, Criterion.id == DecisionScore.criterion_id)
                .join(Level, Level.id == DecisionScore.level_id)
                .where(DecisionScore.decision_id.in_(ids))
                .order_by(DecisionScore.decision_id, DecisionScore.position)):
            levels.setdefault(decision_id, []).append(f"{criterion}={level} ({points})")
        for d, name, unit, programme, checkpoint, by, acting_for in rows:
            yield [d.id, d.decided_at, d.learner_id, name, unit, programme, checkpoint, d.level,
                   d.outcome, by, acting_for, d.acting_reason, d.meeting_id, d.total_points,
                   d.rubric_passed, " | ".join(levels.get(d.id, [])),
                   len(d.overall_feedback or "")]


SUBMISSION_HEADER = ["submission_id", "learner_id", "learner", "unit", "programme",
                     "checkpoint", "state", "versions", "created_at", "submitted_at",
                     "state_changed_at"]


def submission_rows() -> Iterator[list[Any]]:
    for ids in _batches(Submission.id):
        for s, name, unit, programme, checkpoint in db.session.execute(
                select(Submission, Person.name, Person.unit, Programme.title, Checkpoint.title)
                .join(Person, Person.id == Submission.person_id)
                .join(Checkpoint, Checkpoint.id == Submission.checkpoint_id)
                .join(Programme, Programme.id == Checkpoint.programme_id)
                .where(Submission.id.in_(ids)).order_by(Submission.id)):
            yield [s.id, s.person_id, name, unit, programme, checkpoint, s.state,
                   s.version_count, s.created_at, s.submitted_at, s.state_changed_at]


SPOT_CHECK_HEADER = ["spot_check_id", "decision_id", "learner_id", "approver_id", "approver",
                     "unit", "programme_id", "decided_at", "origin", "primary_reason",
                     "status", "ld_outcome", "verdict", "verdict_at", "verdict_by_id"]


def spot_check_rows() -> Iterator[list[Any]]:
    try:
        mod = importlib.import_module("approvals.spot_checks.models")
    except ImportError:
        return
    check = mod.SpotCheck
    for ids in _batches(check.id):
        for c, approver in db.session.execute(
                select(check, Person.name).join(Person, Person.id == check.approver_id)
                .where(check.id.in_(ids)).order_by(check.id)):
            yield [c.id, c.decision_id, c.learner_id, c.approver_id, approver, c.unit,
                   c.programme_id, c.decided_at, c.origin, c.primary_reason, c.status,
                   c.ld_outcome, c.verdict, c.verdict_at, c.verdict_by_id]


EXPORTS: dict[str, tuple[str, list[str], Callable[[], Iterator[list[Any]]]]] = {
    "decisions": ("Decisions (one row per decision, with the level for each criterion)",
                  DECISION_HEADER, decision_rows),
    "spot-checks": ("Spot-checks and their verdicts", SPOT_CHECK_HEADER, spot_check_rows),
    "submissions": ("Submissions and their states", SUBMISSION_HEADER, submission_rows),
}
