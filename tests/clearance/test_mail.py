"""The mail outbox: rows first, sent by a job only after the request commits; SMTP sending;
the admin-only outbox pages escape what they show."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from flask import Flask, abort
from sqlalchemy import func, select

from clearance import mail
from clearance.access import PUBLIC, rule
from clearance.database import commit, utcnow, write_intent
from clearance.extensions import db
from clearance.jobs import huey
from clearance.mail import OutboxMessage, queue_mail
from tests.conftest import IsolatedClient, csrf_token, login, make_app


def _queue(to: str = "someone@example.org", subject: str = "Hello") -> OutboxMessage:
    person = SimpleNamespace(name="Some One")
    return queue_mail(to, subject, "mail/invite", person=person, link="http://x.test/l",
                      hours=72)


def _outbox_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(OutboxMessage))


@pytest.fixture()
def sent(monkeypatch) -> list[int]:
    """Record every send job that runs (and still run it)."""
    calls: list[int] = []
    real = mail.send_mail

    def recorder(message_id: int) -> None:
        calls.append(message_id)
        real(message_id)

    monkeypatch.setattr(mail, "send_mail", recorder)
    return calls


@pytest.fixture(scope="module")
def mail_app(tmp_root, db_url, app) -> Iterator[Flask]:
    second = make_app(tmp_root, db_url, RENDER_500_IN_TESTS=True)

    @second.route("/test/mail/<int:status>", methods=["POST"])
    @rule(PUBLIC)
    def mail_then(status: int):
        _queue(subject=f"status {status}")
        if status >= 400:
            abort(status)
        return "queued"

    @second.route("/test/mail-then-crash", methods=["POST"])
    @rule(PUBLIC)
    def mail_then_crash():
        _queue(subject="crash")
        raise RuntimeError("after queueing")

    second.config["WTF_CSRF_ENABLED"] = False
    second.test_client_class = IsolatedClient
    yield second
    with second.app_context():
        db.engine.dispose()


def test_mail_goes_out_after_the_request_commits(mail_app, db_session, sent):
    before = _outbox_count(db_session)
    response = mail_app.test_client().post("/test/mail/200")
    assert response.status_code == 200
    assert _outbox_count(db_session) == before + 1
    msg = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert sent == [msg.id]
    assert (msg.subject, msg.status, msg.attempts) == ("status 200", "kept", 1)
    assert "Some One" in msg.body_text


@pytest.mark.parametrize("status", [400, 403, 404, 409])
def test_refused_request_leaves_no_mail_and_runs_no_job(mail_app, db_session, sent, status):
    before = _outbox_count(db_session)
    assert mail_app.test_client().post(f"/test/mail/{status}").status_code == status
    assert _outbox_count(db_session) == before
    assert sent == []


def test_crashed_request_leaves_no_mail_and_runs_no_job(mail_app, db_session, sent):
    before = _outbox_count(db_session)
    assert mail_app.test_client().post("/test/mail-then-crash").status_code == 500
    assert _outbox_count(db_session) == before
    assert sent == []


def test_queue_then_rollback_outside_a_request(app, db_session, sent):
    from clearance.database import rollback

    with app.test_request_context(), write_intent(True):
        _queue()
        rollback()
        commit()
    assert sent == []


# ---- SMTP ----


class FakeSMTP:
    """Stands in for smtplib.SMTP and records what would have been sent."""

    instances: list[FakeSMTP] = []
    fail_with: Exception | None = None

    def __init__(self, host: str, port: int, timeout: float | None = None) -> None:
        self.host, self.port = host, port
        self.logins: list[tuple[str, str]] = []
        self.messages: list = []
        self.started_tls = False
        FakeSMTP.instances.append(self)

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def starttls(self, context=None) -> None:
        self.started_tls = True

    def login(self, user: str, password: str) -> None:
        self.logins.append((user, password))

    def send_message(self, message) -> None:
        if FakeSMTP.fail_with is not None:
            raise FakeSMTP.fail_with
        self.messages.append(message)


@pytest.fixture()
def fake_smtp(app, monkeypatch) -> Iterator[type[FakeSMTP]]:
    FakeSMTP.instances = []
    FakeSMTP.fail_with = None
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "SMTP_URL", "smtp://mailer%40x:s3cret@mail.example:2525")
    monkeypatch.setitem(app.config, "MAIL_FROM", "Clearance <noreply@clearance.test>")
    yield FakeSMTP


def _send_one(app, subject: str = "Your checkpoint") -> int:
    with app.test_request_context(), write_intent(True):
        message_id = _queue("lea@example.org", subject).id
        commit()
    return message_id


def test_smtp_message_has_from_to_and_subject(app, db_session, fake_smtp):
    message_id = _send_one(app)
    (client,) = fake_smtp.instances
    assert (client.host, client.port) == ("mail.example", 2525)
    assert client.logins == [("mailer@x", "s3cret")]
    assert not client.started_tls
    (message,) = client.messages
    assert message["From"] == "Clearance <noreply@clearance.test>"
    assert message["To"] == "lea@example.org"
    assert message["Subject"] == "Your checkpoint"
    assert "Some One" in message.get_body(("plain",)).get_content()
    msg = db_session.get(OutboxMessage, message_id)
    assert (msg.status, msg.attempts, msg.error) == ("sent", 1, None)
    assert msg.sent_at is not None


def test_starttls_is_used_when_asked(app, db_session, fake_smtp, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_URL", "smtp+starttls://mail.example:587")
    _send_one(app)
    (client,) = fake_smtp.instances
    assert client.started_tls
    assert client.logins == []


def test_a_failed_send_is_recorded_and_retried(app, db_session, fake_smtp):
    fake_smtp.fail_with = smtplib.SMTPServerDisconnected("connection lost")
    scheduled_before = len(huey.scheduled())
    message_id = _send_one(app)
    msg = db_session.get(OutboxMessage, message_id)
    assert msg.status == "failed"
    assert msg.attempts == 1
    assert "connection lost" in msg.error
    retries = [t for t in huey.scheduled()[scheduled_before:] if t.args == (message_id,)]
    assert len(retries) == 1, "a transient failure is tried again later"
    # the retry succeeds once the server is back
    fake_smtp.fail_with = None
    with app.test_request_context():
        mail.send_mail.call_local(message_id)
    db_session.expire_all()
    msg = db_session.get(OutboxMessage, message_id)
    assert (msg.status, msg.attempts) == ("sent", 2)
    huey.flush()


def test_retries_stop_after_the_last_attempt(app, db_session, fake_smtp):
    fake_smtp.fail_with = smtplib.SMTPServerDisconnected("still down")
    message_id = _send_one(app)
    for _ in range(10):
        with app.test_request_context():
            mail.send_mail.call_local(message_id)
    msg = db_session.get(OutboxMessage, message_id)
    assert msg.status == "failed"
    assert msg.attempts == mail.MAX_ATTEMPTS
    huey.flush()


def test_without_smtp_url_mail_is_kept(app, db_session):
    assert not app.config["SMTP_URL"]
    message_id = _send_one(app)
    msg = db_session.get(OutboxMessage, message_id)
    assert (msg.status, msg.attempts, msg.sent_at) == ("kept", 1, None)


# ---- outbox pages ----


HOSTILE = '<script>alert("x")</script>'


def _hostile_message(db_session) -> int:
    msg = OutboxMessage(created_at=utcnow(), to_address=f"a{HOSTILE}@example.org",
                        subject=f"Subject {HOSTILE}", body_text=f"Body {HOSTILE}",
                        body_html=f"<p>{HOSTILE}</p>", status="kept", attempts=1,
                        error=f"err {HOSTILE}")
    db_session.add(msg)
    db_session.commit()
    return msg.id


def test_outbox_pages_escape_message_content(client, org, db_session):
    message_id = _hostile_message(db_session)
    login(client, org.admin)
    for url in ("/admin/outbox", f"/admin/outbox/{message_id}"):
        response = client.get(url)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert HOSTILE not in body
        assert "&lt;script&gt;" in body


@pytest.mark.parametrize("role", ["learner", "line_manager", "ld"])
def test_outbox_pages_are_admin_only(client, org, db_session, role):
    message_id = _hostile_message(db_session)
    login(client, org.role(role))
    assert client.get("/admin/outbox").status_code == 403
    assert client.get(f"/admin/outbox/{message_id}").status_code == 403


def test_invitation_mail_in_the_outbox_page(client, org, db_session):
    login(client, org.admin)
    client.post(f"/admin/people/{org.learner.id}/invite",
                data={"csrf_token": csrf_token(client, "/admin/people")})
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Reset your Clearance password" in page
    assert org.learner.email in page
