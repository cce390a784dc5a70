"""Every write of the spot-checks except the sampling itself (sampler.py): opening checks,
picking by hand, claiming, L&D's blind scores, verdicts (agree, concern, overturn),
acknowledgements and per-programme rates.

Flush, never commit; one audit event per change. Decisions are never edited: an overturn is a
verdict here plus the portfolio's ``reopen`` transition.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from approvals.models import Decision
from approvals.spot_checks.models import (
    REASONS,
    ProgrammeSamplingRate,
    SpotCheck,
    SpotCheckReason,
    SpotCheckSampling,
)
from clearance import audit
from clearance.database import as_utc, utcnow
from clearance.extensions import db
from rubrics import scoring


class SpotCheckError(ValueError):
    """The action is not possible now (shown to the person who tried)."""


class ClaimConflict(SpotCheckError):
    """Someone else claimed (or finished) the check first."""


# ---------------------------------------------------------------- opening checks


def open_check(decision: Decision, row: SpotCheckSampling | None,
                reasons: list[tuple[str, str]], *, origin: str, picked_by: Any) -> SpotCheck:
    check = SpotCheck(
        decision_id=decision.id, submission_id=decision.submission_id,
        learner_id=decision.learner_id, approver_id=decision.decided_by_id,
        unit=row.unit if row is not None else "", decided_at=decision.decided_at,
        programme_id=row.programme_id if row is not None else None, origin=origin,
        primary_reason=reasons[0][0], created_at=utcnow(), status="open",
        picked_by_id=picked_by.id if picked_by is not None else None,
        reasons=[SpotCheckReason(code=code, detail=detail[:300], position=i)
                 for i, (code, detail) in enumerate(reasons)],
    )
    db.session.add(check)
    db.session.flush()
    audit.record("spot_check.sampled" if origin == "sampled" else "spot_check.picked",
                 obj=check, after={"decision_id": decision.id,
                                   "reasons": [code for code, _ in reasons]},
                 **({} if picked_by is not None else {"acting_role": "system"}))
    return check


def pick(decision: Decision, by: Any, note: str = "") -> SpotCheck:
    """L&D picks a decision by hand (one check per decision)."""
    existing = db.session.scalar(select(SpotCheck).where(SpotCheck.decision_id == decision.id))
    if existing is not None:
        raise SpotCheckError("This decision is already being spot-checked.")
    if by.id in (decision.decided_by_id, decision.learner_id):
        raise SpotCheckError("You cannot spot-check a decision you made or one about your "
                             "own work.")
    row = db.session.scalar(select(SpotCheckSampling)
                            .where(SpotCheckSampling.decision_id == decision.id))
    detail = note.strip() or f"picked by {by.name}"
    return open_check(decision, row, [("manual", detail)], origin="manual", picked_by=by)


# ---------------------------------------------------------------- per-programme rates


def set_programme_rate(programme: Any, percent: float | None, by: Any) -> None:
    """Set (or with None clear) a programme's own base rate."""
    row = db.session.get(ProgrammeSamplingRate, programme.id)
    before = float(row.rate) * 100 if row is not None else None
    if percent is None:
        if row is None:
            return
        db.session.delete(row)
    else:
        if not 0 <= percent <= 100:
            raise SpotCheckError("A rate is a percentage from 0 to 100.")
        value = Decimal(str(round(percent / 100, 5)))
        if row is None:
            row = ProgrammeSamplingRate(programme_id=programme.id, rate=value)
            db.session.add(row)
        row.rate = value
        row.updated_at = utcnow()
        row.updated_by_id = by.id
    db.session.flush()
    audit.record("spot_check.rate_set", object_type="programme", object_id=programme.id,
                 before={"rate_percent": before}, after={"rate_percent": percent})


# ---------------------------------------------------------------- claiming


def _status_update(check: SpotCheck, expected: tuple[str, ...], **values: Any) -> bool:
    result = db.session.execute(
        update(SpotCheck).where(SpotCheck.id == check.id, SpotCheck.status.in_(expected))
        .values(**values).execution_options(synchronize_session=False))
    db.session.expire(check)
    return result.rowcount == 1


def _may_work_on(check: SpotCheck, person: Any) -> None:
    if person.id in (check.approver_id, check.learner_id):
        raise SpotCheckError("You cannot spot-check a decision you made or one about your own "
                             "work: leave it for a colleague.")


