"""SQL statements per request for the manager's pages and the decision POST, pinned: the queue
and the review page cost the same however much is waiting, and a decision (rubric scores,
audit events, spot-check sampling, the portfolio's state change, the hand-offs, the
notification and the e-mail sent after commit) costs a fixed, small number of statements.

Counted as the app runs them, without the test harness's SAVEPOINT/RELEASE statements. On
PostgreSQL a request that writes audit events also takes the chain's advisory lock (one more).
If a change makes one of these numbers go up, find the statement that was added (the failure
lists them) before raising the number; if it goes down, lower it here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from approvals.models import ApprovalStep, Decision
from checkpoints.models import Checkpoint
from clearance.audit import verify_chain
from clearance.extensions import db
from tests.approvals.factories import full_assessment, submitted
from tests.conftest import login
from tests.portfolios import factories as pf

QUEUE = 5
REVIEW = 9
DECIDE_FINAL = 27  # approved at the last level: + application check scheduled
DECIDE_TO_NEXT_LEVEL = 21  # level 1 of 2: the skip-level step opened
DECIDE_CHANGES = 25
DECIDE_COMPLETING = 39  # the last checkpoint of the programme: + completion, certificate, nudge


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def tick(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "SAVEPOINT" not in statement:
            seen.append(" ".join(statement.split())[:160])

    event.listen(db.engine, "before_cursor_execute", tick)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", tick)


def _lock() -> int:
    """The advisory lock on the audit chain head (PostgreSQL only)."""
    return 1 if db.engine.dialect.name == "postgresql" else 0


def _run(fn: Callable[[], Any], expect: int) -> list[str]:
    with _statements() as seen:
        response = fn()
    assert response.status_code == expect, response.get_data(as_text=True)[-2000:]
    return seen


def _form(client, step: ApprovalStep, outcome: str) -> dict[str, str]:
    page = client.get(f"/approvals/steps/{step.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    opened = re.search(r'name="opened"[^>]*value="([^"]*)"', page).group(1)
    return {"csrf_token": token, "lock": str(step.lock_version),
            "version": str(step.version_id), "opened": opened, "outcome": outcome,
            **full_assessment(step)}


def _not_last(step: ApprovalStep, db_session) -> ApprovalStep:
    """Give the step's programme a second checkpoint, so approving it completes nothing."""
    checkpoint = db_session.get(Checkpoint, step.submission.checkpoint_id)
    pf.checkpoint(checkpoint.programme, title="Still to do", position=2)
    return step


def _decide(client, step: ApprovalStep, outcome: str) -> list[str]:
    data = _form(client, step, outcome)
    return _run(lambda: client.post(f"/approvals/steps/{step.id}/decide", data=data), 302)


def test_queue_and_review_page_statements_do_not_grow(client, org, db_session):
    first = submitted(org.learner, title="First")
    login(client, org.line)
    queue = _run(lambda: client.get("/approvals"), 200)
    review = _run(lambda: client.get(f"/approvals/steps/{first.id}"), 200)
    assert len(queue) == QUEUE, queue
    assert len(review) == REVIEW, review

    for n in range(5):
        submitted(org.learner, title=f"More {n}")
    assert len(_run(lambda: client.get("/approvals"), 200)) == QUEUE
    assert len(_run(lambda: client.get(f"/approvals/steps/{first.id}"), 200)) == REVIEW


def test_final_approval_statements(client, org, db_session):
    step = _not_last(submitted(org.learner), db_session)
    login(client, org.line)
    seen = _decide(client, step, "approved")
    assert len(seen) == DECIDE_FINAL + _lock(), "\n".join(seen)
    db_session.expire_all()
    assert db_session.scalar(select(Decision).where(Decision.step_id == step.id)) is not None
    assert verify_chain().ok


def test_level_one_of_two_statements(client, org, db_session):
    step = _not_last(submitted(org.learner, levels=2), db_session)
    login(client, org.line)
    seen = _decide(client, step, "approved")
    assert len(seen) == DECIDE_TO_NEXT_LEVEL + _lock(), "\n".join(seen)
    db_session.expire_all()
    nxt = db_session.scalar(select(ApprovalStep).where(
        ApprovalStep.version_id == step.version_id, ApprovalStep.status == "pending"))
    assert nxt.level == 2 and nxt.approver_id == org.skip.id


def test_changes_requested_statements(client, org, db_session):
    step = _not_last(submitted(org.learner), db_session)
    login(client, org.line)
    seen = _decide(client, step, "changes_requested")
    assert len(seen) == DECIDE_CHANGES + _lock(), "\n".join(seen)


def test_approval_completing_the_programme_statements(client, org, db_session):
    from engagement.nudges.models import Certificate

    step = submitted(org.learner)  # the programme's only checkpoint
    login(client, org.line)
    seen = _decide(client, step, "approved")
    assert len(seen) == DECIDE_COMPLETING + _lock(), "\n".join(seen)
    db_session.expire_all()
    assert db_session.scalar(select(Certificate).where(Certificate.person_id == org.learner.id))
    assert verify_chain().ok
