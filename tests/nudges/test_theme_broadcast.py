"""The theme release, set-based (``broadcast.deliver_broadcasts``, what the hourly run uses),
sends exactly what the nudge-by-nudge path (``delivery.deliver`` over ``rules.theme_released``)
sends: the same ledger rows, notifications and e-mails (byte for byte), the same counts, the
same people left for the next run; once, with two runs racing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from clearance.database import commit, write_intent
from clearance.extensions import db
from clearance.mail import OutboxMessage
from clearance.notifications import Notification
from engagement.nudges import broadcast, delivery, preferences, rules, runner
from engagement.nudges.models import THEME_RELEASED, NudgeDelivery
from tests.concurrency import run_together
from tests.fresh_db import dispose, fresh_database
from tests.nudges.helpers import at, config, programme

NOW = at("2026-04-03 10:00")  # 11:00 in London (summer time)


def _scenario(org, make_person, db_session):
    """Two themes released this week (one with a managers' programme), people with every
    kind of choice, someone who left, someone already told, names that need escaping."""
    release = dt.date(2026, 4, 1)
    programme("Coaching for managers", theme="Coaching", audience="managers",
              release_date=release)
    programme("Being coached", theme="Coaching", audience="everyone", release_date=release)
    programme("Safe handover", theme="Safety", audience="everyone",
              release_date=dt.date(2026, 4, 3))
    odd = make_person("Ann O'Brien <b>&</b>", manager=org.line)
    app_only = make_person("App Only", manager=org.line)
    mail_only = make_person("Mail Only", manager=org.unrelated)
    sleeper = make_person("Late Sleeper", manager=org.unrelated)
    gone = make_person("Gone Person", manager=org.line)
    gone.active = False
    preferences.set_channels(org.learner.id, THEME_RELEASED, preferences.Channels(False, False))
    preferences.set_channels(app_only.id, THEME_RELEASED, preferences.Channels(True, False))
    preferences.set_channels(mail_only.id, THEME_RELEASED, preferences.Channels(False, True))
    preferences.set_quiet_hours(sleeper.id, "custom", dt.time(22), dt.time(12))
    delivery.claim([{"person_id": odd.id, "kind": THEME_RELEASED, "subject": "theme:safety",
                     "period": "2026-04", "created_at": NOW, "mail_pending": False}])
    db_session.flush()


def _snapshot(db_session):
    ledger = sorted(
        (r.person_id, r.subject, r.period, r.notified_at is not None, r.mailed_at is not None,
         r.mail_pending, r.outbox_message_id is not None)
        for r in db_session.scalars(select(NudgeDelivery).where(
            NudgeDelivery.kind == THEME_RELEASED)))
    links = sorted(db_session.execute(
        select(NudgeDelivery.person_id, NudgeDelivery.subject, OutboxMessage.to_address,
               OutboxMessage.subject)
        .join(OutboxMessage, OutboxMessage.id == NudgeDelivery.outbox_message_id)))
    notes = sorted((n.person_id, n.kind, n.message, n.link) for n in db_session.scalars(
        select(Notification).where(Notification.kind == f"nudge.{THEME_RELEASED}")))
    mails = sorted((m.to_address, m.subject, m.body_text, m.body_html, m.status, m.attempts,
                    json.dumps(m.headers, sort_keys=True))
                   for m in db_session.scalars(select(OutboxMessage)))
    return {"ledger": ledger, "links": [tuple(r) for r in links], "notes": notes,
            "mails": mails}


def _counts(result):
    return (result.due, result.sent, result.already, result.opted_out, result.deferred,
            result.over_limit)


@pytest.mark.parametrize("limit", [5000, 4])
def test_set_based_sends_exactly_what_nudge_by_nudge_sends(org, make_person, db_session,
                                                           limit):
    _scenario(org, make_person, db_session)
    cfg = config(max_per_run=limit)
    reference = db_session.begin_nested()
    one_by_one = delivery.deliver(THEME_RELEASED, rules.theme_released(NOW, cfg), NOW, cfg)
    db_session.flush()
    expected = _snapshot(db_session)
    reference.rollback()
    assert _snapshot(db_session)["notes"] == []

    result = runner.run(NOW, kinds=[THEME_RELEASED], cfg=cfg)[0]
    db_session.flush()
    assert _counts(result) == _counts(one_by_one)
    assert _snapshot(db_session) == expected
    # the scenario's facts, so the comparison compares something: 12 active people, two
    # themes; one told already, one switched off, one asleep (own quiet hours)
    assert (result.due, result.already, result.opted_out, result.deferred) == (24, 1, 2, 2)
    if limit == 5000:
        assert (result.sent, result.over_limit) == (19, 0)
        assert any("Ann O&#39;Brien &lt;b&gt;&amp;&lt;/b&gt;" in m[3] for m in expected["mails"])
        assert any("Ann O'Brien <b>&</b>" in m[2] for m in expected["mails"])
    else:
        assert (result.sent, result.over_limit) == (4, 15)


def test_dry_runs_count_the_same(org, make_person, db_session):
    _scenario(org, make_person, db_session)
    cfg = config()
    dry = runner.run(NOW, kinds=[THEME_RELEASED], cfg=cfg, dry_run=True)[0]
    one_by_one = delivery.deliver(THEME_RELEASED, rules.theme_released(NOW, cfg), NOW, cfg,
                                  dry_run=True)
    assert _counts(dry) == _counts(one_by_one)
    assert db_session.scalar(select(func.count()).select_from(Notification)) == 0


def test_a_rerun_sends_nothing_and_managers_get_the_managers_list(org, make_person,
                                                                  db_session):
    _scenario(org, make_person, db_session)
    first = runner.run(NOW, kinds=[THEME_RELEASED], cfg=config())[0]
    again = runner.run(NOW + dt.timedelta(minutes=30), kinds=[THEME_RELEASED],
                       cfg=config())[0]
    assert first.sent > 0 and again.sent == 0 and again.already == first.already + first.sent
    coaching = {n.person_id: n.message for n in db_session.scalars(select(Notification).where(
        Notification.message.like("New this month: Coaching%")))}
    assert coaching[org.line.id] == "New this month: Coaching. “Coaching for managers”; " \
                                    "“Being coached”."
    assert coaching[org.other_learner.id] == "New this month: Coaching. “Being coached”."


def test_the_broadcasts_are_the_per_person_nudges(org, make_person, db_session):
    _scenario(org, make_person, db_session)
    cfg = config()
    expanded = sorted((n.person_id, n.subject, n.period, n.message, n.link, n.mail_subject,
                       json.dumps(n.context, sort_keys=True))
                      for b in rules.theme_broadcasts(NOW, cfg) for n in b.nudges())
    assert expanded == sorted((n.person_id, n.subject, n.period, n.message, n.link,
                               n.mail_subject, json.dumps(n.context, sort_keys=True))
                              for n in rules.theme_released(NOW, cfg))
    assert len({(p, s, m) for p, s, m, *_ in expanded}) == len(expanded)  # one each


# ---------------------------------------------------------------- racing runs

PEOPLE, RUNS = 30, 3


@pytest.fixture()
def fresh_app(db_url, tmp_path) -> Iterator[Flask]:
    with fresh_database(db_url, tmp_path, "themerace") as fresh:
        app = fresh.app(tmp_path)
        try:
            with app.app_context():
                upgrade()
                from people.operations import create_person

                with write_intent(True):
                    boss = create_person(employee_id="B0", name="Boss",
                                         email="boss@example.org")
                    for n in range(PEOPLE):
                        create_person(employee_id=f"R{n}", name=f"Racer {n}",
                                      email=f"racer{n}@example.org", manager=boss)
                    programme("Being coached", theme="Coaching",
                              release_date=dt.date(2026, 4, 1))
                    commit()
            yield app
        finally:
            dispose(app)


def test_racing_runs_send_each_theme_nudge_once(fresh_app, monkeypatch):
    sent_mail: list[int] = []
    monkeypatch.setattr(broadcast, "send_mail", sent_mail.append)
    def work() -> int:
        with fresh_app.app_context():
            cfg = config()
            with write_intent(True):
                sent = runner.run(NOW, kinds=[THEME_RELEASED], cfg=cfg)[0].sent
                commit()
        return sent

    sent = run_together(work, RUNS)
    assert sum(sent) == PEOPLE + 1
    with fresh_app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(NudgeDelivery) == count(Notification) == count(OutboxMessage) == PEOPLE + 1
        linked = set(db.session.scalars(select(NudgeDelivery.outbox_message_id)))
        assert linked == set(db.session.scalars(select(OutboxMessage.id)))
    assert sorted(sent_mail) == sorted(linked)  # each e-mail handed to the outbox job once