def claim(check: SpotCheck, person: Any) -> None:
    """Take an open check; a second reviewer finds it taken (conditional UPDATE)."""
    _may_work_on(check, person)
    if not _status_update(check, ("open",), status="claimed", claimed_by_id=person.id,
                          claimed_at=utcnow()):
        db.session.refresh(check)
        who = check.claimed_by.name if check.claimed_by is not None else "someone else"
        raise ClaimConflict(f"{who} already took this check.")
    audit.record("spot_check.claimed", obj=check, after={"claimed_by_id": person.id})


def release(check: SpotCheck, person: Any) -> None:
    """Give a claimed (not yet scored) check back to the queue."""
    if check.claimed_by_id != person.id and not person.has_role("admin"):
        raise SpotCheckError("Only the person who took this check can give it back.")
    if not _status_update(check, ("claimed",), status="open", claimed_by_id=None,
                          claimed_at=None):
        raise ClaimConflict("This check can no longer be given back.")
    audit.record("spot_check.released", obj=check, before={"claimed_by_id": person.id})


def reason_label(code: str) -> str:
    return REASONS.get(code, code)


def as_dt(value: dt.datetime | None) -> dt.datetime | None:
    return as_utc(value)


# ---------------------------------------------------------------- L&D's blind assessment


def decision_rubric(decision: Decision) -> Any:
    if decision.rubric_version_id is None:
        return None
    from rubrics.models import RubricVersion

    return db.session.get(RubricVersion, decision.rubric_version_id)


def score(check: SpotCheck, person: Any, assessment: scoring.Assessment, ld_outcome: str
          ) -> None:
    """Record L&D's own levels (blind: before the manager's are shown) and the outcome they
    would have given. Every criterion must be scored; comments are optional."""
    from approvals.spot_checks.models import SpotCheckScore

    if check.status != "claimed" or check.claimed_by_id != person.id:
        raise SpotCheckError("Take this check first (or it has been scored already).")
    if ld_outcome not in ("approved", "changes_requested"):
        raise SpotCheckError("Choose the outcome you would have given.")
    decision = check.decision
    version = decision_rubric(decision)
    rows = []
    if version is not None:
        missing = [m for m in scoring.missing_pieces(version, assessment, 0)
                   if m.kind in ("unscored", "invalid_level", "unknown_criterion")]
        if missing:
            raise ScoringIncomplete(missing)
        spec = scoring.spec_of(version)
        manager = {s.criterion_id: s.level_id for s in decision.scores}
        keys = {c.id: c for c in version.criteria}
        for i, criterion in enumerate(spec.criteria):
            answer = assessment.answer(criterion.id)
            mine = criterion.level(int(answer.level_id))
            theirs = criterion.level(manager.get(criterion.id))
            rows.append(SpotCheckScore(
                criterion_id=criterion.id, criterion_key=keys[criterion.id].key or "",
                criterion_title=criterion.title[:200], position=i, ld_level_id=mine.id,
                ld_position=mine.position,
                manager_level_id=theirs.id if theirs is not None else None,
                manager_position=theirs.position if theirs is not None else None,
                scale_size=len(criterion.levels), comment=answer.comment.strip()))
    if not _status_update(check, ("claimed",), status="scored", scored_at=utcnow(),
                          ld_outcome=ld_outcome, ld_feedback=assessment.feedback.strip()):
        raise ClaimConflict("This check changed a moment ago; open it again.")
    for row in rows:
        row.spot_check_id = check.id
        db.session.add(row)
    db.session.flush()
    audit.record("spot_check.scored", obj=check,
                 after={"ld_outcome": ld_outcome,
                        "levels": {str(r.criterion_id): r.ld_position for r in rows}})


class ScoringIncomplete(SpotCheckError):
    def __init__(self, missing: list[scoring.Missing]) -> None:
        super().__init__("Score every criterion before you compare.")
        self.missing = missing


# ---------------------------------------------------------------- verdicts

MIN_FEEDBACK_CHARS = 20
DEFAULT_LEARNER_MESSAGE = ("The Learning and Development team reviewed the decision on this "
                           "checkpoint and found that it was not a full assessment against the "
                           "rubric. Your work has been reopened so that it can be assessed "
                           "again.")


