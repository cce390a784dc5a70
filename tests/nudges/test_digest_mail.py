"""The approver digest e-mail lists each waiting item under its learner (the e-mail templates
render the groups the rule builds: a regression test for a template that could not iterate
them and stopped the whole nudges run)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from approvals.one_to_ones.operations import Schedule, create_series
from clearance.mail import OutboxMessage
from engagement.nudges import runner
from engagement.nudges.models import APPROVER_DIGEST
from tests.approvals.factories import submitted
from tests.nudges.helpers import at, config


def test_the_digest_e_mail_lists_the_waiting_items_by_learner(org, db_session):
    submitted(org.learner, title="Safe handover")
    create_series(org.line, org.learner, Schedule(weekday=3, start_time=dt.time(10)),
                  dt.date(2026, 3, 1))  # Thursdays: the digest comes on Wednesday
    report = runner.run(at("2026-03-04 10:00"), cfg=config(digest_weekday=0),
                        kinds=[APPROVER_DIGEST])[0]
    assert (report.due, report.sent) == (1, 1)
    message = db_session.scalars(select(OutboxMessage)
                                 .where(OutboxMessage.to_address == org.line.email)).one()
    assert "Lea Learner:\n- Safe handover (level 1, waiting since" in message.body_text
    assert "<strong>Lea Learner</strong>" in message.body_html
    assert "<li>Safe handover (level 1, waiting since" in message.body_html
