"""Who may see and change portfolios, submissions and evidence.

The learner owns their submissions and evidence; managers anywhere above them in the chart may
view (approvals may narrow this to the managers who route the work); L&D and administrators may
view. Nobody else: views answer 404 so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clearance.access import policy


def _staff(user: Any) -> bool:
    return bool(user.has_role("ld") or user.has_role("admin"))


def _above(user: Any, person: Any) -> bool:
    return bool(person is not None and user.id != person.id and user.path
                and person.path.startswith(user.path))


@policy("portfolios.mine")
def may_keep_a_portfolio(user: Any, _obj: Any) -> bool:
    """Everyone signed in is a learner with a portfolio of their own."""
    return True


@policy("portfolios.view_person")
def may_view_portfolio(user: Any, person: Any) -> bool:
    if person is None:
        return False
    return person.id == user.id or _above(user, person) or _staff(user)


# Other domains may grant read access to a submission (approvals: whoever holds or acts on an
# approval step for it, e.g. a delegate outside the learner's chain). ``fn(user, submission)``.
_EXTRA_VIEWERS: list[Callable[[Any, Any], bool]] = []


def register_submission_viewer(fn: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    if fn not in _EXTRA_VIEWERS:
        _EXTRA_VIEWERS.append(fn)
    return fn


@policy("portfolios.view_submission")
def may_view_submission(user: Any, submission: Any) -> bool:
    if submission is None:
        return False
    if may_view_portfolio(user, submission.person):
        return True
    return any(fn(user, submission) for fn in _EXTRA_VIEWERS)


@policy("portfolios.edit_submission")
def may_edit_submission(user: Any, submission: Any) -> bool:
    """Only the learner works on (adds evidence to, submits, withdraws) their submission."""
    return submission is not None and submission.person_id == user.id


@policy("portfolios.view_evidence")
def may_view_evidence(user: Any, evidence: Any) -> bool:
    return evidence is not None and may_view_submission(user, evidence.submission)


@policy("portfolios.edit_evidence")
def may_edit_evidence(user: Any, evidence: Any) -> bool:
    return evidence is not None and evidence.owner_id == user.id


@policy("portfolios.work_on")
def may_open_checkpoint(user: Any, checkpoint: Any) -> bool:
    """The work page of a checkpoint: a programme that is published (or archived, for people
    enrolled) and open in the catalogue, or that the person is enrolled in."""
    if checkpoint is None:
        return False
    from portfolios.operations import working_enrolment

    programme = checkpoint.programme
    if working_enrolment(user, checkpoint) is not None:
        return programme.status in ("published", "archived")
    return programme.status == "published" and bool(programme.open_in_catalogue)
