"""The reminder e-mail: the working day before, once only however often the job runs, and
not for people who opted out."""

from __future__ import annotations

import datetime as dt

from freezegun import freeze_time
from sqlalchemy import func, select

from approvals.one_to_ones import operations as ops
from approvals.one_to_ones.models import Reminder
from approvals.one_to_ones.tasks import reminder_dates, send_reminders
from clearance.mail import OutboxMessage
from tests.approvals.factories import submitted

MONDAY = dt.date(2030, 1, 7)


def _outbox(db_session, to):
    return db_session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == to)
                              ).all()


def test_reminder_dates_cover_the_weekend_from_friday():
    assert reminder_dates(dt.date(2030, 1, 11)) == [dt.date(2030, 1, 12), dt.date(2030, 1, 13),
                                                    dt.date(2030, 1, 14)]
    assert reminder_dates(dt.date(2030, 1, 8)) == [dt.date(2030, 1, 9)]
    assert reminder_dates(dt.date(2030, 1, 12)) == []


def test_reminder_goes_once_the_working_day_before(org, db_session):
    with freeze_time("2030-01-01 10:00:00"):
        ops.create_series(org.line, org.learner, ops.Schedule(0, dt.time(9)), MONDAY)
        step = submitted(org.learner)
    with freeze_time("2030-01-03 10:00:00"):  # Thursday: nothing due yet
        assert send_reminders() == 0
    with freeze_time("2030-01-04 06:30:00"):  # Friday, before seven in London
        assert send_reminders() == 0
    with freeze_time("2030-01-04 10:00:00"):  # Friday, the working day before Monday
        assert send_reminders() == 1
        assert send_reminders() == 0  # the job runs twice
    with freeze_time("2030-01-04 16:00:00"):
        assert send_reminders() == 0  # and again later that day
    mails = [m for m in _outbox(db_session, org.line.email) if "One-to-one" in m.subject]
    assert len(mails) == 1
    assert "1 to decide" in mails[0].subject
    assert step.submission.checkpoint.title in mails[0].body_text
    assert "/one-to-ones/series/" in mails[0].body_text and "2030-01-07" in mails[0].body_text
    assert db_session.scalar(select(func.count()).select_from(Reminder)) == 1


def test_opted_out_managers_get_no_reminder(org, db_session):
    with freeze_time("2030-01-01 10:00:00"):
        ops.create_series(org.line, org.learner, ops.Schedule(1, dt.time(9)), MONDAY)
        ops.set_reminders(org.line, False)
    with freeze_time("2030-01-07 10:00:00"):  # Monday before a Tuesday one-to-one
        assert send_reminders() == 0
    assert not [m for m in _outbox(db_session, org.line.email) if "One-to-one" in m.subject]


def test_no_reminder_for_a_cancelled_meeting(org, db_session):
    with freeze_time("2030-01-01 10:00:00"):
        series = ops.create_series(org.line, org.learner, ops.Schedule(1, dt.time(9)), MONDAY)
        ops.cancel_meeting(ops.materialise(series, dt.date(2030, 1, 8)), org.line, "leave")
    with freeze_time("2030-01-07 10:00:00"):
        assert send_reminders() == 0
