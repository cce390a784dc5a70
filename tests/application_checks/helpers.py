"""Application checks made the real way: a summative checkpoint submitted, then finally
approved by the line manager through approvals.operations.decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from clearance.database import utcnow
from clearance.extensions import db
from engagement.application.models import ApplicationCheck
from tests.approvals.factories import submitted
from tests.spot_checks.factories import decide


def check_of(submission_id: int) -> ApplicationCheck | None:
    return db.session.scalar(select(ApplicationCheck)
                             .where(ApplicationCheck.submission_id == submission_id))


def approved(learner: Any, *, title: str = "Safe handover", days: int | None = None,
             levels: int = 1) -> Any:
    """``learner`` submits; every level approves. Returns the submission."""
    step = submitted(learner, title=title, levels=levels)
    if days is not None:
        step.submission.checkpoint.application_check_days = days
        db.session.flush()
    submission_id = step.submission_id
    decide(step, step.approver)
    if levels == 2:
        from tests.approvals.factories import pending_step

        nxt = pending_step(submission_id)
        decide(nxt, nxt.approver)
    return step.submission


def approved_check(learner: Any, **kw: Any) -> ApplicationCheck:
    submission = approved(learner, **kw)
    check = check_of(submission.id)
    assert check is not None, "no application check was scheduled"
    return check


def due_check(learner: Any, *, days_ago: int = 1, **kw: Any) -> ApplicationCheck:
    """An approved check that came due ``days_ago`` days ago."""
    check = approved_check(learner, **kw)
    check.due_on = utcnow().date() - dt.timedelta(days=days_ago)
    db.session.flush()
    return check


ANSWER = {"answer": "partly", "note": "Leads the handover twice a week now.",
          "measure_name": "Handover incidents per month", "measure_value": "2",
          "measure_unit": ""}
