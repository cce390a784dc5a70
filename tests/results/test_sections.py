"""The sections results takes from the other engagement packages: level-3 application by
programme, manager engagement against its target, and the pulse (its anonymity threshold)."""

from __future__ import annotations

import datetime as dt

from clearance.extensions import db
from engagement.application.models import ApplicationCheck
from engagement.periods import custom
from engagement.pulse.models import PulseResponse
from engagement.results import sections
from tests.conftest import sign_in_directly
from tests.results.factories import at, decision, enrolment, programme

SPRING = custom(dt.date(2026, 3, 1), dt.date(2026, 4, 30))
PAGE = "/results?period=custom&from=2026-03-01&to=2026-04-30"


def _checks(org, prog, answers):
    for n, answer in enumerate(answers):
        made = decision(org.learner, org.line, submitted=at("2026-01-02"),
                        decided=at("2026-01-05"), prog=prog)
        db.session.add(ApplicationCheck(
            submission_id=made.submission_id, learner_id=org.learner.id,
            checkpoint_id=made.step.submission.checkpoint_id, programme_id=prog.id,
            decision_id=made.id, manager_id=org.line.id, approved_at=made.decided_at, days=60,
            due_on=dt.date(2026, 3, 6) + dt.timedelta(days=n), answer=answer,
            answered_at=at("2026-03-20") if answer else None,
            answered_by_id=org.line.id if answer else None))
    db.session.flush()


def test_application_by_programme(client, org, db_session):
    prog = programme("Coaching conversations")
    _checks(org, prog, ["yes", "yes", "partly", "not_yet", None])
    found = sections.application(SPRING)
    assert [r.title for r in found.rows] == ["Coaching conversations"]
    assert (found.total.due, found.total.answered, found.total.applying_rate) == (5, 4, 75.0)
    sign_in_directly(client, org.ld)
    html = client.get(PAGE).get_data(as_text=True)
    assert "Applying learning on the job (level 3)" in html
    assert "75.0% of 4 answered checks" in html


def test_no_application_checks(client, org, db_session):
    sign_in_directly(client, org.md)
    html = client.get(PAGE).get_data(as_text=True)
    assert "No application checks came due in this period." in html


def test_manager_engagement_for_the_periods_year(client, org, db_session):
    prog = programme("Leading with compassion")
    enrolment(org.line, prog, enrolled=at("2026-02-10"))      # a manager, engaged in February
    enrolment(org.unrelated, prog, enrolled=at("2026-05-10"))  # after the period's last day
    found = sections.engagement(SPRING).kpi
    assert (found.year, found.as_of) == (2026, dt.date(2026, 4, 30))
    managers = found.managers
    assert found.engaged == 1 and managers >= 3  # line, skip, unrelated, md
    sign_in_directly(client, org.ld)
    html = client.get(PAGE).get_data(as_text=True)
    assert f"1 of {managers}:" in html and "Manager engagement against the target" in html
    assert "Units furthest below the target" in html


def _responses(n, month=dt.date(2026, 3, 1)):
    for i in range(n):
        db.session.add(PulseResponse(checkpoint_kind="summative", approver_level=1, month=month,
                                     chose_feedback=True, chose_summative=i % 2 == 0,
                                     usefulness=4, feedback_helped=5))
    db.session.flush()


def test_pulse_below_the_threshold_shows_nothing_but_that(client, org, db_session):
    _responses(4)
    _responses(3, month=dt.date(2026, 6, 1))  # outside the period
    assert sections.pulse(SPRING).aggregate is None
    sign_in_directly(client, org.ld)
    html = client.get(PAGE).get_data(as_text=True)
    assert "Too few learners answered the pulse in this period to show it" in html
    assert "out of 5 on average" not in html


def test_pulse_at_the_threshold(client, org, db_session):
    _responses(5)
    found = sections.pulse(SPRING).aggregate
    assert found.responses == 5
    sign_in_directly(client, org.md)
    html = client.get(PAGE).get_data(as_text=True)
    assert "5 answers count in the months of this period" in html
    assert "4.0 out of 5 on average" in html and "5.0 out of 5 on average" in html
