"""The unsubscribe link: signed, single purpose, one kind; GET changes nothing, POST does;
RFC 8058 one-click works without a form token, a browser form needs one."""

from __future__ import annotations

import re

from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from clearance.audit import AuditEvent
from engagement.nudges import preferences, tokens
from engagement.nudges.models import DUE_SOON, OVERDUE, THEME_RELEASED
from tests.conftest import csrf_token, login


def _email_on(person, kind):
    return preferences.channels_of(person.id)[kind].email


def _url(token):
    return f"/nudges/unsubscribe/{token}"


def test_tokens_round_trip_and_name_one_kind(app, org, db_session):
    with app.test_request_context():
        token = tokens.unsubscribe_token(org.learner.id, DUE_SOON)
        assert tokens.read_unsubscribe_token(token) == (org.learner.id, DUE_SOON)
        assert tokens.unsubscribe_token(org.learner.id, OVERDUE) != token


def test_tampered_foreign_and_other_purpose_tokens_are_refused(app, org, db_session):
    with app.test_request_context():
        token = tokens.unsubscribe_token(org.learner.id, DUE_SOON)
        body, _, sig = token.rpartition(".")
        assert tokens.read_unsubscribe_token(body + "." + sig[:-2] + "xx") is None
        # the same payload signed for another purpose (another salt) or with another key
        other_salt = URLSafeSerializer(app.config["SECRET_KEY"], salt="something.else")
        payload = {"u": "unsubscribe", "p": org.learner.id, "k": DUE_SOON}
        assert tokens.read_unsubscribe_token(other_salt.dumps(payload)) is None
        other_key = URLSafeSerializer("another-secret-key" * 3, salt=tokens.UNSUBSCRIBE_SALT)
        assert tokens.read_unsubscribe_token(other_key.dumps(payload)) is None
        # a genuine signature over a payload with the wrong shape
        ours = URLSafeSerializer(app.config["SECRET_KEY"], salt=tokens.UNSUBSCRIBE_SALT)
        for bad in ({"u": "share", "p": 1, "k": DUE_SOON}, {"u": "unsubscribe", "p": "1",
                    "k": DUE_SOON}, {"u": "unsubscribe", "p": 1, "k": "everything"}, [1, 2]):
            assert tokens.read_unsubscribe_token(ours.dumps(bad)) is None


def test_get_shows_a_confirmation_and_changes_nothing(app, client, org, db_session):
    with app.test_request_context():
        token = tokens.unsubscribe_token(org.learner.id, DUE_SOON)
    page = client.get(_url(token))
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Stop these e-mails?" in body
    assert "the “<strong>A checkpoint is due soon</strong>” e-mails" in body
    assert f'action="{_url(token)}"' in body and 'method="post"' in body
    assert _email_on(org.learner, DUE_SOON)


def test_the_confirmation_button_switches_off_that_kind_only(app, client, org, db_session):
    with app.test_request_context():
        token = tokens.unsubscribe_token(org.learner.id, DUE_SOON)
    page = client.get(_url(token)).get_data(as_text=True)
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = client.post(_url(token), data={"csrf_token": form_token})
    assert done.status_code == 200 and "E-mails stopped" in done.get_data(as_text=True)
    assert not _email_on(org.learner, DUE_SOON)
    assert preferences.channels_of(org.learner.id)[DUE_SOON].in_app  # in-app stays on
    assert _email_on(org.learner, OVERDUE) and _email_on(org.learner, THEME_RELEASED)
    assert _email_on(org.other_learner, DUE_SOON)
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "nudges.unsubscribed"))
    assert event.object_id == str(org.learner.id) and event.after == {"kind": DUE_SOON,
                                                                      "one_click": False}
    again = client.get(_url(token)).get_data(as_text=True)
    assert "are already off" in again


def test_rfc_8058_one_click_post_needs_no_form_token(app, client, org, db_session):
    with app.test_request_context():
        token = tokens.unsubscribe_token(org.learner.id, OVERDUE)
    response = client.post(_url(token), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not _email_on(org.learner, OVERDUE) and _email_on(org.learner, DUE_SOON)


def test_a_browser_post_without_a_form_token_is_refused(app, client, org, db_session):
    with app.test_request_context():
        token = tokens.unsubscribe_token(org.learner.id, OVERDUE)
    response = client.post(_url(token), data={})
    assert response.status_code == 400
    assert "Your form expired or was sent from elsewhere." in response.get_data(as_text=True)
    forged = client.post(_url(token), data={"csrf_token": "forged"})
    assert forged.status_code == 400
    assert _email_on(org.learner, OVERDUE)


def test_a_tampered_token_gets_a_clear_400_page_on_get_and_post(app, client, org, db_session):
    with app.test_request_context():
        token = tokens.unsubscribe_token(org.learner.id, DUE_SOON)
    tampered = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    page = client.get(_url(tampered))
    assert page.status_code == 400
    assert "This unsubscribe link does not work" in page.get_data(as_text=True)
    post = client.post(_url(tampered), data={"List-Unsubscribe": "One-Click"})
    assert post.status_code == 400
    assert _email_on(org.learner, DUE_SOON)


def test_a_signed_in_person_can_only_use_the_token_for_whom_it_was_made(app, client, org,
                                                                        db_session):
    """The token names the person: signing in as someone else changes nothing about it."""
    with app.test_request_context():
        token = tokens.unsubscribe_token(org.learner.id, DUE_SOON)
    login(client, org.other_learner)
    client.post(_url(token), data={"csrf_token": csrf_token(client, _url(token))})
    assert not _email_on(org.learner, DUE_SOON)
    assert _email_on(org.other_learner, DUE_SOON)
