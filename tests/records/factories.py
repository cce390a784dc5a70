"""A learner with decided, spot-checkable work and a one-to-one, for record tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

from approvals import operations as approval_ops
from approvals.one_to_ones.models import Meeting, Series
from clearance.extensions import db
from portfolios import operations as portfolio_ops
from portfolios.models import Evidence
from portfolios.storage import new_key, storage
from rubrics import scoring
from tests.approvals import factories as af
from tests.portfolios import factories as pf

TODAY = dt.datetime.now(dt.UTC).date()
PERIOD = (TODAY - dt.timedelta(days=30), TODAY + dt.timedelta(days=1))


def meeting(manager: Any, report: Any, day: dt.date) -> Meeting:
    series = Series(manager_id=manager.id, report_id=report.id, weekday=day.weekday(),
                    start_time=dt.time(10), start_date=day, anchor_date=day)
    db.session.add(series)
    db.session.flush()
    row = Meeting(series_id=series.id, occurs_on=day,
                  starts_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
                  status="held")
    db.session.add(row)
    db.session.flush()
    return row


def assessment(step: Any, position: int = 1) -> scoring.Assessment:
    version = approval_ops.rubric_version_of(step)
    answers = {c.id: scoring.Answer(version.levels_for(c)[position].id, f"Comment on {c.title}")
               for c in version.criteria}
    return scoring.Assessment(answers, "Clear, structured handover; good use of SBAR with the "
                                       "night team.")


def decided(org: Any, *, levels: int = 2) -> dict[str, Any]:
    """Lea's checkpoint approved by her line manager (in a 1:1) then the skip-level."""
    step = af.submitted(org.learner, levels=levels)
    m = meeting(org.line, org.learner, TODAY)
    first = approval_ops.decide(
        step, org.line,
        approval_ops.DecisionInput("approved", assessment(step), meeting_id=m.id),
        seen_lock=step.lock_version, seen_version_id=step.version_id)
    result = {"step": step, "meeting": m, "first": first}
    if levels > 1:
        step2 = af.pending_step(step.submission_id)
        result["second"] = approval_ops.decide(
            step2, org.skip, approval_ops.DecisionInput("approved", assessment(step2, 2)),
            seen_lock=step2.lock_version, seen_version_id=step2.version_id)
    db.session.flush()
    return result


def stored_file(person: Any, submission: Any, data: bytes, name: str,
                content_type: str) -> Evidence:
    key = new_key()
    storage().save(key, io.BytesIO(data))
    row = Evidence(submission_id=submission.id, owner_id=person.id, kind="file",
                   storage_key=key, original_name=name, content_type=content_type,
                   size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    db.session.add(row)
    db.session.flush()
    return row


def draft_with_reflection(person: Any, body: str, title: str = "Draft work") -> Any:
    cp = pf.enrolled_checkpoint(person, title=title)
    sub = portfolio_ops.start_submission(person, cp)
    portfolio_ops.save_reflection(person, cp, body)
    return sub


def overturned(decision: Any, ld: Any) -> Any:
    """L&D's spot-check verdict on ``decision``: overturned."""
    from sqlalchemy import select

    from approvals.spot_checks.models import SpotCheck
    from clearance.database import utcnow

    check = db.session.scalars(select(SpotCheck).where(
        SpotCheck.decision_id == decision.id)).first()
    if check is None:
        check = SpotCheck(decision_id=decision.id, submission_id=decision.submission_id,
                          learner_id=decision.learner_id, approver_id=decision.decided_by_id,
                          decided_at=decision.decided_at, origin="manual",
                          primary_reason="manual")
        db.session.add(check)
    check.status, check.verdict, check.verdict_at = "done", "overturn", utcnow()
    check.verdict_by_id = ld.id
    db.session.flush()
    return check
