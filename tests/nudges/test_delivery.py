"""Delivery: exactly once across reruns, choices respected, quiet hours deferred not lost,
the one-click unsubscribe in every e-mail, the per-run limit, dry runs."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from clearance.audit import AuditEvent
from clearance.mail import OutboxMessage
from clearance.notifications import Notification
from engagement.nudges import preferences, runner, tokens
from engagement.nudges.models import DUE_SOON, OVERDUE, NudgeDelivery
from tests.nudges.helpers import at, config, enrol, programme

DUE_SOON_NOW = "2026-03-13 10:00"  # programme() + enrol(): due 16 March


def _count(db_session, model, **where):
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db_session.scalar(stmt)


def _due_soon_setup(*people):
    prog = programme(offsets=(14,))
    for person in people:
        enrol(person, prog)
    return prog


def _run(now, **kw):
    kw.setdefault("kinds", [DUE_SOON])
    cfg = kw.pop("cfg", None) or config()
    return runner.run(at(now) if isinstance(now, str) else now, cfg=cfg, **kw)[0]


def test_a_rerun_sends_nothing_twice(org, db_session):
    _due_soon_setup(org.learner)
    first = _run(DUE_SOON_NOW)
    assert (first.due, first.sent, first.already) == (1, 1, 0)
    again = _run(DUE_SOON_NOW)
    later = _run("2026-03-15 16:00")
    assert (again.sent, again.already) == (0, 1)
    assert (later.sent, later.already) == (0, 1)
    assert _count(db_session, NudgeDelivery, person_id=org.learner.id) == 1
    assert _count(db_session, Notification, person_id=org.learner.id,
                  kind="nudge.due_soon") == 1
    assert _count(db_session, OutboxMessage, to_address=org.learner.email) == 1


def test_the_ledger_refuses_a_second_row_even_if_asked_directly(org, db_session):
    from engagement.nudges.delivery import claim

    row = {"person_id": org.learner.id, "kind": DUE_SOON, "subject": "checkpoint:1",
           "period": "2026-03-16", "created_at": at(DUE_SOON_NOW), "mail_pending": False}
    assert claim([row]) == {(org.learner.id, "checkpoint:1", "2026-03-16")}
    assert claim([row, {**row, "period": "2026-03-17"}]) == {
        (org.learner.id, "checkpoint:1", "2026-03-17")}


def test_notification_and_mail_say_what_and_link_to_the_work(org, db_session):
    prog = _due_soon_setup(org.learner)
    _run(DUE_SOON_NOW)
    note = db_session.scalar(select(Notification).where(Notification.person_id == org.learner.id))
    cp = prog.checkpoints[0]
    assert note.link == f"/portfolio/checkpoints/{cp.id}"
    assert "is due on Monday 16 March 2026" in note.message
    mail = db_session.scalar(select(OutboxMessage))
    assert mail.subject == f"Due on Monday 16 March 2026: “{cp.title}”"  # action first, short
    assert note.message in mail.body_text
    assert f"http://clearance.test/portfolio/checkpoints/{cp.id}" in mail.body_text
    assert "Hello Lea Learner" in mail.body_text and "Hello Lea Learner" in mail.body_html


def test_every_mail_has_a_kind_specific_one_click_unsubscribe(org, db_session):
    _due_soon_setup(org.learner)
    _run(DUE_SOON_NOW)
    mail = db_session.scalar(select(OutboxMessage))
    header = mail.headers["List-Unsubscribe"]
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(http://clearance\.test/nudges/unsubscribe/[^>]+)>", header).group(1)
    assert url in mail.body_text and url in mail.body_html
    assert tokens.read_unsubscribe_token(url.rsplit("/", 1)[1]) == (org.learner.id, DUE_SOON)
    assert "http://clearance.test/me/nudges" in mail.body_text


def test_the_headers_reach_the_sent_message(org, db_session, app, monkeypatch):
    from clearance import mail as mail_module

    sent = []
    monkeypatch.setattr(mail_module, "_smtp_send", lambda url, message: sent.append(message))
    _due_soon_setup(org.learner)
    _run(DUE_SOON_NOW)
    row = db_session.scalar(select(OutboxMessage))
    app.config["SMTP_URL"] = "smtp://mail.test"
    try:
        mail_module.send_mail.call_local(row.id)
    finally:
        app.config["SMTP_URL"] = ""
    assert sent[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent[0]["List-Unsubscribe"].startswith("<http://clearance.test/nudges/unsubscribe/")


def test_mail_headers_with_line_breaks_are_refused(org, db_session, app):
    import pytest

    from clearance.mail import queue_mail

    with app.test_request_context(), pytest.raises(ValueError):
        queue_mail("x@example.org", "Hi", "mail/invite", mail_headers={"X-A": "b\r\nBcc: y"})


# ---------------------------------------------------------------- choices


def test_switching_off_both_channels_sends_nothing_and_records_nothing(org, db_session):
    _due_soon_setup(org.learner, org.other_learner)
    preferences.set_channels(org.learner.id, DUE_SOON, preferences.Channels(False, False))
    result = _run(DUE_SOON_NOW)
    assert (result.due, result.sent, result.opted_out) == (2, 1, 1)
    assert _count(db_session, NudgeDelivery, person_id=org.learner.id) == 0
    assert _count(db_session, Notification, person_id=org.learner.id) == 0
    assert _count(db_session, OutboxMessage, to_address=org.learner.email) == 0


def test_one_channel_only(org, db_session):
    _due_soon_setup(org.learner, org.other_learner)
    preferences.set_channels(org.learner.id, DUE_SOON, preferences.Channels(True, False))
    preferences.set_channels(org.other_learner.id, DUE_SOON, preferences.Channels(False, True))
    _run(DUE_SOON_NOW)
    assert _count(db_session, Notification, person_id=org.learner.id) == 1
    assert _count(db_session, OutboxMessage, to_address=org.learner.email) == 0
    assert _count(db_session, Notification, person_id=org.other_learner.id) == 0
    assert _count(db_session, OutboxMessage, to_address=org.other_learner.email) == 1


def test_a_choice_for_one_kind_leaves_the_others_alone(org, db_session):
    _due_soon_setup(org.learner)
    preferences.set_channels(org.learner.id, OVERDUE, preferences.Channels(False, False))
    assert _run(DUE_SOON_NOW).sent == 1


# ---------------------------------------------------------------- quiet hours


def test_quiet_hours_defer_and_the_next_run_after_them_sends(org, db_session):
    _due_soon_setup(org.learner)
    cfg = config(quiet_start=dt.time(20), quiet_end=dt.time(8))
    evening = _run("2026-03-13 20:30", cfg=cfg)  # London is on UTC in March
    night = _run("2026-03-14 07:59", cfg=cfg)
    assert (evening.deferred, evening.sent, night.deferred, night.sent) == (1, 0, 1, 0)
    assert _count(db_session, NudgeDelivery) == 0 and _count(db_session, Notification) == 0
    morning = _run("2026-03-14 08:00", cfg=cfg)
    assert (morning.deferred, morning.sent) == (0, 1)
    assert _count(db_session, OutboxMessage, to_address=org.learner.email) == 1


def test_quiet_hours_are_local_time_across_daylight_saving(org, db_session):
    prog = programme(offsets=(100,))  # due 10 June (British Summer Time)
    enrol(org.learner, prog)
    cfg = config(quiet_start=dt.time(20), quiet_end=dt.time(8))
    assert _run("2026-06-08 06:30", cfg=cfg).deferred == 1  # 07:30 BST: still quiet
    assert _run("2026-06-08 07:00", cfg=cfg).sent == 1  # 08:00 BST


def test_own_quiet_hours_or_none(org, db_session):
    _due_soon_setup(org.learner, org.other_learner)
    cfg = config(quiet_start=dt.time(20), quiet_end=dt.time(8))
    preferences.set_quiet_hours(org.learner.id, "off")
    preferences.set_quiet_hours(org.other_learner.id, "custom", dt.time(22), dt.time(10))
    night = _run("2026-03-14 03:00", cfg=cfg)
    assert night.sent == 1 and night.deferred == 1  # Lea has none; Otto sleeps till 10:00
    assert _count(db_session, Notification, person_id=org.learner.id) == 1
    assert _run("2026-03-14 09:00", cfg=cfg).deferred == 1  # the organisation's are over
    assert _run("2026-03-14 10:00", cfg=cfg).sent == 1


# ---------------------------------------------------------------- limits, dry runs, audit


def test_the_per_run_limit_leaves_the_rest_for_the_next_run(org, db_session, make_person):
    people = [org.learner, org.other_learner, make_person("Third", manager=org.line)]
    _due_soon_setup(*people)
    cfg = config(max_per_run=2)
    first = _run(DUE_SOON_NOW, cfg=cfg)
    second = _run("2026-03-13 11:00", cfg=cfg)
    assert (first.sent, first.over_limit) == (2, 1)
    assert (second.sent, second.already, second.over_limit) == (1, 2, 0)


def test_a_dry_run_counts_and_writes_nothing(org, db_session):
    _due_soon_setup(org.learner)
    before = _count(db_session, AuditEvent)
    result = _run(DUE_SOON_NOW, dry_run=True)
    assert (result.due, result.sent) == (1, 1)
    assert _count(db_session, NudgeDelivery) == 0 and _count(db_session, OutboxMessage) == 0
    assert _count(db_session, AuditEvent) == before


def test_a_run_that_sent_something_is_audited(org, db_session):
    _due_soon_setup(org.learner)
    _run(DUE_SOON_NOW)
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "nudges.run"))
    assert event.after["sent"] == {DUE_SOON: 1}


def test_the_hourly_job_runs_every_rule(org, db_session, monkeypatch):
    from engagement.nudges import tasks

    _due_soon_setup(org.learner)
    monkeypatch.setattr("engagement.nudges.runner.utcnow", lambda: at(DUE_SOON_NOW))
    sent = tasks.run_nudges.call_local()
    assert sent[DUE_SOON] == 1
    assert tasks.run_nudges.call_local()[DUE_SOON] == 0
