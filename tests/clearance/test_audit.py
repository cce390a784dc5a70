"""The audit trail: events for sign-in and refusals (which survive the rollback), an append-only
table, and ``flask audit verify`` on good and tampered chains."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from clearance import audit
from clearance.access import PUBLIC, require, rule
from clearance.audit import GENESIS, AuditEvent, chain_hash, verify_chain
from clearance.database import commit
from tests.conftest import IsolatedClient, csrf_token, login, make_app


def _actions(db_session) -> list[str]:
    return list(db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _last(db_session) -> AuditEvent:
    return db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()


# ---- events for sign-in, failures and refusals ----


def test_sign_in_failure_and_sign_out_are_recorded(client, org, db_session):
    client.post("/sign-in", data={"email": org.learner.email, "password": "wrong password",
                                  "csrf_token": csrf_token(client)})
    failed = _last(db_session)
    assert failed.action == "auth.sign_in_failed"
    assert failed.actor_id is None
    assert failed.object_id == str(org.learner.id)
    assert failed.after == {"email": org.learner.email}
    assert failed.ip == "127.0.0.1"
    login(client, org.learner)
    signed_in = _last(db_session)
    assert (signed_in.action, signed_in.actor_id) == ("auth.signed_in", org.learner.id)
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    signed_out = _last(db_session)
    assert (signed_out.action, signed_out.actor_id) == ("auth.signed_out", org.learner.id)
    assert verify_chain().ok


def test_refusal_is_recorded_although_the_request_rolls_back(client, org, db_session):
    login(client, org.learner)
    before = db_session.scalar(select(func.count()).select_from(AuditEvent))
    response = client.get("/admin/people")
    assert response.status_code == 403
    refusal = _last(db_session)
    assert refusal.action == "access.refused"
    assert refusal.actor_id == org.learner.id
    assert refusal.after == {"action": "people.admin", "path": "/admin/people", "method": "GET"}
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == before + 1
    assert verify_chain().ok


def test_refused_post_is_recorded(client, org, db_session):
    login(client, org.learner)
    url = f"/admin/people/{org.learner.id}/invite"
    response = client.post(url, data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 403
    assert _last(db_session).action == "access.refused"
    assert _last(db_session).after["method"] == "POST"


@pytest.fixture(scope="module")
def refusing_app(tmp_root, db_url, app) -> Iterator[Flask]:
    """A second app on the same database with a view that writes, then is refused."""
    second = make_app(tmp_root, db_url)

    @second.route("/test/write-then-refuse", methods=["POST"])
    @rule(PUBLIC)
    def write_then_refuse():
        audit.record("test.work_done")
        require("people.admin")
        return "not reached"

    second.test_client_class = IsolatedClient
    yield second
    from clearance.extensions import db

    with second.app_context():
        db.engine.dispose()


def test_refused_request_keeps_the_refusal_but_not_its_work(refusing_app, org, db_session):
    client = refusing_app.test_client()
    login(client, org.learner)
    response = client.post("/test/write-then-refuse",
                           data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 403
    actions = _actions(db_session)
    assert "test.work_done" not in actions
    assert actions[-1] == "access.refused"
    assert verify_chain().ok


def test_events_carry_the_acting_role(client, org, db_session):
    login(client, org.admin)
    url = f"/admin/people/{org.learner.id}/edit"
    client.post(url, data={"csrf_token": csrf_token(client, url),
                           "employee_id": org.learner.employee_id, "name": "Lea Renamed",
                           "email": org.learner.email, "manager": org.line.employee_id,
                           "active": "y"})
    event = _last(db_session)
    assert event.action == "person.updated"
    assert (event.actor_id, event.acting_role) == (org.admin.id, "admin")
    assert event.before["name"] == "Lea Learner"
    assert event.after["name"] == "Lea Renamed"


# ---- the chain ----


def test_chain_links_and_hashes(app, org, db_session):
    rows = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert rows, "the org fixture records events"
    prev = rows[0].prev_hash
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.prev_hash == GENESIS)) == 1
    for row in rows:
        assert row.prev_hash == prev
        assert row.hash == chain_hash(row.prev_hash, row.canonical())
        prev = row.hash


def test_awkward_content_round_trips_through_the_database(app, org, db_session):
    with app.test_request_context():
        audit.record("test.awkward", object_type="thing", object_id=7,
                     before={"z": [1, 2.5, None, True],
                             "a": "Zo\u00eb \u2013 \u2018quotes\u2019 \u2028 \\ \"x\""},
                     after={"nested": {"b": 1, "a": {"c": []}}, "n": 10**15},
                     reason="multi\nline")
        commit()
    db_session.expire_all()
    assert verify_chain().ok


def _cli(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_cli_verify_passes_on_a_good_chain(app, org, db_session):
    count = db_session.scalar(select(func.count()).select_from(AuditEvent))
    result = _cli(app)
    assert result.exit_code == 0, result.output
    assert f"audit chain OK: {count} events verified" in result.output


def _drop_append_only_triggers(db_session) -> None:
    if db_session.get_bind().dialect.name == "postgresql":
        db_session.execute(text("DROP TRIGGER audit_event_append_only ON audit_event"))
    else:
        db_session.execute(text("DROP TRIGGER audit_event_no_update"))
        db_session.execute(text("DROP TRIGGER audit_event_no_delete"))


def test_the_table_is_append_only(org, db_session):
    target = db_session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).first()
    for statement in (f"UPDATE audit_event SET reason = 'edited' WHERE id = {target}",
                      f"DELETE FROM audit_event WHERE id = {target}",
                      "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"), db_session.begin_nested():
            db_session.execute(text(statement))
    assert db_session.scalar(select(AuditEvent.reason).where(AuditEvent.id == target)) is None


def test_cli_names_the_first_edited_row(app, org, db_session):
    ids = db_session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    assert len(ids) >= 4
    _drop_append_only_triggers(db_session)
    db_session.execute(text("UPDATE audit_event SET reason = 'edited' WHERE id IN (:a, :b)"),
                       {"a": ids[2], "b": ids[3]})
    result = _cli(app)
    assert result.exit_code == 1
    assert f"BROKEN at event id {ids[2]}:" in result.output
    assert "edited" in result.output


def test_cli_names_the_row_after_a_removed_one(app, org, db_session):
    ids = db_session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    _drop_append_only_triggers(db_session)
    db_session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[1]})
    result = _cli(app)
    assert result.exit_code == 1
    assert f"BROKEN at event id {ids[2]}:" in result.output
    assert "removed" in result.output


def test_cli_names_a_rehashed_forgery_by_its_successor(app, org, db_session):
    """Editing a row and fixing its own hash still breaks the link to the next row."""
    rows = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    victim = rows[1]
    victim_id, next_id = victim.id, rows[2].id
    forged = AuditEvent(occurred_at=victim.occurred_at, actor_id=victim.actor_id,
                        acting_role=victim.acting_role, action=victim.action,
                        object_type=victim.object_type, object_id=victim.object_id,
                        before=victim.before, after={"forged": True}, reason=victim.reason,
                        ip=victim.ip, prev_hash=victim.prev_hash)
    new_hash = chain_hash(victim.prev_hash, forged.canonical())
    _drop_append_only_triggers(db_session)
    db_session.execute(
        text("UPDATE audit_event SET after = :after, hash = :hash WHERE id = :id"),
        {"after": '{"forged": true}', "hash": new_hash, "id": victim_id})
    result = _cli(app)
    assert result.exit_code == 1
    assert f"BROKEN at event id {next_id}:" in result.output


def test_verify_on_an_empty_chain_is_ok(db_url, tmp_path):
    from flask_migrate import upgrade

    from tests.fresh_db import dispose, fresh_database

    with fresh_database(db_url, tmp_path, "emptychain") as fresh:
        empty = fresh.app(tmp_path)
        try:
            with empty.app_context():
                upgrade()
            result = _cli(empty)
            assert result.exit_code == 0, result.output
            assert "audit chain OK: 0 events verified" in result.output
        finally:
            dispose(empty)
