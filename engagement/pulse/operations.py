"""The learner's pulse answer: once per decision, stored without any link to the person.

:class:`PulseAnswered` (who answered which decision) and :class:`PulseResponse` (what was
answered, with coarse context only) are written in the same transaction and share nothing a
join could use. Flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from clearance import audit
from clearance.database import utcnow
from clearance.extensions import db
from engagement.pulse.models import ACTIVITIES, SCALE, PulseAnswered, PulseResponse
from portfolios.models import Submission


class PulseRefused(ValueError):
    """Not a valid answer; ``field`` names the form field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class PulseConflict(RuntimeError):
    """Already answered for this decision (409)."""


@dataclass(frozen=True)
class PulseInput:
    activities: tuple[str, ...]
    usefulness: int
    feedback_helped: int


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _validate(data: PulseInput) -> None:
    chosen = set(data.activities)
    if not chosen:
        raise PulseRefused("Choose at least one activity.", "activities")
    if chosen - set(ACTIVITIES):
        raise PulseRefused("Choose from the activities listed.", "activities")
    if data.usefulness not in SCALE:
        raise PulseRefused("Choose a number from 1 to 5.", "usefulness")
    if data.feedback_helped not in SCALE:
        raise PulseRefused("Choose a number from 1 to 5.", "feedback_helped")


def answer(decision: Any, person: Any, data: PulseInput) -> None:
    """Save ``person``'s answers about ``decision`` exactly once (the primary key of
    ``pulse_answered`` is the decision: a second or concurrent answer raises
    :class:`PulseConflict` and nothing of it is stored)."""
    _validate(data)
    if decision.learner_id != person.id:
        raise PulseRefused("You can only answer about decisions on your own work.")
    submission = db.session.get(Submission, decision.submission_id)
    checkpoint = submission.checkpoint
    try:
        with db.session.begin_nested():
            db.session.add(PulseAnswered(decision_id=decision.id,
                                         person_id=person.id))
    except IntegrityError as exc:
        raise PulseConflict("You already answered these questions about this decision. "
                            "Thank you; nothing new was saved.") from exc
    chosen = set(data.activities)
    db.session.add(PulseResponse(
        programme_id=checkpoint.programme_id, checkpoint_kind=checkpoint.kind,
        approver_level=decision.level,
        month=first_of_month(utcnow().date()),
        chose_activities="activities" in chosen, chose_formative="formative" in chosen,
        chose_summative="summative" in chosen, chose_feedback="feedback" in chosen,
        usefulness=data.usefulness, feedback_helped=data.feedback_helped))
    db.session.flush()
    # The audit trail says that the learner answered, never what (nor the response's key).
    audit.record("pulse.answered", object_type="decision",
                 object_id=decision.id)
