"""Each delivery points at the outbox e-mail it produced, and ``flask nudges status`` shows
whether that e-mail went (sent, kept, pending, failed), was held, or was never made."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clearance.database import utcnow
from clearance.extensions import db
from clearance.mail import MAX_ATTEMPTS, OutboxMessage
from engagement.nudges import completion, preferences, runner
from engagement.nudges.models import DUE_SOON, RECOGNITION, NudgeDelivery
from engagement.nudges.queries import recent_deliveries
from tests.nudges.helpers import at, config, enrol, programme
from tests.spot_checks.factories import decided

DUE_SOON_NOW = at("2026-03-13 10:00")  # programme() + enrol(): due 16 March


def _ledger(person, kind=DUE_SOON):
    return NudgeDelivery.query.filter_by(person_id=person.id, kind=kind).one()


def _due_soon(*people):
    prog = programme(offsets=(14,))
    for person in people:
        enrol(person, prog)
    return runner.run(DUE_SOON_NOW, kinds=[DUE_SOON], cfg=config())[0]


def test_a_delivery_points_at_its_own_email(org, db_session):
    assert _due_soon(org.learner, org.other_learner).sent == 2
    for person in (org.learner, org.other_learner):
        row = _ledger(person)
        mail = db_session.get(OutboxMessage, row.outbox_message_id)
        assert mail.to_address == person.email and mail.subject.startswith("Due on")


def test_in_app_only_makes_no_email_and_no_link(org, db_session):
    preferences.set_channels(org.learner.id, DUE_SOON, preferences.Channels(True, False))
    _due_soon(org.learner)
    row = _ledger(org.learner)
    assert row.notified_at is not None and row.outbox_message_id is None


def test_recognition_links_its_email_now_or_when_the_held_email_goes(org, db_session,
                                                                   monkeypatch):
    monkeypatch.setattr(completion, "utcnow", lambda: at("2026-03-20 21:30"))  # quiet hours
    decided(org.learner)
    row = _ledger(org.learner, RECOGNITION)
    assert row.mail_pending and row.outbox_message_id is None
    assert runner.run(at("2026-03-21 08:05"), kinds=[RECOGNITION], cfg=config())[0].sent == 1
    db_session.refresh(row)
    mail = db_session.get(OutboxMessage, row.outbox_message_id)
    assert mail.to_address == org.learner.email and mail.subject.startswith("Well done")


def test_recognition_in_the_day_links_at_once(org, db_session, monkeypatch):
    monkeypatch.setattr(completion, "utcnow", lambda: at("2026-03-20 10:00"))
    decided(org.learner)
    row = _ledger(org.learner, RECOGNITION)
    assert db_session.get(OutboxMessage, row.outbox_message_id).subject.startswith("Well done")


def _mark(person, status, **fields):
    mail = db.session.get(OutboxMessage, _ledger(person).outbox_message_id)
    mail.status = status
    for name, value in fields.items():
        setattr(mail, name, value)


def test_recent_deliveries_name_each_emails_state(org, db_session, make_person):
    people = [org.learner, org.other_learner] + [
        make_person(f"Report {n}", manager=org.line) for n in range(3)]
    preferences.set_channels(people[4].id, DUE_SOON, preferences.Channels(True, False))
    _due_soon(*people)
    _mark(people[0], "sent", sent_at=utcnow())
    _mark(people[1], "failed", attempts=1, error="connection refused")
    _mark(people[2], "kept")
    # people[3] stays queued: pending
    states = {line.email: line.mail for line in recent_deliveries()}
    assert states == {people[0].email: "sent", people[1].email: "failed",
                      people[2].email: "kept", people[3].email: "pending",
                      people[4].email: "none"}
    assert [line.email for line in recent_deliveries(mail="failed")] == [people[1].email]
    assert [line.email for line in recent_deliveries(email=people[3].email.upper())] == [
        people[3].email]
    assert recent_deliveries(kind=RECOGNITION) == []
    lines = recent_deliveries(limit=2)
    assert len(lines) == 2 and lines[0].id > lines[1].id  # newest first


@pytest.fixture()
def cli(app):
    return app.test_cli_runner()


def test_status_command_lists_deliveries_with_their_email(cli, org, db_session, make_person):
    third = make_person("Third Report", manager=org.line)
    _due_soon(org.learner, org.other_learner, third)
    _mark(org.learner, "sent", sent_at=at("2026-03-13 10:01"))
    _mark(org.other_learner, "failed", attempts=MAX_ATTEMPTS, error="550 mailbox\nunknown")
    _mark(third, "queued")
    db_session.commit()
    result = cli.invoke(args=["nudges", "status"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:-1]}
    sent = lines[str(_ledger(org.learner).id)]
    assert "due_soon" in sent and org.learner.email in sent
    assert f"sent 2026-03-13 10:01 (outbox #{_ledger(org.learner).outbox_message_id})" in sent
    failed = lines[str(_ledger(org.other_learner).id)]
    assert f"FAILED, gave up after {MAX_ATTEMPTS} attempts" in failed
    assert "550 mailbox unknown" in failed
    assert "pending (outbox #" in lines[str(_ledger(third).id)]
    assert result.output.splitlines()[-1] == "3 deliveries; e-mail: 1 sent, 1 pending, 1 failed"
    only = cli.invoke(args=["nudges", "status", "--mail", "failed"])
    assert org.other_learner.email in only.output and org.learner.email not in only.output
    assert "No nudge deliveries match." in cli.invoke(
        args=["nudges", "status", "--kind", "recognition"]).output
    assert cli.invoke(args=["nudges", "status", "--mail", "lost"]).exit_code != 0


def test_status_command_writes_nothing(cli, org, db_session):
    _due_soon(org.learner)
    db_session.commit()
    before = db_session.scalar(select(NudgeDelivery.outbox_message_id))
    assert cli.invoke(args=["nudges", "status", "--limit", "1"]).exit_code == 0
    assert db_session.scalar(select(NudgeDelivery.outbox_message_id)) == before
