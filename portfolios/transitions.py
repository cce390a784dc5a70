"""The submission state machine: every transition is one conditional UPDATE and one audit event.

:func:`_transition` names the state (and, on submit, the version counter) the caller saw, so two
requests racing on the same submission (a double click, a learner withdrawing while a manager
decides) cannot both win; the unique ``(submission_id, number)`` constraint on versions is the
second guard.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from clearance import audit
from clearance.database import utcnow
from clearance.extensions import db
from portfolios import handoff
from portfolios.models import (
    EDITABLE_STATES,
    STATE_LABELS,
    TRANSITIONS,
    Evidence,
    Submission,
    SubmissionVersion,
    version_evidence,
)
from portfolios.operations import PortfolioError, _require_enrolment, working_set


class SubmissionConflict(PortfolioError):
    """The submission is no longer in the state the caller saw (double click, race)."""


def _transition(submission: Submission, action: str, *, expected_version: int | None = None,
                reason: str | None = None) -> str:
    sources, target = TRANSITIONS[action]
    before = submission.state
    if before not in sources:
        raise SubmissionConflict(
            f"This checkpoint is {STATE_LABELS[before].lower()}, so it cannot be "
            f"{_PAST[action]} now."
        )
    conditions = [Submission.id == submission.id, Submission.state == before]
    values: dict[str, Any] = {"state": target, "state_changed_at": utcnow()}
    if expected_version is not None:
        conditions.append(Submission.version_count == expected_version)
    if action == "submit":
        values["version_count"] = Submission.version_count + 1
        values["submitted_at"] = utcnow()
    db.session.flush()
    result = db.session.execute(
        update(Submission).where(*conditions).values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.expire(submission)
        raise SubmissionConflict("Someone changed this checkpoint a moment ago (or it was "
                                 "sent twice). Here is how it stands now.")
    # The row matched what the caller saw, so its new values are known: keep them rather
    # than read the row again.
    set_committed_value(submission, "state", target)
    set_committed_value(submission, "state_changed_at", values["state_changed_at"])
    if action == "submit":
        if expected_version is not None:
            set_committed_value(submission, "version_count", expected_version + 1)
        else:
            db.session.expire(submission, ["version_count"])
        set_committed_value(submission, "submitted_at", values["submitted_at"])
    return before


_PAST = {"submit": "submitted", "withdraw": "withdrawn", "request_changes": "sent back",
         "approve": "approved", "reopen": "reopened"}


def requirements_problems(submission: Submission) -> list[str]:
    """What stops the working set from being submitted (empty when it can be)."""
    checkpoint = submission.checkpoint
    items = working_set(submission)
    problems = []
    minimum = max(1, checkpoint.min_evidence or 0)
    if len(items) < minimum:
        problems.append(f"Add at least {minimum} piece{'s' if minimum != 1 else ''} of evidence "
                        f"(you have {len(items)}).")
    wrong = sorted({e.kind for e in items} - set(checkpoint.allowed_kinds))
    if wrong:
        problems.append(f"This checkpoint does not take {', '.join(wrong)} evidence: remove it.")
    return problems


def content_hash(submission: Submission, number: int, items: list[Evidence]) -> str:
    canonical = {
        "submission": submission.id, "checkpoint": submission.checkpoint_id,
        "person": submission.person_id, "number": number,
        "evidence": [
            {"id": e.id, "kind": e.kind, "label": e.label, "url": e.url,
             "sha256": e.sha256 or (hashlib.sha256(e.body.encode()).hexdigest()
                                    if e.body is not None else None)}
            for e in sorted(items, key=lambda e: e.id)
        ],
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def submit(submission: Submission, person: Any, *, expected_version: int) -> SubmissionVersion:
    """Freeze the working set as version ``expected_version + 1`` and hand it to routing.

    ``expected_version`` is the version count the learner's page showed: a second click, a
    stale tab or a tampered form field finds it changed and creates nothing.
    """
    if person.id != submission.person_id:
        raise PortfolioError("Only the learner can submit their own work.")
    _require_enrolment(person, submission.checkpoint)
    if submission.version_count != expected_version:
        raise SubmissionConflict("This was already sent (perhaps by a double click); "
                                 "nothing new was submitted.")
    problems = requirements_problems(submission)
    if problems and submission.state in EDITABLE_STATES:
        raise PortfolioError(" ".join(problems))
    items = working_set(submission)
    before = _transition(submission, "submit", expected_version=expected_version)
    number = expected_version + 1
    now = utcnow()
    version = SubmissionVersion(submission_id=submission.id, number=number, submitted_at=now,
                                submitted_by_id=person.id,
                                content_hash=content_hash(submission, number, items))
    try:
        with db.session.begin_nested():
            db.session.add(version)
    except IntegrityError as exc:
        raise SubmissionConflict("This was already sent; nothing new was submitted.") from exc
    if items:
        db.session.execute(insert(version_evidence),
                           [{"version_id": version.id, "evidence_id": e.id} for e in items])
    for item in items:
        if item.locked_at is None:
            item.locked_at = now
    db.session.flush()
    audit.record("submission.submitted", obj=submission,
                 before={"state": before},
                 after={"state": "submitted", "version": number,
                        "evidence": [e.id for e in items], "content_hash": version.content_hash})
    handoff.submitted(version)
    return version


def _close_version(submission: Submission, outcome: str,
                   latest: SubmissionVersion | None = None) -> SubmissionVersion | None:
    """Record how the latest version ended. ``latest`` is that version when the caller has it
    loaded (it is used only if it is the latest: its number is the submission's count)."""
    if latest is not None and latest.submission_id == submission.id \
            and latest.number == submission.version_count:
        version: SubmissionVersion | None = latest
    else:
        version = db.session.scalar(
            select(SubmissionVersion).where(SubmissionVersion.submission_id == submission.id)
            .order_by(SubmissionVersion.number.desc()).limit(1)
        )
    if version is not None and version.outcome is None:
        version.outcome = outcome
        version.outcome_at = utcnow()
    return version


def withdraw(submission: Submission, person: Any, *, reason: str | None = None) -> None:
    """The learner takes back a submission that nobody has decided yet."""
    if person.id != submission.person_id:
        raise PortfolioError("Only the learner can withdraw their own work.")
    if submission.state == "submitted":
        blocked = handoff.withdraw_blocked(submission)
        if blocked:
            raise PortfolioError(blocked)
    before = _transition(submission, "withdraw")
    version = _close_version(submission, "withdrawn")
    db.session.flush()
    audit.record("submission.withdrawn", obj=submission, before={"state": before},
                 after={"state": "withdrawn",
                        "version": version.number if version else None}, reason=reason)
    if version is not None:
        handoff.withdrawn(version)


def _decide(submission: Submission, action: str, outcome: str, *,
            expected_version: int | None, reason: str | None,
            actor: Any | None, version: SubmissionVersion | None = None
            ) -> SubmissionVersion | None:
    before = _transition(submission, action, expected_version=expected_version)
    version = _close_version(submission, outcome, version) if outcome else None
    db.session.flush()
    audit.record(f"submission.{TRANSITIONS[action][1]}", obj=submission,
                 before={"state": before},
                 after={"state": TRANSITIONS[action][1],
                        "version": submission.version_count},
                 reason=reason,
                 **({"actor_id": actor.id} if actor is not None else {}))
    handoff.decided(submission, action)
    return version


def request_changes(submission: Submission, *, by: Any | None = None,
                    reason: str | None = None, expected_version: int | None = None,
                    version: SubmissionVersion | None = None) -> SubmissionVersion | None:
    """Send the pending version back to the learner (approvals records the decision).
    ``version``: the pending version, when the caller has it loaded (saves reading it)."""
    return _decide(submission, "request_changes", "changes_requested",
                   expected_version=expected_version, reason=reason, actor=by,
                   version=version)


def approve(submission: Submission, *, by: Any | None = None, reason: str | None = None,
            expected_version: int | None = None,
            version: SubmissionVersion | None = None) -> SubmissionVersion | None:
    """Mark the pending version approved (approvals records the decision itself).
    ``version``: the pending version, when the caller has it loaded (saves reading it)."""
    version = _decide(submission, "approve", "approved", expected_version=expected_version,
                      reason=reason, actor=by, version=version)
    handoff.approved(submission, version)
    return version


def reopen(submission: Submission, *, by: Any | None = None,
           reason: str | None = None) -> None:
    """L&D reopens a decided submission (spot-check disagreement); the learner resubmits."""
    _decide(submission, "reopen", "", expected_version=None, reason=reason, actor=by)
