"""Invitation and password-reset links: single use, expiring, the newest voids the older ones,
and reading the page changes nothing."""

from __future__ import annotations

import datetime as dt
import re

from freezegun import freeze_time
from sqlalchemy import func, select

from clearance.audit import AuditEvent
from clearance.auth import AuthToken
from clearance.mail import OutboxMessage
from tests.conftest import csrf_token, login

NEW_PASSWORD = "a perfectly long new password"


def _invite(client, org, person) -> str:
    """As admin, send ``person`` a link; return its path from the outbox row."""
    url = f"/admin/people/{person.id}/edit"
    response = client.post(f"/admin/people/{person.id}/invite",
                           data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    return _latest_link(client.application, person)


def _latest_link(app, person) -> str:
    from clearance.extensions import db

    msg = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == person.email)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert msg is not None
    match = re.search(r"http://clearance\.test(/set-password/\S+)", msg.body_text)
    assert match, msg.body_text
    return match.group(1)


def _set(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    return client.post(path, data={"csrf_token": token.group(1), "password": password,
                                   "confirm": password if confirm is None else confirm})


def _hash_of(db_session, person) -> str | None:
    db_session.expire_all()
    return db_session.get(type(person), person.id).password_hash


def test_invitation_round_trip(app, client, org, make_person, db_session):
    newcomer = make_person("New Starter", manager=org.line, password=False)
    db_session.commit()
    login(client, org.admin)
    path = _invite(client, org, newcomer)
    msg = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert msg.subject == "You are invited to Clearance"
    assert msg.status == "kept"  # no SMTP_URL in tests

    visitor = app.test_client()
    # GET shows the form and changes nothing: the token stays usable
    for _ in range(3):
        page = visitor.get(path)
        assert page.status_code == 200
        assert "choose your password" in page.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(AuthToken)
                             .where(AuthToken.person_id == newcomer.id,
                                    AuthToken.used_at.is_(None))) == 1

    response = _set(visitor, path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    assert _hash_of(db_session, newcomer).startswith("$argon2id$")
    login(visitor, newcomer, NEW_PASSWORD)

    # single use: GET and POST both refused now
    third = app.test_client()
    assert third.get(path).status_code == 404
    again = third.post(path, data={"csrf_token": csrf_token(third, "/sign-in"),
                                   "password": "another long password",
                                   "confirm": "another long password"})
    assert again.status_code in (404, 409)
    login(third, newcomer, NEW_PASSWORD)
    actions = db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "auth.invite_issued" in actions
    assert "auth.password_set" in actions


def test_reset_link_for_someone_with_a_password(client, org, db_session):
    login(client, org.admin)
    path = _invite(client, org, org.learner)
    msg = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert msg.subject == "Reset your Clearance password"
    before = _hash_of(db_session, org.learner)
    assert _set(client, path).status_code == 302
    assert _hash_of(db_session, org.learner) != before


def test_expired_link_is_refused(app, client, org, db_session):
    login(client, org.admin)
    path = _invite(client, org, org.learner)
    before = _hash_of(db_session, org.learner)
    hours = app.config["INVITE_TTL_HOURS"]
    visitor = app.test_client()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours, minutes=1)
    with freeze_time(later):
        assert visitor.get(path).status_code == 404
        response = visitor.post(path, data={"csrf_token": csrf_token(visitor, "/sign-in"),
                                            "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert response.status_code == 404
    assert _hash_of(db_session, org.learner) == before
    # just before expiry it still works
    with freeze_time(later - dt.timedelta(minutes=2)):
        assert visitor.get(path).status_code == 200


def test_a_new_link_voids_the_older_ones(app, client, org, db_session):
    login(client, org.admin)
    first = _invite(client, org, org.learner)
    second = _invite(client, org, org.learner)
    assert first != second
    visitor = app.test_client()
    assert visitor.get(first).status_code == 404
    assert _set(visitor, second).status_code == 302


def test_short_password_is_refused_with_a_linked_error(app, client, org, db_session):
    login(client, org.admin)
    path = _invite(client, org, org.learner)
    before = _hash_of(db_session, org.learner)
    events = db_session.scalar(select(func.count()).select_from(AuditEvent))
    visitor = app.test_client()
    short = "x" * (app.config["PASSWORD_MIN_LENGTH"] - 1)
    response = _set(visitor, path, short)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f"Use at least {app.config['PASSWORD_MIN_LENGTH']} characters." in body
    assert '<a href="#password">' in body  # the error summary links to the field
    assert 'id="password-error"' in body
    assert 'aria-describedby="password-hint password-error"' in body
    # nothing was kept: same hash, token still live, no new events
    assert _hash_of(db_session, org.learner) == before
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert _set(visitor, path).status_code == 302


def test_mismatched_confirmation_is_refused(app, client, org, db_session):
    login(client, org.admin)
    path = _invite(client, org, org.learner)
    visitor = app.test_client()
    response = _set(visitor, path, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert response.status_code == 200
    assert "The two passwords differ." in response.get_data(as_text=True)
    assert _set(visitor, path).status_code == 302


def test_inactive_person_gets_no_link(client, org, db_session):
    from people.operations import deactivate

    deactivate(org.learner)
    db_session.commit()
    login(client, org.admin)
    url = f"/admin/people/{org.learner.id}/edit"
    response = client.post(f"/admin/people/{org.learner.id}/invite",
                           data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    assert db_session.scalar(select(func.count()).select_from(AuthToken)
                             .where(AuthToken.person_id == org.learner.id)) == 0


def test_only_a_hash_of_the_token_is_stored(client, org, db_session):
    login(client, org.admin)
    path = _invite(client, org, org.learner)
    raw = path.rsplit("/", 1)[1]
    stored = db_session.scalars(select(AuthToken.token_hash)).all()
    assert raw not in stored
    assert all(len(h) == 64 for h in stored)
