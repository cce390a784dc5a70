"""The chain head is read once per transaction: later events in the same transaction link to
the last one written, and anything that may have removed rows (a rolled-back savepoint, a
rolled-back or committed transaction, another session's writes) makes the next event read the
head again, so the chain never forks."""

from __future__ import annotations

from itertools import pairwise

from sqlalchemy import select

from clearance import audit
from clearance.audit import AuditEvent, chain_hash
from tests.queries import counting_statements


def _assert_linked(db_session) -> None:
    rows = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    for before, after in pairwise(rows):
        assert after.prev_hash == before.hash, f"event {after.id} does not follow {before.id}"
        assert after.hash == chain_hash(after.prev_hash, after.canonical())


def test_later_events_in_a_transaction_do_not_read_the_head_again(app, org, db_session):
    audit.record("test.first")
    with counting_statements() as count:
        second = audit.record("test.second")
        third = audit.record("test.third")
    assert count[0] == 2  # the two INSERTs: no lock, no read of the head
    assert third.prev_hash == second.hash
    _assert_linked(db_session)


def test_a_rolled_back_savepoint_makes_the_head_read_again(app, org, db_session):
    first = audit.record("test.kept")
    try:
        with db_session.begin_nested():
            audit.record("test.rolled_back")
            raise RuntimeError("undo the savepoint")
    except RuntimeError:
        pass
    after = audit.record("test.after")
    assert after.prev_hash == first.hash
    _assert_linked(db_session)


def test_a_released_savepoint_keeps_the_chain(app, org, db_session):
    audit.record("test.before")
    with db_session.begin_nested():
        inside = audit.record("test.inside")
    after = audit.record("test.after")
    assert after.prev_hash == inside.hash
    _assert_linked(db_session)


def test_requests_writing_between_two_events_of_the_test_session(client, org, db_session):
    from tests.conftest import login

    audit.record("test.before_request")
    login(client, org.line)  # the sign-in request writes events in a session of its own
    after = audit.record("test.after_request")
    last_before = db_session.scalars(
        select(AuditEvent).where(AuditEvent.id < after.id).order_by(AuditEvent.id.desc())
    ).first()
    assert after.prev_hash == last_before.hash
    _assert_linked(db_session)
