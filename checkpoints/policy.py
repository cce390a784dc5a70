"""Who may do what with programmes, checkpoints and enrolments."""

from __future__ import annotations

from typing import Any

from checkpoints import queries
from checkpoints.models import ENROLMENT_ENDED, Enrolment, Programme
from clearance.access import policy


def _staff(user: Any) -> bool:
    return queries.is_staff(user)


@policy("checkpoints.author")
def may_author(user: Any, _obj: Any) -> bool:
    """Create and edit programmes and their checkpoints: L&D and administrators."""
    return _staff(user)


@policy("checkpoints.view_programme")
def may_view_programme(user: Any, programme: Programme | None) -> bool:
    """L&D sees everything. Learners see published, released programmes that are open in the
    catalogue or that they are enrolled in; an archived programme stays readable for the
    people enrolled in it."""
    if programme is None:
        return False
    if _staff(user):
        return True
    if programme.status not in queries.LEARNER_PROGRAMME_STATUSES:
        return False
    if not programme.is_released(queries.today()):
        return False
    enrolled = queries.active_enrolment(user.id, programme.id) is not None
    if programme.status == "archived":
        return enrolled
    return programme.open_in_catalogue or enrolled


@policy("checkpoints.enrol")
def may_enrol(user: Any, programme: Programme | None) -> bool:
    """Self-enrolment from the catalogue: open, published and released programmes."""
    if programme is None:
        return True  # the route-level check; the programme is checked in the view
    return (programme.status == "published" and programme.open_in_catalogue
            and programme.is_released(queries.today()))


@policy("checkpoints.leave")
def may_leave(user: Any, enrolment: Enrolment | None) -> bool:
    """Learners leave only an elective programme they enrolled in themselves."""
    if enrolment is None:
        return False
    return (enrolment.person_id == user.id and enrolment.status == "active"
            and enrolment.source == "self" and enrolment.programme.is_elective)


@policy("checkpoints.assign")
def may_assign(user: Any, programme: Programme | None) -> bool:
    """Push enrolment: L&D and administrators, to published programmes."""
    if not _staff(user):
        return False
    return programme is None or programme.status == "published"


@policy("checkpoints.unassign")
def may_unassign(user: Any, enrolment: Enrolment | None) -> bool:
    """Taking someone off a programme (assigned or not) is for L&D and administrators."""
    if not _staff(user):
        return False
    return enrolment is None or enrolment.status not in ENROLMENT_ENDED