def overturn_blocker(check: SpotCheck) -> str | None:
    """Why the decision cannot be overturned now (None when it can)."""
    from portfolios.models import Submission

    submission = db.session.get(Submission, check.submission_id)
    latest = submission.latest_version if submission is not None else None
    if latest is None or latest.id != check.decision.version_id:
        return ("The learner has submitted a newer version since this decision, so there is "
                "nothing to reopen: record a concern instead.")
    if submission.state not in ("approved", "changes_requested"):
        return (f"The submission is {submission.state_label.lower()}, so it cannot be reopened "
                "now: record a concern instead.")
    return None


def give_verdict(check: SpotCheck, person: Any, verdict: str, *, approver_feedback: str = "",
                 learner_message: str = "", internal_notes: str = "") -> None:
    """Agree, concern or overturn. Concern and overturn send written feedback to the approver;
    an overturn reopens the submission (the decision itself is kept as it was)."""
    if check.status != "scored" or check.claimed_by_id != person.id:
        raise SpotCheckError("Score the rubric yourself before you give a verdict.")
    if verdict not in ("agree", "concern", "overturn"):
        raise SpotCheckError("Choose a verdict: agree, concern or overturn.")
    approver_feedback = approver_feedback.strip()
    if verdict != "agree" and len(approver_feedback) < MIN_FEEDBACK_CHARS:
        raise SpotCheckError(f"Write feedback for the approver (at least {MIN_FEEDBACK_CHARS} "
                             "characters): what the assessment missed.")
    if verdict == "overturn":
        blocked = overturn_blocker(check)
        if blocked:
            raise SpotCheckError(blocked)
    now = utcnow()
    if not _status_update(
            check, ("scored",), status="done", verdict=verdict, verdict_at=now,
            verdict_by_id=person.id,
            approver_feedback=approver_feedback if verdict != "agree" else "",
            learner_message=((learner_message.strip() or DEFAULT_LEARNER_MESSAGE)
                             if verdict == "overturn" else ""),
            internal_notes=internal_notes.strip()):
        raise ClaimConflict("This check changed a moment ago; open it again.")
    audit.record("spot_check.verdict", obj=check,
                 after={"verdict": verdict, "decision_id": check.decision_id,
                        "approver_id": check.approver_id},
                 reason=approver_feedback or None)
    if verdict == "concern":
        _tell_approver(check, f"L&D raised a concern about your decision on "
                              f"{check.learner.name}'s “{_title(check)}”.")
    elif verdict == "overturn":
        _overturn(check, person)


def _title(check: SpotCheck) -> str:
    return check.submission.checkpoint.title


def _link(endpoint: str, **values: Any) -> str:
    from clearance.urls import local_path

    return local_path(endpoint, **values)


def _tell_approver(check: SpotCheck, message: str) -> None:
    from clearance.mail import queue_mail
    from clearance.notifications import notify

    link = _link("spot_checks.mine_one", check_id=check.id)
    notify(check.approver_id, f"spot_check.{check.verdict}", message, link)
    queue_mail(check.approver.email, message, "mail/spot_check_approver",
               approver=check.approver, check=check, message=message,
               link=current_app.config["BASE_URL"].rstrip("/") + link)


def _overturn(check: SpotCheck, person: Any) -> None:
    from clearance.mail import queue_mail
    from clearance.notifications import notify
    from portfolios import operations as portfolio_ops

    submission = check.submission
    portfolio_ops.reopen(submission, by=person,
                         reason=f"overturned by L&D after spot-check {check.id}")
    title = _title(check)
    _tell_approver(check, f"L&D overturned your decision on {check.learner.name}'s “{title}”: "
                          "it is reopened and will come back to you when resubmitted.")
    message = f"L&D reopened your checkpoint “{title}” after reviewing its assessment."
    link = _link("portfolios.submission", submission_id=submission.id)
    notify(check.learner_id, "spot_check.overturned", message, link)
    queue_mail(check.learner.email, message, "mail/spot_check_learner", learner=check.learner,
               check=check, message=message,
               link=current_app.config["BASE_URL"].rstrip("/") + link)


def acknowledge(check: SpotCheck, person: Any) -> None:
    """The approver has read L&D's feedback: it leaves their queue and 1:1 agenda."""
    if check.approver_id != person.id:
        raise SpotCheckError("Only the approver acknowledges feedback on their decision.")
    if check.acknowledged_at is not None or check.verdict not in ("concern", "overturn"):
        return
    check.acknowledged_at = utcnow()
    db.session.flush()
    audit.record("spot_check.acknowledged", obj=check, after={"verdict": check.verdict})
